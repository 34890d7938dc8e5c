// Intra sample prediction tests: hand-worked planar / DC / pure horizontal and vertical blocks
// (PDPC included), an independent per-sample model of the H.266 8.4.5.2 equations for every
// mode on many block sizes (wide-angle ones included), and reference substitution with
// partial availability.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "check.h"
#include "intra/intra_pred.h"

using namespace vvc;

namespace {

int log2i(int v) {
  int n = 0;
  while ((1 << n) < v) ++n;
  return n;
}
int clip1(int v) {
  return v < 0 ? 0 : (v > 1023 ? 1023 : v);
}

// ---------------------------------------------------------------------------------------
// Independent model: a direct per-sample transcription of 8.4.5.2.7 / .10 / .11-.13 / .15 working
// on p[x][-1] and p[-1][y] (after substitution). Written from the spec text, not sharing code with
// the engine apart from the numeric tables.
struct SpecP {
  std::vector<int> t;  // t[x + 1] = p[x][-1], x = -1..refW-1
  std::vector<int> l;  // l[y + 1] = p[-1][y], y = -1..refH-1
  int operator()(int x, int y) const {
    if (y == -1) return t.at(x + 1);
    if (x == -1) return l.at(y + 1);
    std::abort();
  }
};

std::vector<int> spec_predict(const IntraRefs& r, int signalledMode) {
  const int nTbW = r.w, nTbH = r.h, refW = 2 * nTbW, refH = 2 * nTbH;
  const bool luma = r.cIdx == 0;
  SpecP p;
  for (int x = -1; x < refW; ++x) p.t.push_back(r.top[x + 1]);
  for (int y = -1; y < refH; ++y) p.l.push_back(r.left[y + 1]);

  // 8.4.5.2.7 wide angle mapping.
  int mode = signalledMode;
  const int whRatio = std::abs(log2i(nTbW) - log2i(nTbH));
  if (nTbW > nTbH && mode >= 2 && mode < ((whRatio > 1) ? (8 + 2 * whRatio) : 8)) mode += 65;
  if (nTbH > nTbW && mode <= 66 && mode > ((whRatio > 1) ? (60 - 2 * whRatio) : 60)) mode -= 67;
  const bool angular = mode != 0 && mode != 1;
  const int angle = angular ? intra_pred_angle(mode) : 0;
  // refFilterFlag: planar or an integer-slope angle (|angle| a multiple of 32).
  const bool refFilterFlag = mode == 0 || (angle != 0 && angle % 32 == 0);
  // 8.4.5.2.10 [1 2 1] filter when refIdx 0, nTbW*nTbH > 32, cIdx 0, no ISP, refFilterFlag.
  if (refFilterFlag && nTbW * nTbH > 32 && luma) {
    SpecP f = p;
    f.t[0] = f.l[0] = (p(-1, 0) + 2 * p(-1, -1) + p(0, -1) + 2) >> 2;
    for (int y = 0; y <= refH - 2; ++y)
      f.l[y + 1] = (p(-1, y + 1) + 2 * p(-1, y) + p(-1, y - 1) + 2) >> 2;
    for (int x = 0; x <= refW - 2; ++x)
      f.t[x + 1] = (p(x - 1, -1) + 2 * p(x, -1) + p(x + 1, -1) + 2) >> 2;
    p = f;
  }

  std::vector<int> pred(nTbW * nTbH);
  auto P = [&](int x, int y) -> int& { return pred[y * nTbW + x]; };
  if (mode == 0) {  // 8.4.5.2.11
    for (int y = 0; y < nTbH; ++y)
      for (int x = 0; x < nTbW; ++x) {
        const int v = ((nTbH - 1 - y) * p(x, -1) + (y + 1) * p(-1, nTbH)) << log2i(nTbW);
        const int hh = ((nTbW - 1 - x) * p(-1, y) + (x + 1) * p(nTbW, -1)) << log2i(nTbH);
        P(x, y) = (v + hh + nTbW * nTbH) >> (log2i(nTbW) + log2i(nTbH) + 1);
      }
  } else if (mode == 1) {  // 8.4.5.2.12
    int dc;
    int s = 0;
    if (nTbW == nTbH) {
      for (int i = 0; i < nTbW; ++i) s += p(i, -1) + p(-1, i);
      dc = (s + nTbW) >> (log2i(nTbW) + 1);
    } else if (nTbW > nTbH) {
      for (int i = 0; i < nTbW; ++i) s += p(i, -1);
      dc = (s + (nTbW >> 1)) >> log2i(nTbW);
    } else {
      for (int i = 0; i < nTbH; ++i) s += p(-1, i);
      dc = (s + (nTbH >> 1)) >> log2i(nTbH);
    }
    for (auto& v : pred) v = dc;
  } else {  // 8.4.5.2.13
    const int invAngle = angle ? (int)std::lround(512.0 * 32 / angle) : 0;
    bool filterFlag = false;
    if (!refFilterFlag) {
      const int minDistVerHor = std::min(std::abs(mode - 50), std::abs(mode - 18));
      const int nTbS = (log2i(nTbW) + log2i(nTbH)) >> 1;
      const int thres[7] = {0, 0, 24, 14, 2, 0, 0};
      filterFlag = minDistVerHor > thres[nTbS];
    }
    std::vector<int> refStore(3 * 128 + 16, -99999);
    int* ref = refStore.data() + 128;
    if (mode >= 34) {
      for (int x = 0; x <= nTbW + 1; ++x) ref[x] = p(-1 + x, -1);
      if (angle < 0) {
        for (int x = -nTbH; x <= -1; ++x)
          ref[x] = p(-1, -1 + std::min((x * invAngle + 256) >> 9, nTbH));
      } else {
        for (int x = nTbW + 2; x <= refW; ++x) ref[x] = p(-1 + x, -1);
        ref[refW + 1] = p(refW - 1, -1);
      }
      for (int x = 0; x < nTbW; ++x)
        for (int y = 0; y < nTbH; ++y) {
          const int iIdx = ((y + 1) * angle) >> 5, iFact = ((y + 1) * angle) & 31;
          if (luma) {
            const int8_t* fT = filterFlag ? kIntraFilterG[iFact] : kIntraFilterC[iFact];
            int s = 0;
            for (int i = 0; i < 4; ++i)
              if (fT[i]) s += fT[i] * ref[x + iIdx + i];
            P(x, y) = clip1((s + 32) >> 6);
          } else {
            P(x, y) = ((32 - iFact) * ref[x + iIdx + 1] + iFact * ref[x + iIdx + 2] + 16) >> 5;
          }
        }
    } else {
      for (int x = 0; x <= nTbH + 1; ++x) ref[x] = p(-1, -1 + x);
      if (angle < 0) {
        for (int x = -nTbW; x <= -1; ++x)
          ref[x] = p(-1 + std::min((x * invAngle + 256) >> 9, nTbW), -1);
      } else {
        for (int x = nTbH + 2; x <= refH; ++x) ref[x] = p(-1, -1 + x);
        ref[refH + 1] = p(-1, refH - 1);
      }
      for (int x = 0; x < nTbW; ++x)
        for (int y = 0; y < nTbH; ++y) {
          const int iIdx = ((x + 1) * angle) >> 5, iFact = ((x + 1) * angle) & 31;
          if (luma) {
            const int8_t* fT = filterFlag ? kIntraFilterG[iFact] : kIntraFilterC[iFact];
            int s = 0;
            for (int i = 0; i < 4; ++i)
              if (fT[i]) s += fT[i] * ref[y + iIdx + i];
            P(x, y) = clip1((s + 32) >> 6);
          } else {
            P(x, y) = ((32 - iFact) * ref[y + iIdx + 1] + iFact * ref[y + iIdx + 2] + 16) >> 5;
          }
        }
    }
  }

  // 8.4.5.2.15 PDPC: nTbW >= 4, nTbH >= 4, refIdx 0, no BDPCM; planar, DC, <= 18, >= 50.
  if (nTbW >= 4 && nTbH >= 4 && (mode == 0 || mode == 1 || mode <= 18 || mode >= 50)) {
    int nScale;
    const int invAngle = angle ? (int)std::lround(512.0 * 32 / angle) : 0;
    auto flog2 = [](int v) {
      int n = 0;
      while ((2 << n) <= v) ++n;
      return n;
    };
    if (mode > 50)
      nScale = std::min(2, log2i(nTbH) - flog2(3 * invAngle - 2) + 8);
    else if (mode < 18 && angular)
      nScale = std::min(2, log2i(nTbW) - flog2(3 * invAngle - 2) + 8);
    else
      nScale = (log2i(nTbW) + log2i(nTbH) - 2) >> 2;
    // 32 >> ((k << 1) >> nScale), with the mathematical result 0 for large shifts.
    auto wgt = [&](int k) {
      const int sh = (k << 1) >> nScale;
      return sh > 5 ? 0 : 32 >> sh;
    };
    const std::vector<int> pre = pred;
    for (int y = 0; y < nTbH; ++y)
      for (int x = 0; x < nTbW; ++x) {
        int refL = 0, refT = 0, wL = 0, wT = 0;
        const int ps = pre[y * nTbW + x];
        if (mode == 0 || mode == 1) {
          refL = p(-1, y);
          refT = p(x, -1);
          wT = wgt(y);
          wL = wgt(x);
        } else if (mode == 18 || mode == 50) {
          refL = p(-1, y) - p(-1, -1) + ps;
          refT = p(x, -1) - p(-1, -1) + ps;
          wT = (mode == 18) ? wgt(y) : 0;
          wL = (mode == 50) ? wgt(x) : 0;
        } else if (mode < 18 && nScale >= 0) {
          const int dXInt = ((y + 1) * invAngle + 256) >> 9;
          wT = wgt(y);
          if (wT) refT = p(x + dXInt, -1);
        } else if (mode > 50 && nScale >= 0) {
          const int dYInt = ((x + 1) * invAngle + 256) >> 9;
          wL = wgt(x);
          if (wL) refL = p(-1, y + dYInt);
        }
        P(x, y) = clip1((refL * wL + refT * wT + (64 - wL - wT) * ps + 32) >> 6);
      }
  }
  return pred;
}

// Fills refs (all samples available) from random data.
IntraRefs random_refs(std::mt19937& rng, int w, int h, int cIdx, bool smooth) {
  Plane pl(2 * w + 1 + 8, 2 * h + 1 + 8);
  std::uniform_int_distribution<int> d(0, 1023), s(-40, 40);
  int v = d(rng);
  for (int y = 0; y < pl.height; ++y)
    for (int x = 0; x < pl.width; ++x) {
      v = smooth ? clip1(v + s(rng)) : d(rng);
      pl.at(x, y) = static_cast<Pel>(v);
    }
  IntraRefs r;
  build_intra_refs(pl, 1, 1, w, h, cIdx, [](int, int) { return true; }, r);
  return r;
}

// Refs with given constant-free lines: top[1 + x] = T(x), left[1 + y] = L(y), corner c.
template <class TF, class LF>
IntraRefs make_refs(int w, int h, int cIdx, int corner, TF T, LF L) {
  Plane pl(2 * w + 1, 2 * h + 1);
  pl.at(0, 0) = static_cast<Pel>(corner);
  for (int x = 0; x < 2 * w; ++x) pl.at(1 + x, 0) = static_cast<Pel>(T(x));
  for (int y = 0; y < 2 * h; ++y) pl.at(0, 1 + y) = static_cast<Pel>(L(y));
  IntraRefs r;
  build_intra_refs(pl, 1, 1, w, h, cIdx, [](int, int) { return true; }, r);
  return r;
}

void test_hand_dc_4x4() {
  // top = 100, left = 200: DC = (4*100 + 4*200 + 4) >> 3 = 150. PDPC nScale = 0:
  // weights 32, 8, 2, 0 along x (wL) and y (wT).
  IntraRefs r = make_refs(4, 4, 0, 300, [](int) { return 100; }, [](int) { return 200; });
  Pel out[16];
  predict_from_refs(r, kIntraDc, out, 4);
  const int wgt[4] = {32, 8, 2, 0};
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) {
      const int expect = 150 + ((wgt[x] * (200 - 150) + wgt[y] * (100 - 150) + 32) >> 6);
      CHECK_EQ(out[y * 4 + x], expect);
    }
  CHECK_EQ(out[0], 150 + ((32 * 50 - 32 * 50 + 32) >> 6));  // 150
  CHECK_EQ(out[1], 150 + ((8 * 50 - 32 * 50 + 32) >> 6));   // -1168 >> 6 = -19 (floor)
  CHECK_EQ(out[1], 131);
  CHECK_EQ(out[15], 150);
}

