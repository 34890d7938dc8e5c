// Adaptive loop filter, decoder side (H.266 8.8.5): the 4x4 luma block classification
// (8.8.5.3, 25 classes and a transpose index), the 7x7 diamond luma filter (8.8.5.2) and the
// 5x5 diamond chroma filter (8.8.5.4), with the ALF virtual boundary (4 luma / 2 chroma rows
// above each CTB bottom: rows are padded symmetrically there and the two rows next to it use
// a 3 bits larger rounding shift) and picture-boundary padding (sample positions clamped into
// the picture). Also the ALF APS writer (7.3.2.18 / 7.3.2.19, no CC-ALF).
//
// The reading of the normative text follows FFmpeg's VVC decoder, our conformance oracle:
// gradients at the sample pairs of 2x2 cells (both coordinates even / both odd), the rows next
// to the virtual boundary take themselves as the neighbour across it, activity scaled by 2 (3
// next to the boundary) and shifted by BitDepth - 1.
#pragma once

#include <cstdint>
#include <vector>

#include "common/picture.h"

namespace vvc {

constexpr int kAlfNumClasses = 25;   // NumAlfFilters
constexpr int kAlfLumaCoeffs = 12;   // 7x7 diamond without the centre
constexpr int kAlfChromaCoeffs = 6;  // 5x5 diamond without the centre
constexpr int kAlfMaxChromaAlts = 8;

// Coefficient positions (dx, dy) of the luma filter, one of each symmetric pair (the other
// is (-dx, -dy)), in the order of the coefficient index j of 8.8.5.2 (eq. for `sum`).
constexpr int kAlfLumaTap[kAlfLumaCoeffs][2] = {{0, 3}, {1, 2},  {0, 2},  {-1, 2}, {2, 1}, {1, 1},
                                                {0, 1}, {-1, 1}, {-2, 1}, {3, 0},  {2, 0}, {1, 0}};
// Chroma filter positions, coefficient order of 8.8.5.4.
constexpr int kAlfChromaTap[kAlfChromaCoeffs][2] = {{0, 2},  {1, 1}, {0, 1},
                                                    {-1, 1}, {2, 0}, {1, 0}};
// The coefficient index used at tap j for transposeIdx 0..3 (8.8.5.2, idx[] per transposeIdx).
constexpr int kAlfTransposeIdx[4][kAlfLumaCoeffs] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
    {9, 4, 10, 8, 1, 5, 11, 7, 3, 0, 2, 6},
    {0, 3, 2, 1, 8, 7, 6, 5, 4, 9, 10, 11},
    {9, 8, 10, 4, 3, 7, 11, 5, 1, 0, 2, 6},
};

// Clipping value for clipIdx (Table 8 of 7.4.3.18 / AlfClip): 2^(BitDepth - {0,3,5,7}).
inline int alf_clip_value(int clipIdx, int bitDepth = kBitDepth) {
  constexpr int kShift[4] = {0, 3, 5, 7};
  return 1 << (bitDepth - kShift[clipIdx & 3]);
}

// One ALF APS (aps_params_type ALF_APS = 0) as the writer signals it.
struct AlfApsData {
  int aps_id = 0;            // aps_adaptation_parameter_set_id (0..7)
  bool luma = false;         // alf_luma_filter_signal_flag
  bool chroma = false;       // alf_chroma_filter_signal_flag (aps_chroma_present_flag too)
  bool luma_clip = false;    // alf_luma_clip_flag
  int num_luma_filters = 1;  // alf_luma_num_filters_signalled_minus1 + 1
  uint8_t class_to_filter[kAlfNumClasses] = {};             // alf_luma_coeff_delta_idx
  int16_t luma_coeff[kAlfNumClasses][kAlfLumaCoeffs] = {};  // per signalled filter, -128..127
  uint8_t luma_clip_idx[kAlfNumClasses][kAlfLumaCoeffs] = {};
  bool chroma_clip = false;  // alf_chroma_clip_flag
  int num_chroma_alts = 1;   // alf_chroma_num_alt_filters_minus1 + 1
  int16_t chroma_coeff[kAlfMaxChromaAlts][kAlfChromaCoeffs] = {};
  uint8_t chroma_clip_idx[kAlfMaxChromaAlts][kAlfChromaCoeffs] = {};
};

// adaptation_parameter_set_rbsp() of an ALF APS (RBSP, for write_nal with PREFIX_APS).
std::vector<uint8_t> write_alf_aps(const AlfApsData& aps);

// Class and transpose index per 4x4 luma block of a picture (raster over the 4x4 grid).
struct AlfClasses {
  int w4 = 0, h4 = 0;
  std::vector<uint8_t> cls;        // filtIdx 0..24
  std::vector<uint8_t> transpose;  // transposeIdx 0..3
  int at(int bx, int by) const { return cls[static_cast<size_t>(by) * w4 + bx]; }
  int tr(int bx, int by) const { return transpose[static_cast<size_t>(by) * w4 + bx]; }
};

// 8.8.5.3 for every 4x4 block of the (deblocked) luma plane; CTBs of 1 << ctbLog2 samples.
void alf_classify(const Plane& luma, int ctbLog2, AlfClasses& out);

// Row geometry of the virtual boundary for a sample row: how far (in rows) the filter may
// reach up and down symmetrically (`limit`, the full reach when not near the boundary) and
// whether the row uses the larger rounding shift. rowInCtb: row inside its CTB, ctbRows: the
// CTB height in component samples, reach: 3 luma / 2 chroma.
struct AlfRowVb {
  int limit;
  bool near;
};
inline AlfRowVb alf_row_vb(int rowInCtb, int ctbRows, int reach) {
  const int vb = ctbRows - (reach == 3 ? 4 : 2);
  if (rowInCtb < vb && rowInCtb >= vb - reach) return {vb - 1 - rowInCtb, rowInCtb == vb - 1};
  if (rowInCtb >= vb && rowInCtb < vb + reach) return {rowInCtb - vb, rowInCtb == vb};
  return {reach, false};
}

// The (unclipped) differences of one sample's filter taps: feat[j] = (s[+tap j] - cur) +
// (s[-tap j] - cur) with virtual-boundary limiting and picture padding; the clipped filter
// applies clip3(-c, c, .) to each of the two terms instead (alf_filter_* below). Used by the
// encoder's statistics. Returns the row's AlfRowVb.
AlfRowVb alf_luma_taps(const Plane& p, int x, int y, int ctbLog2, int diff[kAlfLumaCoeffs][2]);
AlfRowVb alf_chroma_taps(const Plane& p, int x, int y, int ctbLog2C, int diff[kAlfChromaCoeffs][2]);

// Filters one luma CTB (ctb position in luma samples) of src into dst with the per-filter
// coefficients/clip indices `coeff`/`clipIdx` selected per block by `cls` (class -> filter
// through classToFilter) and the transpose index.
void alf_filter_luma_ctb(const Plane& src, Plane& dst, int ctbX, int ctbY, int ctbLog2,
                         const AlfClasses& cls, const uint8_t classToFilter[kAlfNumClasses],
                         const int16_t coeff[][kAlfLumaCoeffs],
                         const uint8_t clipIdx[][kAlfLumaCoeffs]);
// Filters one chroma CTB (position in chroma samples, CTB size 1 << ctbLog2C).
void alf_filter_chroma_ctb(const Plane& src, Plane& dst, int ctbX, int ctbY, int ctbLog2C,
                           const int16_t coeff[kAlfChromaCoeffs],
                           const uint8_t clipIdx[kAlfChromaCoeffs]);

}  // namespace vvc
