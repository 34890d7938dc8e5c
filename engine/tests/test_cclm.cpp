// CCLM (H.266 8.4.5.2.14) against an independent, literal implementation of the clause:
// padded pY array (unavailable sides substituted), pDsY of every block and neighbour position,
// pickPos, the 4-point min/max by the spec's swaps, divSigTable / shifts. Plus known answers
// worked out by hand from the formulas, and properties (the model approximates the slope).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "check.h"
#include "intra/cclm.h"

using namespace vvc;

namespace {

// ---- the reference: one function, spec variable names, nothing shared with intra/cclm.cpp ----
struct RefOut {
  std::vector<int> pred;
  int a[2] = {0, 0}, b[2] = {0, 0}, k[2] = {0, 0};
  bool dflt = false;
};

RefOut reference(const Plane& lumaPic, const Plane* chromaPic[2], const CclmBlock& blk, int mode) {
  const int nTbW = blk.w, nTbH = blk.h, xTbC = blk.x, yTbC = blk.y;
  const int xTbY = 2 * xTbC, yTbY = 2 * yTbC;
  const bool availT = blk.avail_t, availL = blk.avail_l;
  RefOut out;
  out.pred.assign(static_cast<size_t>(2 * nTbW * nTbH), 0);
  // numSampT / numSampL (numTopRight / numLeftBelow folded into num_top / num_left).
  int numSampT, numSampL;
  if (mode == 81) {
    numSampT = availT ? nTbW : 0;
    numSampL = availL ? nTbH : 0;
  } else {
    numSampT = (availT && mode == 83) ? blk.num_top : 0;
    numSampL = (availL && mode == 82) ? blk.num_left : 0;
  }
  if (numSampT == 0 && numSampL == 0) {
    out.dflt = true;
    for (auto& v : out.pred) v = 512;
    return out;
  }
  // pY over x = -3 .. 2*(nTbW + numSampT) + 1, y = -3 .. 2*(nTbH + numSampL) + 1.
  const int X0 = 3, Y0 = 3;
  const int W = 2 * (2 * nTbW + 2) + 8, H = 2 * (2 * nTbH + 2) + 8;
  std::vector<int> pY(static_cast<size_t>(W * H), -100000);  // poison: unread positions
  auto Y = [&](int x, int y) -> int& { return pY[static_cast<size_t>((y + Y0) * W + x + X0)]; };
  for (int y = 0; y < 2 * nTbH; ++y)
    for (int x = 0; x < 2 * nTbW; ++x) Y(x, y) = lumaPic.at(xTbY + x, yTbY + y);
  if (availL)
    for (int y = -3; y < 2 * std::max(nTbH, numSampL); ++y)
      for (int x = -3; x < 0; ++x)
        if (yTbY + y >= 0) Y(x, y) = lumaPic.at(xTbY + x, yTbY + y);
  if (availT)
    for (int y = -3; y < 0; ++y)
      for (int x = -1; x < 2 * std::max(nTbW, numSampT) + 1; ++x)
        if (yTbY + y >= 0 && xTbY + x >= 0 && xTbY + x < lumaPic.width)
          Y(x, y) = lumaPic.at(xTbY + x, yTbY + y);
  // Substitution of unavailable sides (block rows / columns repeated outwards).
  if (!availL)
    for (int y = -3; y < 2 * nTbH; ++y)
      for (int x = -3; x < 0; ++x) Y(x, y) = Y(0, y);
  if (!availT)
    for (int y = -3; y < 0; ++y)
      for (int x = -3; x < 2 * nTbW; ++x) Y(x, y) = Y(x, 0);
  const bool vcol = blk.vertical_collocated;
  auto ds = [&](int x, int y) {  // pDsY at chroma position (x, y) inside the block
    const int cx = 2 * x, cy = 2 * y;
    if (vcol)
      return (Y(cx, cy - 1) + Y(cx - 1, cy) + 4 * Y(cx, cy) + Y(cx + 1, cy) + Y(cx, cy + 1) + 4) >>
             3;
    return (Y(cx - 1, cy) + Y(cx - 1, cy + 1) + 2 * Y(cx, cy) + 2 * Y(cx, cy + 1) + Y(cx + 1, cy) +
            Y(cx + 1, cy + 1) + 4) >>
           3;
  };
  auto dsTop = [&](int x) {  // pDsY[x][-1]
    const int cx = 2 * x;
    const int l1 = (x == 0 && !availL) ? Y(0, -1) : Y(cx - 1, -1);
    const int l2 = (x == 0 && !availL) ? Y(0, -2) : Y(cx - 1, -2);
    if (blk.ctu_top) return (l1 + 2 * Y(cx, -1) + Y(cx + 1, -1) + 2) >> 2;
    if (vcol) return (Y(cx, -3) + l2 + 4 * Y(cx, -2) + Y(cx + 1, -2) + Y(cx, -1) + 4) >> 3;
    return (l2 + l1 + 2 * Y(cx, -2) + 2 * Y(cx, -1) + Y(cx + 1, -2) + Y(cx + 1, -1) + 4) >> 3;
  };
  auto dsLeft = [&](int y) {  // pDsY[-1][y]
    const int cy = 2 * y;
    if (vcol) {
      const int t = (y == 0 && !availT) ? Y(-2, 0) : Y(-2, cy - 1);
      return (Y(-3, cy) + t + 4 * Y(-2, cy) + Y(-1, cy) + Y(-2, cy + 1) + 4) >> 3;
    }
    return (Y(-3, cy) + Y(-3, cy + 1) + 2 * Y(-2, cy) + 2 * Y(-2, cy + 1) + Y(-1, cy) +
            Y(-1, cy + 1) + 4) >>
           3;
  };
  // cntN, pickPosN.
  const int numIs4N = (availT && availL && mode == 81) ? 0 : 1;
  int cntT = 0, cntL = 0, pickPosT[4], pickPosL[4];
  if (numSampT) {
    const int startPosN = numSampT >> (2 + numIs4N);
    const int pickStepN = std::max(1, numSampT >> (1 + numIs4N));
    cntT = std::min(numSampT, (1 + numIs4N) << 1);
    for (int pos = 0; pos < cntT; ++pos) pickPosT[pos] = startPosN + pos * pickStepN;
  }
  if (numSampL) {
    const int startPosN = numSampL >> (2 + numIs4N);
    const int pickStepN = std::max(1, numSampL >> (1 + numIs4N));
    cntL = std::min(numSampL, (1 + numIs4N) << 1);
    for (int pos = 0; pos < cntL; ++pos) pickPosL[pos] = startPosN + pos * pickStepN;
  }
  for (int comp = 0; comp < 2; ++comp) {
    const Plane& C = *chromaPic[comp];
    int pSelDsY[4], pSelC[4];
    int idx = 0;
    for (int i = 0; i < cntT; ++i, ++idx) {
      pSelDsY[idx] = dsTop(pickPosT[i]);
      pSelC[idx] = C.at(xTbC + pickPosT[i], yTbC - 1);
    }
    for (int i = 0; i < cntL; ++i, ++idx) {
      pSelDsY[idx] = dsLeft(pickPosL[i]);
      pSelC[idx] = C.at(xTbC - 1, yTbC + pickPosL[i]);
    }
    if (cntT + cntL == 2) {
      pSelDsY[3] = pSelDsY[0];
      pSelC[3] = pSelC[0];
      pSelDsY[2] = pSelDsY[1];
      pSelC[2] = pSelC[1];
      pSelDsY[0] = pSelDsY[1];
      pSelC[0] = pSelC[1];
      pSelDsY[1] = pSelDsY[3];
      pSelC[1] = pSelC[3];
    }
    int minGrpIdx[2] = {0, 2}, maxGrpIdx[2] = {1, 3};
    auto sw = [](int& p, int& q) {
      const int t = p;
      p = q;
      q = t;
    };
    if (pSelDsY[minGrpIdx[0]] > pSelDsY[minGrpIdx[1]]) sw(minGrpIdx[0], minGrpIdx[1]);
    if (pSelDsY[maxGrpIdx[0]] > pSelDsY[maxGrpIdx[1]]) sw(maxGrpIdx[0], maxGrpIdx[1]);
    if (pSelDsY[minGrpIdx[0]] > pSelDsY[maxGrpIdx[1]]) {
      sw(minGrpIdx[0], maxGrpIdx[0]);
      sw(minGrpIdx[1], maxGrpIdx[1]);
    }
    if (pSelDsY[minGrpIdx[1]] > pSelDsY[maxGrpIdx[0]]) sw(minGrpIdx[1], maxGrpIdx[0]);
    const int maxY = (pSelDsY[maxGrpIdx[0]] + pSelDsY[maxGrpIdx[1]] + 1) >> 1;
    const int maxC = (pSelC[maxGrpIdx[0]] + pSelC[maxGrpIdx[1]] + 1) >> 1;
    const int minY = (pSelDsY[minGrpIdx[0]] + pSelDsY[minGrpIdx[1]] + 1) >> 1;
    const int minC = (pSelC[minGrpIdx[0]] + pSelC[minGrpIdx[1]] + 1) >> 1;
    static const int divSigTable[16] = {0, 7, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 0};
    const int diff = maxY - minY;
    int a, b, k;
    if (diff != 0) {
      const int diffC = maxC - minC;
      int x = static_cast<int>(std::floor(std::log2(static_cast<double>(diff))));
      const int normDiff = ((diff << 4) >> x) & 15;
      x += (normDiff != 0) ? 1 : 0;
      const int y =
          std::abs(diffC) > 0 ? static_cast<int>(std::floor(std::log2(std::abs(diffC)))) + 1 : 0;
      a = (diffC * (divSigTable[normDiff] | 8) + (y > 0 ? 1 << (y - 1) : 0)) >> y;
      k = ((3 + x - y) < 1) ? 1 : 3 + x - y;
      a = ((3 + x - y) < 1) ? (a > 0 ? 1 : (a < 0 ? -1 : 0)) * 15 : a;
      b = minC - ((a * minY) >> k);
    } else {
      k = 0;
      a = 0;
      b = minC;
    }
    out.a[comp] = a;
    out.b[comp] = b;
    out.k[comp] = k;
    for (int y = 0; y < nTbH; ++y)
      for (int x = 0; x < nTbW; ++x)
        out.pred[static_cast<size_t>(comp * nTbW * nTbH + y * nTbW + x)] =
            std::clamp(((ds(x, y) * a) >> k) + b, 0, 1023);
  }
  return out;
}

// A picture with correlated luma / chroma (chroma = linear function of local luma + noise),
// so the models are non-trivial; `flat` makes luma constant.
struct Scene {
  Plane luma, cb, cr;
  Scene(int w, int h, unsigned seed, int kind) : luma(w, h), cb(w / 2, h / 2), cr(w / 2, h / 2) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> noise(-20, 20), any(0, 1023);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        luma.at(x, y) =
            static_cast<Pel>(kind == 1   ? 600
                             : kind == 2 ? any(rng)
                                         : std::clamp(300 + 3 * x + 2 * y + noise(rng), 0, 1023));
    for (int y = 0; y < h / 2; ++y)
      for (int x = 0; x < w / 2; ++x) {
        const int l = luma.at(2 * x, 2 * y);
        cb.at(x, y) =
            static_cast<Pel>(kind == 2 ? any(rng) : std::clamp(800 - l / 2 + noise(rng), 0, 1023));
        cr.at(x, y) =
            static_cast<Pel>(kind == 2 ? any(rng) : std::clamp(100 + l / 3 + noise(rng), 0, 1023));
      }
  }
};

