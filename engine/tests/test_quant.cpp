// Tests for quantize / dequantize: hand-worked cases of H.266 8.7.3 and of the deadzone
// quantizer, the rectangular (odd log2 area) factor, clipping and zero-out handling.
#include <cstdint>
#include <vector>

#include "check.h"
#include "transform/quant.h"

namespace {

int32_t deq1(int level, int lw, int lh, int qp, int pos = 0) {
  std::vector<int32_t> l(1u << (lw + lh), 0), d(l.size(), -1);
  l[pos] = level;
  vvc::dequantize(l.data(), lw, lh, qp, d.data());
  return d[pos];
}

void test_dequantize() {
  // 4x4, qp 22: qP = 34, levelScale[0][4] = 64, ls = (16 * 64) << 5 = 32768,
  // bdShift = 10 + 0 + 2 - 5 = 7: (3 * 32768 + 64) >> 7 = 768.
  CHECK_EQ(deq1(3, 2, 2, 22), 768);
  CHECK_EQ(deq1(-3, 2, 2, 22), -768);  // (-98304 + 64) >> 7 = floor(-767.5) = -768
  // 8x4 (odd), qp 27: qP = 39, levelScale[1][3] = 80, ls = 1280 << 6 = 81920,
  // bdShift = 10 + 1 + 2 - 5 = 8: (81920 + 128) >> 8 = 320, (-81920 + 128) >> 8 = -320.
  CHECK_EQ(deq1(1, 3, 2, 27), 320);
  CHECK_EQ(deq1(-1, 3, 2, 27), -320);
  // 4x8 is the same as 8x4.
  CHECK_EQ(deq1(1, 2, 3, 27), 320);
  // qp -12 (qP 0), 4x4: ls = 640, (640 + 64) >> 7 = 5.
  CHECK_EQ(deq1(1, 2, 2, -12), 5);
  // 32x32, qp 37: qP = 49, levelScale[0][1] = 45, ls = 720 << 8 = 184320,
  // bdShift = 10 + 5 - 5 = 10: (7 * 184320 + 512) >> 10 = 1260.
  CHECK_EQ(deq1(7, 5, 5, 37), 1260);
  // 64x64 qp 51: qP 63, ls = (16 * 57) << 10 = 933888, bdShift 11: clipped to 16 bits.
  CHECK_EQ(deq1(1000, 6, 6, 51), 32767);
  CHECK_EQ(deq1(-1000, 6, 6, 51), -32768);
  // 16x64 (odd), qp 63: large level, int64 intermediate, clip.
  CHECK_EQ(deq1(32767, 4, 6, 63), 32767);
  // Zero-out: a level at x = 40 of a 64-wide block is not read.
  CHECK_EQ(deq1(5, 6, 2, 22, 40), 0);
  // Every output outside the level is zero.
  std::vector<int32_t> l(64, 0), d(64, 9);
  l[9] = 2;
  vvc::dequantize(l.data(), 3, 3, 30, d.data());
  for (int i = 0; i < 64; ++i) CHECK(i == 9 ? d[i] != 0 : d[i] == 0);
}

void test_quantize() {
  // 4x4 qp 22 intra: scale 16384, qBits = 14 + 34/6 + (15 - 10 - 2) = 22,
  // offset = 171 << 13. c = 768: (768 * 16384 + 1400832) >> 22 = 3; c = 100 -> 0.
  CHECK_EQ(vvc::quant_qbits(2, 2, 22), 22);
  CHECK_EQ(vvc::quant_scale(2, 2, 22), 16384);
  std::vector<int32_t> c(16, 0), l(16, 7);
  c[0] = 768;
  c[1] = -768;
  c[2] = 100;
  c[5] = -1000000000;
  int nz = vvc::quantize(c.data(), 2, 2, 22, true, l.data());
  CHECK_EQ(nz, 3);
  CHECK_EQ(l[0], 3);
  CHECK_EQ(l[1], -3);
  CHECK_EQ(l[2], 0);
  CHECK_EQ(l[5], -32768);  // clipped to the entropy-coding range
  CHECK_EQ(l[3], 0);
  // Deadzone: intra rounds 0.334 up from ...; a value of exactly 2/3 step rounds to 1 for
  // intra (offset 171/512 = 0.334) but to 0 for inter (85/512 = 0.166).
  // Step for 4x4 qp 22 is 2^22 / 16384 = 256 in coefficient units.
  c.assign(16, 0);
  c[0] = 256 * 2 / 3;  // 170 -> 170/256 + 0.334 = 0.998 -> 0; +2 -> 1
  c[0] = 172;
  vvc::quantize(c.data(), 2, 2, 22, true, l.data());
  CHECK_EQ(l[0], 1);
  vvc::quantize(c.data(), 2, 2, 22, false, l.data());
  CHECK_EQ(l[0], 0);
  c[0] = 214;  // 0.836 + 0.166 = 1.002 -> 1 for inter
  vvc::quantize(c.data(), 2, 2, 22, false, l.data());
  CHECK_EQ(l[0], 1);
  // Odd area (8x4): sqrt(2) scales with one less bit of shift.
  CHECK_EQ(vvc::quant_transform_shift(3, 2), 15 - 10 - 2 - 1);
  CHECK_EQ(vvc::quant_scale(3, 2, 27), 13107);  // qP 39 % 6 = 3, row 1
  // Quantize then dequantize lands within half a step for every size and many qps.
  for (int lw = 2; lw <= 6; ++lw)
    for (int lh = 2; lh <= 6; ++lh)
      for (int qp = -12; qp <= 40; qp += 13) {
        const int n = 1 << (lw + lh);
        std::vector<int32_t> cc(n, 0), ll(n), dd(n);
        cc[0] = 5000;
        cc[1] = -1234;
        vvc::quantize(cc.data(), lw, lh, qp, true, ll.data());
        vvc::dequantize(ll.data(), lw, lh, qp, dd.data());
        // Step in the coefficient domain: 2^qBits / scale (dequant is its inverse).
        const double step =
            double(1LL << vvc::quant_qbits(lw, lh, qp)) / vvc::quant_scale(lw, lh, qp);
        CHECK(std::abs(dd[0] - 5000) <= step * 0.67 + 2);
        CHECK(std::abs(dd[1] + 1234) <= step * 0.67 + 2);
      }
}

}  // namespace