void test_hand_dc_nonsquare() {
  // 16x4: DC averages the top (longer side) only. top = 0..15 step 4, left ignored.
  IntraRefs r = make_refs(16, 4, 1, 0, [](int x) { return 4 * x; }, [](int) { return 1000; });
  Pel out[64];
  predict_from_refs(r, kIntraDc, out, 16);
  // sum of 4*x for x<16 = 480; (480 + 8) >> 4 = 30. Row 3 beyond x >= 3<<nScale: nScale =
  // (4 + 2 - 2) >> 2 = 1, wT(3) = 32 >> 3 = 4, so check a sample with wL = wT = 0 is
  // impossible in 4 rows; check x = 8, y = 3 where wL = 0, wT = 4.
  CHECK_EQ(out[3 * 16 + 8], 30 + ((4 * (32 - 30) + 32) >> 6));
  CHECK_EQ(out[0], clip1(30 + ((32 * (1000 - 30) + 32 * (0 - 30) + 32) >> 6)));
}

void test_hand_planar_4x4() {
  // 4x4 (16 samples, no reference filtering). top[x] = 10*x + 100, topRight p[4][-1] = 400,
  // left[y] = 20*y + 500, bottomLeft p[-1][4] = 800.
  auto T = [](int x) { return x < 4 ? 10 * x + 100 : 400; };
  auto L = [](int y) { return y < 4 ? 20 * y + 500 : 800; };
  IntraRefs r = make_refs(4, 4, 0, 77, T, L);
  Pel out[16];
  predict_from_refs(r, kIntraPlanar, out, 4);
  const int wgt[4] = {32, 8, 2, 0};
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) {
      const int pv = ((3 - y) * T(x) + (y + 1) * 800) << 2;
      const int ph = ((3 - x) * L(y) + (x + 1) * 400) << 2;
      const int pl = (pv + ph + 16) >> 5;
      const int expect =
          clip1((L(y) * wgt[x] + T(x) * wgt[y] + (64 - wgt[x] - wgt[y]) * pl + 32) >> 6);
      CHECK_EQ(out[y * 4 + x], expect);
    }
  // Fully by hand, sample (3,3): predV = (0*130 + 4*800) << 2 = 12800,
  // predH = (0*560 + 4*400) << 2 = 6400, (12800 + 6400 + 16) >> 5 = 600; no PDPC weight.
  CHECK_EQ(out[15], 600);
}