int g_cases = 0;

void compare(const Scene& s, const CclmBlock& b, int mode) {
  const Plane* chroma[2] = {&s.cb, &s.cr};
  const RefOut r = reference(s.luma, chroma, b, mode);
  bool same = true;
  for (int comp = 0; comp < 2; ++comp) {
    Pel dst[32 * 32];
    cclm_predict(s.luma, *chroma[comp], b, mode, dst, 32);
    for (int y = 0; y < b.h; ++y)
      for (int x = 0; x < b.w; ++x)
        same &= dst[y * 32 + x] == r.pred[static_cast<size_t>(comp * b.w * b.h + y * b.w + x)];
  }
  if (!same)
    std::fprintf(stderr,
                 "mismatch: block %dx%d at (%d,%d) mode %d T%d L%d nt %d nl %d ctu %d vc %d\n", b.w,
                 b.h, b.x, b.y, mode, b.avail_t, b.avail_l, b.num_top, b.num_left, b.ctu_top,
                 b.vertical_collocated);
  CHECK(same);
  ++g_cases;
}

void random_against_reference() {
  const int sizes[][2] = {{4, 4},  {8, 2},  {8, 4},  {4, 8},   {16, 16}, {32, 32},
                          {32, 8}, {4, 16}, {16, 2}, {32, 16}, {2, 8},   {8, 32}};
  std::mt19937 rng(7);
  for (int kind = 0; kind < 3; ++kind) {
    const Scene s(192, 192, 11u + static_cast<unsigned>(kind), kind);
    for (const auto& sz : sizes)
      for (int rep = 0; rep < 12; ++rep) {
        CclmBlock b;
        b.w = sz[0];
        b.h = sz[1];
        // Block position in chroma samples, multiples of 2, room for the neighbours.
        b.x = 2 * static_cast<int>(rng() % 4) + (rep % 3 == 0 ? 0 : 16);
        b.y = 2 * static_cast<int>(rng() % 4) + (rep % 4 == 0 ? 0 : 16);
        b.avail_t = b.y > 0 && rng() % 4 != 0;
        b.avail_l = b.x > 0 && rng() % 4 != 0;
        const int targetT = b.w + std::min(b.w, b.h), targetL = b.h + std::min(b.w, b.h);
        b.num_top =
            b.avail_t ? std::min(targetT, b.w + 2 * static_cast<int>(rng() % (b.w + 1))) : 0;
        b.num_left =
            b.avail_l ? std::min(targetL, b.h + 2 * static_cast<int>(rng() % (b.h + 1))) : 0;
        b.ctu_top = rng() % 3 == 0 || b.y == 1;
        if (b.y < 2) b.ctu_top = true;  // only one luma row above exists
        b.vertical_collocated = rep % 2 == 1;
        for (int mode = kIntraLtCclm; mode <= kIntraTCclm; ++mode) compare(s, b, mode);
      }
  }
}

