// Motion-compensated sample prediction, bit-exact per H.266 8.5.6.3 (fractional sample
// interpolation) and 8.5.6.6.2 (default weighted sample prediction) for 10-bit 4:2:0 with
// the tools we keep off: no RPR scaling, no wrap-around, no alternative half-sample filter
// (AMVR off), no affine 6-tap filter, no BCW/weighted prediction, no PROF. DMVR and BDOF
// build on these functions (inter/dmvr.h, inter/bdof.h, used by inter/inter_pred.h).
//
// Two stages, like the standard:
//  1. mc_luma / mc_chroma produce predSamplesLX at the intermediate 14-bit precision
//     (shift1 = Min(4, BitDepth - 8) = 2, shift2 = 6, shift3 = Max(2, 14 - BitDepth) = 4);
//  2. weighted_uni / weighted_bi turn one or two of them into final 10-bit samples:
//     uni (pred + 8) >> 4, bi (p0 + p1 + 16) >> 5, clipped to [0, 1023].
// Reference samples outside the picture are the nearest picture samples (the coordinate
// clamping xInt = Clip3(0, pic_width - 1, x) of 8.5.6.3.2/8.5.6.3.4).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/picture.h"
#include "inter/mv.h"

namespace vvc {

// Luma 8-tap filter coefficients fL[p] for the 16 fractional positions (H.266 Table 27,
// hpelIfIdx 0) and chroma 4-tap coefficients fC[p] for 32 positions (Table 33).
extern const int8_t kLumaFilter[16][8];
extern const int8_t kChromaFilter[32][4];

constexpr int kMcShift1 = kBitDepth - 8 < 4 ? kBitDepth - 8 : 4;    // 2
constexpr int kMcShift2 = 6;                                        // 6
constexpr int kMcShift3 = 14 - kBitDepth > 2 ? 14 - kBitDepth : 2;  // 4
constexpr int kMaxMcBlock = 128;                                    // max prediction block side

// Read-only view of one reference plane. Reads are valid for x in [-margin, width + margin)
// and y in [-margin, height + margin) (a PaddedPicture replicates the edges into its margin;
// a plain Plane has margin 0); anything further out is clamped per sample.
struct RefView {
  const Pel* origin = nullptr;  // sample (0, 0)
  ptrdiff_t stride = 0;
  int width = 0;
  int height = 0;
  int margin = 0;
};
RefView ref_view(const Plane& p);

// A copy of a reference picture with replicated borders, built once per reference picture so
// motion search and MC can read around the picture without clamping.
class PaddedPicture {
 public:
  // marginLuma: border in luma samples (chroma gets half). 64 + 16 covers search range 64.
  void build(const Picture& pic, int marginLuma = 80);
  RefView view(int cIdx) const { return views_[cIdx]; }
  int width() const { return views_[0].width; }
  int height() const { return views_[0].height; }

 private:
  std::vector<Pel> buf_[3];
  RefView views_[3];
};

// predSamplesLX of a w x h luma block at (x, y) displaced by mv (1/16 sample), 14-bit.
void mc_luma(const RefView& ref, const Mv& mv, int x, int y, int w, int h, int16_t* dst,
             ptrdiff_t dstStride);
// predSamplesLX of a wc x hc chroma block at chroma position (xc, yc); mv is the LUMA MV in
// 1/16 luma samples (= the 4:2:0 chroma MV in 1/32 chroma samples, 8.5.2.13).
void mc_chroma(const RefView& ref, const Mv& mv, int xc, int yc, int wc, int hc, int16_t* dst,
               ptrdiff_t dstStride);

// All three components of the luma block (x, y, w, h): luma into dstL (stride strideL), the
// (w/2) x (h/2) chroma blocks into dstCb / dstCr (stride strideC). Either chroma pointer may
// be null to skip chroma.
void motion_compensate(const Picture& ref, const Mv& mv, int x, int y, int w, int h, int16_t* dstL,
                       ptrdiff_t strideL, int16_t* dstCb, int16_t* dstCr, ptrdiff_t strideC);
void motion_compensate(const PaddedPicture& ref, const Mv& mv, int x, int y, int w, int h,
                       int16_t* dstL, ptrdiff_t strideL, int16_t* dstCb, int16_t* dstCr,
                       ptrdiff_t strideC);

// 8.5.6.6.2 default weighted sample prediction.
void weighted_uni(const int16_t* src, ptrdiff_t srcStride, Pel* dst, ptrdiff_t dstStride, int w,
                  int h);
void weighted_bi(const int16_t* src0, ptrdiff_t stride0, const int16_t* src1, ptrdiff_t stride1,
                 Pel* dst, ptrdiff_t dstStride, int w, int h);

}  // namespace vvc