void test_hand_planar_8x8_filtered() {
  // 8x8 = 64 > 32: planar uses the [1 2 1] filtered lines. A line that is linear keeps its
  // value except the ends; put a kink to see the filter: top = 100 except top[3] = 200.
  auto T = [](int x) { return x == 3 ? 200 : 100; };
  auto L = [](int) { return 100; };
  IntraRefs r = make_refs(8, 8, 0, 100, T, L);
  CHECK(r.hasFiltered);
  CHECK_EQ(r.topF[1 + 2], (100 + 2 * 100 + 200 + 2) >> 2);  // 125
  CHECK_EQ(r.topF[1 + 3], (100 + 2 * 200 + 100 + 2) >> 2);  // 150
  CHECK_EQ(r.topF[1 + 15], 100);                            // last sample unfiltered
  Pel out[64];
  predict_from_refs(r, kIntraPlanar, out, 8);
  // Sample (3, 7): predV = (0 * 150 + 8 * 100) << 3, predH = (4 * 100 + 4 * 100) << 3;
  // (6400 + 6400 + 64) >> 7 = 100; PDPC (nScale 1): wL(3) = 4, wT(7) = 0:
  // (100*4 + 60*100 + 32) >> 6 = 100. Sample (3, 0): predV = (7*150 + 100) << 3 = 9200,
  // predH = 6400 -> (15600 + 64) >> 7 = 122; PDPC wL = 4, wT = 32, refT = 150:
  // (4*100 + 32*150 + 28*122 + 32) >> 6 = 135.
  CHECK_EQ(out[7 * 8 + 3], 100);
  CHECK_EQ(out[0 * 8 + 3], 135);
  // Unfiltered would give predV = (7*200 + 100) << 3 = 12000 -> (18400 + 64) >> 7 = 144.
}