void known_answers() {
  // Pick positions by hand from the pickPos equations.
  CclmBlock b;
  b.w = 8;
  b.h = 4;
  b.avail_t = b.avail_l = true;
  b.num_top = 12;
  b.num_left = 8;
  CclmPick p;
  CHECK(cclm_pick(b, kIntraLtCclm, p));
  // LT, both sides: numIs4N 0; T: start 8>>2 = 2, step 8>>1 = 4 -> {2, 6}; L: {1, 3}.
  CHECK_EQ(p.cnt_t, 2);
  CHECK_EQ(p.cnt_l, 2);
  CHECK_EQ(p.pos_t[0], 2);
  CHECK_EQ(p.pos_t[1], 6);
  CHECK_EQ(p.pos_l[0], 1);
  CHECK_EQ(p.pos_l[1], 3);
  // T: numSampT 12 (w + numTopRight): start 12>>3 = 1, step 12>>2 = 3 -> {1, 4, 7, 10}.
  CHECK(cclm_pick(b, kIntraTCclm, p));
  CHECK_EQ(p.cnt_t, 4);
  CHECK_EQ(p.cnt_l, 0);
  CHECK_EQ(p.pos_t[0], 1);
  CHECK_EQ(p.pos_t[3], 10);
  // L: numSampL 8: start 1, step 2 -> {1, 3, 5, 7}.
  CHECK(cclm_pick(b, kIntraLCclm, p));
  CHECK_EQ(p.cnt_l, 4);
  CHECK_EQ(p.pos_l[3], 7);
  // LT with the top only: numIs4N 1 -> 4 top points {1, 3, 5, 7}.
  b.avail_l = false;
  CHECK(cclm_pick(b, kIntraLtCclm, p));
  CHECK_EQ(p.cnt_t, 4);
  CHECK_EQ(p.cnt_l, 0);
  CHECK_EQ(p.pos_t[0], 1);
  CHECK_EQ(p.pos_t[1], 3);
  // L mode with no left side: nothing selected (prediction 512).
  CHECK(!cclm_pick(b, kIntraLCclm, p));
  // 8x2 LT with only the left side: 2 points at {0, 1} (the duplication case).
  b.w = 8;
  b.h = 2;
  b.avail_t = false;
  b.avail_l = true;
  CHECK(cclm_pick(b, kIntraLtCclm, p));
  CHECK_EQ(p.cnt_l, 2);
  CHECK_EQ(p.pos_l[0], 0);
  CHECK_EQ(p.pos_l[1], 1);

  // Model by hand: min (100, 50), max (300, 150): diff 200 -> x 7, normDiff 9, x 8;
  // diffC 100 -> y 7; a = (100 * (2 | 8) + 64) >> 7 = 8; k = 3 + 8 - 7 = 4; b = 50 - 50 = 0.
  {
    const int sy[4] = {100, 300, 100, 300}, sc[4] = {50, 150, 50, 150};
    const CclmModel m = cclm_model(sy, sc, 4);
    CHECK_EQ(m.a, 8);
    CHECK_EQ(m.k, 4);
    CHECK_EQ(m.b, 0);
  }
  // Flat luma: a = 0, k = 0, b = the averaged minC.
  {
    const int sy[4] = {500, 500, 500, 500}, sc[4] = {10, 20, 30, 41};
    const CclmModel m = cclm_model(sy, sc, 4);
    CHECK_EQ(m.a, 0);
    CHECK_EQ(m.k, 0);
    CHECK_EQ(m.b, 20);  // min group {0, 2} -> (10 + 30 + 1) >> 1
  }
  // Steep slope (3 + x - y < 1): a = sign * 15, k = 1. diff 1, diffC -600 -> a -15.
  {
    const int sy[4] = {400, 401, 400, 401}, sc[4] = {900, 300, 900, 300};
    const CclmModel m = cclm_model(sy, sc, 4);
    CHECK_EQ(m.a, -15);
    CHECK_EQ(m.k, 1);
    CHECK_EQ(m.b, 900 - ((-15 * 400) >> 1));
  }
  // Two points are duplicated to {1, 0, 1, 0}: same model as that 4-point selection.
  {
    const int sy2[2] = {700, 200}, sc2[2] = {333, 111};
    const int sy4[4] = {200, 700, 200, 700}, sc4[4] = {111, 333, 111, 333};
    const CclmModel m2 = cclm_model(sy2, sc2, 2), m4 = cclm_model(sy4, sc4, 4);
    CHECK_EQ(m2.a, m4.a);
    CHECK_EQ(m2.b, m4.b);
    CHECK_EQ(m2.k, m4.k);
  }
  // The division table approximates the slope: |a / 2^k - diffC / diff| within 1/8 relative
  // (+ the rounding of a) for every diff in 1..1023 and a spread of diffC.
  int bad = 0;
  for (int diff = 1; diff < 1024; ++diff)
    for (int diffC = -1000; diffC <= 1000; diffC += 37) {
      const int sy[4] = {0, diff, 0, diff}, sc[4] = {100, 100 + diffC, 100, 100 + diffC};
      const CclmModel m = cclm_model(sy, sc, 4);
      const double slope = static_cast<double>(diffC) / diff;
      if (std::abs(slope) >= 2) continue;  // the clamp (a = +-15, k = 1) may apply
      const double got = m.a / std::pow(2.0, m.k);
      if (std::abs(got - slope) > std::abs(slope) / 8 + 1.0 / (1 << std::max(m.k, 0)) + 1e-9) {
        if (bad < 5)
          std::fprintf(stderr, "diff %d diffC %d: a %d k %d got %f want %f\n", diff, diffC, m.a,
                       m.k, got, slope);
        ++bad;
      }
    }
  CHECK_EQ(bad, 0);
}