// Dependent quantization (8.7.3 with sh_dep_quant_used_flag): qP + 1, bdShift + 1, and
// TransCoeffLevel = 2|l| - (QState > 1) with QState following the scan from the last level.
void test_dequantize_dep_quant() {
  // 16x16 qp 32 (qP + 1 = 45: levelScale[0][3] = 57, ls = 912 << 7 = 116736, bdShift
  // 10 + 4 - 5 + 1 = 10). Scan positions 0 (DC) and 2 = (1,0): the last level -2 (QState 0,
  // TransCoeffLevel -4, next QState 0), then DC 5 in QState 0: 10.
  std::vector<int32_t> l(256, 0), d(256, 0);
  l[1] = -2;
  l[0] = 5;
  vvc::dequantize(l.data(), 4, 4, 32, d.data(), true);
  CHECK_EQ(d[1], -456);  // (-4 * 116736 + 512) >> 10 = floor(-455.5)
  CHECK_EQ(d[0], 1140);  // (10 * 116736 + 512) >> 10 = 1140.5 -> 1140
  // Last level 1 at scan position 2: QState 0 -> 2, the zero at scan position 1 = (0,1)
  // moves it to 1, so the DC is in Q0 again: TransCoeffLevel 10.
  l[1] = 1;
  vvc::dequantize(l.data(), 4, 4, 32, d.data(), true);
  CHECK_EQ(d[1], 228);  // (2 * 116736 + 512) >> 10
  CHECK_EQ(d[0], 1140);
  // Last level 1 at scan position 1 = (0,1): the DC follows in QState 2 (Q1):
  // TransCoeffLevel 2 * 5 - 1 = 9.
  l[1] = 0;
  l[16] = 1;
  vvc::dequantize(l.data(), 4, 4, 32, d.data(), true);
  CHECK_EQ(d[16], 228);
  CHECK_EQ(d[0], 1026);  // (9 * 116736 + 512) >> 10 = 1026.5 -> 1026
}

int main() {
  test_dequantize();
  test_dequantize_dep_quant();
  test_quantize();
  TEST_MAIN_END();
}