void test_hand_vertical_horizontal() {
  // 8x8 luma, mode 50: pred = top[x]; PDPC nScale = (3+3-2)>>2 = 1, wL = 32 >> x for x < 6:
  // pred += (wL * (left[y] - corner) + 32) >> 6.
  auto T = [](int x) { return 300 + 7 * x; };
  auto L = [](int y) { return 600 + 50 * y; };
  IntraRefs r = make_refs(8, 8, 0, 400, T, L);
  Pel out[64];
  predict_from_refs(r, kIntraVer, out, 8);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) {
      const int wL = x < 6 ? 32 >> x : 0;
      CHECK_EQ(out[y * 8 + x], clip1(T(x) + ((wL * (L(y) - 400) + 32) >> 6)));
    }
  CHECK_EQ(out[0], 300 + ((32 * 200 + 32) >> 6));  // 400
  CHECK_EQ(out[0], 400);
  predict_from_refs(r, kIntraHor, out, 8);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) {
      const int wT = y < 6 ? 32 >> y : 0;
      CHECK_EQ(out[y * 8 + x], clip1(L(y) + ((wT * (T(x) - 400) + 32) >> 6)));
    }
  // Clipping: a big jump in the side line pushes the PDPC term above 1023.
  IntraRefs c = make_refs(4, 4, 0, 0, [](int) { return 1000; }, [](int) { return 1023; });
  predict_from_refs(c, kIntraVer, out, 4);
  CHECK_EQ(out[0], 1023);  // 1000 + (32 * 1023 + 32) >> 6 = 1511 -> clipped
  // Chroma 4x4 also gets PDPC on 50 (cIdx != 0 allowed).
  IntraRefs cc = make_refs(4, 4, 1, 100, [](int) { return 200; }, [](int) { return 300; });
  predict_from_refs(cc, kIntraVer, out, 4);
  CHECK_EQ(out[0], 200 + ((32 * 200 + 32) >> 6));
  CHECK_EQ(out[3], 200);
}