void unavailable_neighbours() {
  const Scene s(64, 64, 3, 0);
  CclmBlock b;
  b.x = 8;
  b.y = 8;
  b.w = b.h = 8;
  // Neither side: every mode predicts 1 << (BitDepth - 1).
  for (int mode = kIntraLtCclm; mode <= kIntraTCclm; ++mode) {
    Pel dst[8 * 8];
    cclm_predict(s.luma, s.cb, b, mode, dst, 8);
    for (int i = 0; i < 64; ++i) CHECK_EQ(dst[i], 512);
  }
  // T mode with only the left side, L mode with only the top: 512 as well.
  b.avail_l = true;
  b.num_left = 16;
  Pel dst[8 * 8];
  cclm_predict(s.luma, s.cb, b, kIntraTCclm, dst, 8);
  CHECK_EQ(dst[27], 512);
  b.avail_l = false;
  b.avail_t = true;
  b.num_top = 16;
  cclm_predict(s.luma, s.cb, b, kIntraLCclm, dst, 8);
  CHECK_EQ(dst[27], 512);
  // With the top only, LT predicts a non-constant block that follows the luma gradient.
  cclm_predict(s.luma, s.cb, b, kIntraLtCclm, dst, 8);
  CHECK(dst[0] != dst[63]);
}

