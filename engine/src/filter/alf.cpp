#include "filter/alf.h"

#include <algorithm>
#include <cstdlib>

#include "bitstream/bit_writer.h"

namespace vvc {
namespace {

inline Pel sample(const Plane& p, int x, int y) {
  return p.at(clip3(0, p.width - 1, x), clip3(0, p.height - 1, y));
}

// Vertical tap offset limited symmetrically by the virtual boundary.
inline int limit_dy(int dy, int limit) {
  return dy > limit ? limit : (dy < -limit ? -limit : dy);
}

// varTab of 8.8.5.3 (activity quantisation).
constexpr uint8_t kAlfVarTab[16] = {0, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4};

}  // namespace

void alf_classify(const Plane& luma, int ctbLog2, AlfClasses& out) {
  const int W = luma.width, H = luma.height;
  const int ctb = 1 << ctbLog2;
  const int vb = ctb - 4;
  out.w4 = (W + 3) / 4;
  out.h4 = (H + 3) / 4;
  out.cls.assign(static_cast<size_t>(out.w4) * out.h4, 0);
  out.transpose.assign(out.cls.size(), 0);
  for (int by = 0; by < out.h4; ++by) {
    const int y0 = by * 4;
    const int ctbY = (y0 >> ctbLog2) << ctbLog2;
    const int ry = y0 - ctbY;
    int rs = y0 - 2, re = y0 + 5, ac = 2;
    if (ry + 4 == vb) {
      re = y0 + 3;
      ac = 3;
    } else if (ry == vb) {
      rs = y0;
      ac = 3;
    }
    for (int bx = 0; bx < out.w4; ++bx) {
      const int x0 = bx * 4;
      int sumV = 0, sumH = 0, sumD0 = 0, sumD1 = 0;
      for (int y = rs; y <= re; ++y) {
        int up = y - 1, dn = y + 1;
        if (y - ctbY == vb - 1) dn = y;  // the neighbour across the boundary: itself
        if (y - ctbY == vb) up = y;
        for (int x = x0 - 2; x <= x0 + 5; ++x) {
          if ((x ^ y) & 1) continue;  // both even or both odd
          const int c2 = 2 * sample(luma, x, y);
          sumV += std::abs(c2 - sample(luma, x, up) - sample(luma, x, dn));
          sumH += std::abs(c2 - sample(luma, x - 1, y) - sample(luma, x + 1, y));
          sumD0 += std::abs(c2 - sample(luma, x - 1, up) - sample(luma, x + 1, dn));
          sumD1 += std::abs(c2 - sample(luma, x + 1, up) - sample(luma, x - 1, dn));
        }
      }
      const int dirHV = sumV <= sumH;
      const int hv1 = std::max(sumV, sumH), hv0 = std::min(sumV, sumH);
      const int dirD = sumD0 <= sumD1;
      const int d1 = std::max(sumD0, sumD1), d0 = std::min(sumD0, sumD1);
      const int dir1 = uint64_t(d1) * hv0 <= uint64_t(hv1) * d0;  // HV dominates
      const int hvd1 = dir1 ? hv1 : d1, hvd0 = dir1 ? hv0 : d0;
      const int act = clip3(0, 15, ((sumV + sumH) * ac) >> (kBitDepth - 1));
      int cls = kAlfVarTab[act];
      if (hvd1 * 2 > 9 * hvd0)
        cls += ((dir1 << 1) + 2) * 5;
      else if (hvd1 > 2 * hvd0)
        cls += ((dir1 << 1) + 1) * 5;
      const size_t i = static_cast<size_t>(by) * out.w4 + bx;
      out.cls[i] = static_cast<uint8_t>(cls);
      out.transpose[i] = static_cast<uint8_t>(dirD * 2 + dirHV);
    }
  }
}

AlfRowVb alf_luma_taps(const Plane& p, int x, int y, int ctbLog2, int diff[kAlfLumaCoeffs][2]) {
  const int ctb = 1 << ctbLog2;
  const AlfRowVb vb = alf_row_vb(y & (ctb - 1), ctb, 3);
  const int cur = p.at(x, y);
  for (int j = 0; j < kAlfLumaCoeffs; ++j) {
    const int dx = kAlfLumaTap[j][0], dy = limit_dy(kAlfLumaTap[j][1], vb.limit);
    diff[j][0] = sample(p, x + dx, y + dy) - cur;
    diff[j][1] = sample(p, x - dx, y - dy) - cur;
  }
  return vb;
}

AlfRowVb alf_chroma_taps(const Plane& p, int x, int y, int ctbLog2C,
                         int diff[kAlfChromaCoeffs][2]) {
  const int ctb = 1 << ctbLog2C;
  const AlfRowVb vb = alf_row_vb(y & (ctb - 1), ctb, 2);
  const int cur = p.at(x, y);
  for (int j = 0; j < kAlfChromaCoeffs; ++j) {
    const int dx = kAlfChromaTap[j][0], dy = limit_dy(kAlfChromaTap[j][1], vb.limit);
    diff[j][0] = sample(p, x + dx, y + dy) - cur;
    diff[j][1] = sample(p, x - dx, y - dy) - cur;
  }
  return vb;
}

void alf_filter_luma_ctb(const Plane& src, Plane& dst, int ctbX, int ctbY, int ctbLog2,
                         const AlfClasses& cls, const uint8_t classToFilter[kAlfNumClasses],
                         const int16_t coeff[][kAlfLumaCoeffs],
                         const uint8_t clipIdx[][kAlfLumaCoeffs]) {
  const int ctb = 1 << ctbLog2;
  const int xEnd = std::min(ctbX + ctb, src.width), yEnd = std::min(ctbY + ctb, src.height);
  int diff[kAlfLumaCoeffs][2];
  for (int y = ctbY; y < yEnd; ++y) {
    for (int x = ctbX; x < xEnd; ++x) {
      const AlfRowVb vb = alf_luma_taps(src, x, y, ctbLog2, diff);
      const int c = cls.at(x >> 2, y >> 2), t = cls.tr(x >> 2, y >> 2);
      const int f = classToFilter[c];
      int sum = 0;
      for (int j = 0; j < kAlfLumaCoeffs; ++j) {
        const int k = kAlfTransposeIdx[t][j];
        const int cl = alf_clip_value(clipIdx[f][k]);
        sum += coeff[f][k] * (clip3(-cl, cl, diff[j][0]) + clip3(-cl, cl, diff[j][1]));
      }
      const int shift = vb.near ? 10 : 7;
      dst.at(x, y) = clip_pel(src.at(x, y) + ((sum + (1 << (shift - 1))) >> shift));
    }
  }
}

void alf_filter_chroma_ctb(const Plane& src, Plane& dst, int ctbX, int ctbY, int ctbLog2C,
                           const int16_t coeff[kAlfChromaCoeffs],
                           const uint8_t clipIdx[kAlfChromaCoeffs]) {
  const int ctb = 1 << ctbLog2C;
  const int xEnd = std::min(ctbX + ctb, src.width), yEnd = std::min(ctbY + ctb, src.height);
  int cl[kAlfChromaCoeffs];
  for (int j = 0; j < kAlfChromaCoeffs; ++j) cl[j] = alf_clip_value(clipIdx[j]);
  int diff[kAlfChromaCoeffs][2];
  for (int y = ctbY; y < yEnd; ++y) {
    for (int x = ctbX; x < xEnd; ++x) {
      const AlfRowVb vb = alf_chroma_taps(src, x, y, ctbLog2C, diff);
      int sum = 0;
      for (int j = 0; j < kAlfChromaCoeffs; ++j)
        sum += coeff[j] * (clip3(-cl[j], cl[j], diff[j][0]) + clip3(-cl[j], cl[j], diff[j][1]));
      const int shift = vb.near ? 10 : 7;
      dst.at(x, y) = clip_pel(src.at(x, y) + ((sum + (1 << (shift - 1))) >> shift));
    }
  }
}

std::vector<uint8_t> write_alf_aps(const AlfApsData& aps) {
  BitWriter bw;
  bw.write(0, 3);  // aps_params_type: ALF_APS
  bw.write(static_cast<uint32_t>(aps.aps_id), 5);
  bw.write_flag(aps.chroma);  // aps_chroma_present_flag
  // ---- alf_data() 7.3.2.19 ----
  bw.write_flag(aps.luma);  // alf_luma_filter_signal_flag
  if (aps.chroma) {
    bw.write_flag(true);   // alf_chroma_filter_signal_flag
    bw.write_flag(false);  // alf_cc_cb_filter_signal_flag
    bw.write_flag(false);  // alf_cc_cr_filter_signal_flag
  }
  auto coeff = [&bw](int v) {
    bw.write_ue(static_cast<uint32_t>(std::abs(v)));  // alf_*_coeff_abs
    if (v) bw.write_flag(v < 0);                      // alf_*_coeff_sign
  };
  if (aps.luma) {
    bw.write_flag(aps.luma_clip);
    bw.write_ue(static_cast<uint32_t>(aps.num_luma_filters - 1));
    if (aps.num_luma_filters > 1) {
      int bits = 0;
      while ((1 << bits) < aps.num_luma_filters) ++bits;  // Ceil(Log2(num_filters))
      for (int c = 0; c < kAlfNumClasses; ++c) bw.write(aps.class_to_filter[c], bits);
    }
    for (int f = 0; f < aps.num_luma_filters; ++f)
      for (int j = 0; j < kAlfLumaCoeffs; ++j) coeff(aps.luma_coeff[f][j]);
    if (aps.luma_clip)
      for (int f = 0; f < aps.num_luma_filters; ++f)
        for (int j = 0; j < kAlfLumaCoeffs; ++j) bw.write(aps.luma_clip_idx[f][j], 2);
  }
  if (aps.chroma) {
    bw.write_flag(aps.chroma_clip);
    bw.write_ue(static_cast<uint32_t>(aps.num_chroma_alts - 1));
    for (int a = 0; a < aps.num_chroma_alts; ++a) {
      for (int j = 0; j < kAlfChromaCoeffs; ++j) coeff(aps.chroma_coeff[a][j]);
      if (aps.chroma_clip)
        for (int j = 0; j < kAlfChromaCoeffs; ++j) bw.write(aps.chroma_clip_idx[a][j], 2);
    }
  }
  bw.write_flag(false);  // aps_extension_flag
  bw.rbsp_trailing_bits();
  return bw.bytes();
}

}  // namespace vvc