void test_angle_tables() {
  CHECK_EQ(intra_pred_angle(2), 32);
  CHECK_EQ(intra_pred_angle(18), 0);
  CHECK_EQ(intra_pred_angle(19), -1);
  CHECK_EQ(intra_pred_angle(34), -32);
  CHECK_EQ(intra_pred_angle(35), -29);
  CHECK_EQ(intra_pred_angle(49), -1);
  CHECK_EQ(intra_pred_angle(50), 0);
  CHECK_EQ(intra_pred_angle(66), 32);
  CHECK_EQ(intra_pred_angle(67), 35);
  CHECK_EQ(intra_pred_angle(80), 512);
  CHECK_EQ(intra_pred_angle(-1), 35);
  CHECK_EQ(intra_pred_angle(-14), 512);
  CHECK_EQ(intra_inv_angle(-32), -512);
  CHECK_EQ(intra_inv_angle(3), 5461);
  CHECK_EQ(intra_inv_angle(171), 96);
  CHECK_EQ(intra_inv_angle(341), 48);
  for (int p = 0; p < 32; ++p) {
    int sc = 0, sg = 0;
    for (int i = 0; i < 4; ++i) sc += kIntraFilterC[p][i], sg += kIntraFilterG[p][i];
    CHECK_EQ(sc, 64);
    CHECK_EQ(sg, 64);
  }
  // Wide angle mapping (8.4.5.2.7).
  CHECK_EQ(intra_wide_angle_mode(2, 8, 4), 67);
  CHECK_EQ(intra_wide_angle_mode(7, 8, 4), 72);
  CHECK_EQ(intra_wide_angle_mode(8, 8, 4), 8);
  CHECK_EQ(intra_wide_angle_mode(11, 16, 4), 76);
  CHECK_EQ(intra_wide_angle_mode(12, 16, 4), 12);
  CHECK_EQ(intra_wide_angle_mode(66, 4, 8), -1);
  CHECK_EQ(intra_wide_angle_mode(61, 4, 8), -6);
  CHECK_EQ(intra_wide_angle_mode(60, 4, 8), 60);
  CHECK_EQ(intra_wide_angle_mode(57, 4, 16), -10);
  CHECK_EQ(intra_wide_angle_mode(56, 4, 16), 56);
  CHECK_EQ(intra_wide_angle_mode(59, 8, 32), -8);
  CHECK_EQ(intra_wide_angle_mode(2, 64, 4), 67);
  CHECK_EQ(intra_wide_angle_mode(15, 64, 4), 80);
  CHECK_EQ(intra_wide_angle_mode(0, 64, 4), 0);
  CHECK_EQ(intra_wide_angle_mode(2, 8, 8), 2);
}