void builder_counts_available_run() {
  // make_cclm_block counts contiguous available samples above / left, 2 at a time, capped
  // at w + min(w, h).
  const auto availUpTo = [](int limitX, int limitY) {
    return [=](int x, int y) { return x < limitX && y < limitY; };
  };
  CclmBlock b = make_cclm_block(8, 8, 8, 4, true, true, 7, false, availUpTo(20, 1000));
  CHECK_EQ(b.num_top, 12);  // capped at 8 + 4
  CHECK_EQ(b.num_left, 8);  // capped at 4 + 4
  b = make_cclm_block(8, 8, 8, 4, true, true, 7, false, availUpTo(18, 10));
  CHECK_EQ(b.num_top, 10);  // x 8..17 available
  CHECK_EQ(b.num_left, 2);  // y 8..9 available
  CHECK(!b.ctu_top);
  b = make_cclm_block(8, 32, 8, 4, true, false, 6, true, availUpTo(100, 100));
  CHECK(b.ctu_top);  // luma row 64 starts a CTU of 64
  CHECK_EQ(b.num_left, 0);
  CHECK(b.vertical_collocated);
}

}  // namespace

int main() {
  known_answers();
  unavailable_neighbours();
  builder_counts_available_run();
  random_against_reference();
  std::printf("%d random blocks compared with the reference\n", g_cases);
  TEST_MAIN_END();
}