void test_against_model() {
  std::mt19937 rng(1234);
  const int lumaSizes[][2] = {{4, 4},   {8, 8},   {16, 16}, {32, 32}, {64, 64}, {4, 8},   {8, 4},
                              {16, 4},  {4, 16},  {8, 32},  {32, 8},  {64, 4},  {4, 64},  {16, 8},
                              {8, 16},  {32, 4},  {4, 32},  {64, 16}, {16, 64}, {64, 32}, {32, 64},
                              {16, 32}, {32, 16}, {8, 64},  {64, 8}};
  // Chroma includes the dual-tree sizes 2 samples high (BT_H of Nx4, TT_H of Nx8, N >= 8).
  const int chromaSizes[][2] = {{4, 4},  {8, 8},  {16, 16}, {32, 32}, {4, 8},  {8, 4},
                                {16, 4}, {4, 16}, {8, 32},  {32, 8},  {32, 4}, {4, 32},
                                {16, 8}, {8, 16}, {8, 2},   {16, 2},  {32, 2}};
  int mismatches = 0, blocks = 0;
  for (int cIdx = 0; cIdx < 2; ++cIdx) {
    const auto* sizes = cIdx ? chromaSizes : lumaSizes;
    const int n = cIdx ? std::size(chromaSizes) : std::size(lumaSizes);
    for (int s = 0; s < n; ++s) {
      const int w = sizes[s][0], h = sizes[s][1];
      for (int trial = 0; trial < 4; ++trial) {
        IntraRefs r = random_refs(rng, w, h, cIdx, trial & 1);
        std::vector<Pel> out(w * h);
        for (int mode = 0; mode <= 66; ++mode) {
          predict_from_refs(r, mode, out.data(), w);
          const std::vector<int> ref = spec_predict(r, mode);
          ++blocks;
          bool same = true;
          for (int i = 0; i < w * h; ++i) same &= out[i] == ref[i];
          if (!same && mismatches++ < 10)
            std::fprintf(stderr, "model mismatch cIdx %d %dx%d mode %d trial %d\n", cIdx, w, h,
                         mode, trial);
        }
      }
    }
  }
  CHECK_EQ(mismatches, 0);
  CHECK(blocks > 5000);
}

void test_model_detects_a_wrong_filter() {
  // Sanity check that the model comparison can fail: mode 3 on 32x32 luma uses fG (minDist
  // 15 > 0); predicting it as chroma (2-tap) must differ from the luma model.
  std::mt19937 rng(7);
  IntraRefs r = random_refs(rng, 32, 32, 0, false);
  IntraRefs rc = r;
  rc.cIdx = 1;
  std::vector<Pel> out(32 * 32);
  predict_from_refs(rc, 3, out.data(), 32);
  const std::vector<int> ref = spec_predict(r, 3);
  int diff = 0;
  for (int i = 0; i < 32 * 32; ++i) diff += out[i] != ref[i];
  CHECK(diff > 0);
}

// Picture-level: availability, substitution, call granularity.
void test_substitution() {
  Plane pl(64, 64);
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x) pl.at(x, y) = static_cast<Pel>((x * 13 + y * 29) & 1023);

  // Block 8x8 at (16, 16): top available for x < 28 (the first 12 of 16), left for y < 24
  // (the first 8 of 16), corner available.
  int calls = 0;
  auto avail = [&](int x, int y) {
    ++calls;
    if (y == 15 && x >= 15) return x < 28;
    if (x == 15) return y < 24;
    return false;
  };
  IntraRefs r;
  build_intra_refs(pl, 16, 16, 8, 8, 0, avail, r);
  CHECK_EQ(calls, 1 + 4 + 4);  // corner + 16/4 top + 16/4 left
  CHECK_EQ(r.top[0], pl.at(15, 15));
  CHECK_EQ(r.left[0], pl.at(15, 15));
  for (int x = 0; x < 12; ++x) CHECK_EQ(r.top[1 + x], pl.at(16 + x, 15));
  for (int x = 12; x < 16; ++x) CHECK_EQ(r.top[1 + x], pl.at(27, 15));
  for (int y = 0; y < 8; ++y) CHECK_EQ(r.left[1 + y], pl.at(15, 16 + y));
  for (int y = 8; y < 16; ++y) CHECK_EQ(r.left[1 + y], pl.at(15, 23));

  // Nothing available: every reference is 1 << (bitDepth - 1).
  IntraRefs n;
  build_intra_refs(pl, 0, 0, 16, 8, 0, [](int, int) { return false; }, n);
  for (int i = 0; i <= 32; ++i) CHECK_EQ(n.top[i], 512);
  for (int i = 0; i <= 16; ++i) CHECK_EQ(n.left[i], 512);
  Pel out[16 * 8];
  predict_from_refs(n, 34, out, 16);
  CHECK_EQ(out[5 * 16 + 7], 512);

  // Left and corner missing, top available (block at the left picture edge): the walk's
  // first available sample is p[0][-1]; it fills the whole left column and the corner.
  IntraRefs t;
  build_intra_refs(pl, 0, 8, 4, 4, 0, [](int x, int y) { return x >= 0 && y >= 0; }, t);
  for (int i = 0; i <= 8; ++i) CHECK_EQ(t.left[i], pl.at(0, 7));
  for (int x = 0; x < 8; ++x) CHECK_EQ(t.top[1 + x], pl.at(x, 7));

  // Only the left column available (top row of the picture): corner = p[-1][0] (walk
  // upward), the top row copies the corner.
  IntraRefs l;
  build_intra_refs(pl, 8, 0, 4, 4, 0, [](int x, int y) { return x >= 0 && y >= 0 && y < 4; }, l);
  for (int y = 0; y < 4; ++y) CHECK_EQ(l.left[1 + y], pl.at(7, y));
  for (int y = 4; y < 8; ++y) CHECK_EQ(l.left[1 + y], pl.at(7, 3));
  CHECK_EQ(l.left[0], pl.at(7, 0));
  for (int i = 0; i <= 8; ++i) CHECK_EQ(l.top[i], pl.at(7, 0));

  // Bottom-left and corner missing, left and top present: corner = p[-1][0].
  IntraRefs m;
  build_intra_refs(
      pl, 8, 8, 4, 4, 0, [](int x, int y) { return !(x == 7 && y == 7) && !(x == 7 && y >= 12); },
      m);
  CHECK_EQ(m.left[0], pl.at(7, 8));
  CHECK_EQ(m.top[0], pl.at(7, 8));
  CHECK_EQ(m.left[5], pl.at(7, 11));
  CHECK_EQ(m.left[8], pl.at(7, 11));
  CHECK_EQ(m.top[8], pl.at(15, 7));

  // Chroma granularity: one call per 2 samples.
  calls = 0;
  IntraRefs c;
  build_intra_refs(
      pl, 8, 8, 4, 4, 1,
      [&](int, int) {
        ++calls;
        return true;
      },
      c);
  CHECK_EQ(calls, 1 + 4 + 4);
  CHECK(!c.hasFiltered);

  // intra_predict == build + predict, with a stride.
  Pel a[8 * 20], b[8 * 20];
  auto all = [](int x, int y) {
    return x >= 0 && y >= 0 && x < 64 && y < 64 && (y < 16 || x < 16);
  };
  intra_predict(pl, 16, 16, 8, 8, 0, 40, all, a, 20);
  IntraRefs q;
  build_intra_refs(pl, 16, 16, 8, 8, 0, all, q);
  predict_from_refs(q, 40, b, 20);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) CHECK_EQ(a[y * 20 + x], b[y * 20 + x]);
}

// Random (also non-prefix) availability patterns against a literal transcription of the
// 8.4.5.2.9 substitution walk on a 2-D p[x][y] map.
void test_substitution_random() {
  std::mt19937 rng(4321);
  Plane pl(128, 128);
  for (auto& v : pl.data) v = static_cast<Pel>(rng() & 1023);
  for (int trial = 0; trial < 400; ++trial) {
    const int cIdx = trial & 1;
    const int unit = cIdx ? 2 : 4;
    const int w = 4 << (rng() % 4), h = 4 << (rng() % 4);
    const int x0 = 8 + unit * (rng() % 8), y0 = 8 + unit * (rng() % 8);
    const unsigned mode = rng() % 4;  // 0 random units, 1 none, 2 all, 3 prefix
    const int cutT = unit * (rng() % 40), cutL = unit * (rng() % 40);
    const unsigned seed = rng();
    auto avail = [&](int x, int y) {
      if (mode == 1) return false;
      if (mode == 2) return true;
      if (mode == 3) return (y == y0 - 1 && x < x0 + cutT) || (x == x0 - 1 && y < y0 + cutL);
      const unsigned hsh = (static_cast<unsigned>(x / unit) * 73856093u) ^
                           (static_cast<unsigned>(y / unit) * 19349663u) ^ seed;
      return ((hsh >> 7) % 3) != 0;
    };
    IntraRefs r;
    build_intra_refs(pl, x0, y0, w, h, cIdx, avail, r);
    // Spec walk.
    const int refW = 2 * w, refH = 2 * h;
    std::vector<int> pv(static_cast<size_t>((refW + 1) * (refH + 1)), -1);
    auto P = [&](int x, int y) -> int& {
      return pv[static_cast<size_t>((y + 1) * (refW + 1) + (x + 1))];
    };
    // Availability is uniform per (aligned) unit of the line: ask at the unit's start.
    auto ok = [&](int x, int y) {
      const int ax = x0 + x, ay = y0 + y;
      if (y == -1 && x >= 0) return avail(ax - ax % unit, ay);
      if (x == -1 && y >= 0) return avail(ax, ay - ay % unit);
      return avail(ax, ay);
    };
    int nAvail = 0;
    for (int y = -1; y < refH; ++y)
      if (ok(-1, y)) P(-1, y) = pl.at(x0 - 1, y0 + y), ++nAvail;
    for (int x = 0; x < refW; ++x)
      if (ok(x, -1)) P(x, -1) = pl.at(x0 + x, y0 - 1), ++nAvail;
    if (nAvail == 0) {
      for (int y = -1; y < refH; ++y) P(-1, y) = 512;
      for (int x = 0; x < refW; ++x) P(x, -1) = 512;
    } else {
      if (P(-1, refH - 1) < 0) {
        int found = -1;
        for (int y = refH - 1; y >= -1 && found < 0; --y)
          if (P(-1, y) >= 0) found = P(-1, y);
        for (int x = 0; x < refW && found < 0; ++x)
          if (P(x, -1) >= 0) found = P(x, -1);
        P(-1, refH - 1) = found;
      }
      for (int y = refH - 2; y >= -1; --y)
        if (P(-1, y) < 0) P(-1, y) = P(-1, y + 1);
      for (int x = 0; x < refW; ++x)
        if (P(x, -1) < 0) P(x, -1) = P(x - 1, -1);
    }
    bool same = r.top[0] == P(-1, -1) && r.left[0] == P(-1, -1);
    for (int x = 0; x < refW; ++x) same &= r.top[1 + x] == P(x, -1);
    for (int y = 0; y < refH; ++y) same &= r.left[1 + y] == P(-1, y);
    CHECK(same);
  }
}

}  // namespace

int main() {
  test_angle_tables();
  test_hand_dc_4x4();
  test_hand_dc_nonsquare();
  test_hand_planar_4x4();
  test_hand_planar_8x8_filtered();
  test_hand_vertical_horizontal();
  test_against_model();
  test_model_detects_a_wrong_filter();
  test_substitution();
  test_substitution_random();
  TEST_MAIN_END();
}
