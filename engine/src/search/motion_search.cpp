#include "search/motion_search.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "rdo/distortion.h"

namespace vvc {

int adaptive_search_range(int range, int minWindow, int gopSize, int pocDistance) {
  const int r = (range * std::abs(pocDistance) + gopSize / 2) / gopSize;
  return std::clamp(r, std::min(minWindow, range), range);
}

double mvd_component_bits(int32_t d) {
  const uint32_t a = static_cast<uint32_t>(d < 0 ? -d : d);
  if (a == 0) return 1;  // abs_mvd_greater0_flag
  if (a == 1) return 3;  // greater0, greater1, sign
  // abs_mvd_minus2 = a - 2 as EG1: m = floor(log2(a)) - 1 prefix ones, the terminating zero,
  // then m + 1 suffix bits; with the two flags and the sign 2 * floor(log2(a)) + 3 bits.
  return 2 * (31 - __builtin_clz(a)) + 3;
}

double mvd_bits(const Mv& mv, const Mv& mvp, int amvrShift) {
  return mvd_component_bits((mv.x - mvp.x) >> amvrShift) +
         mvd_component_bits((mv.y - mvp.y) >> amvrShift);
}

double MotionSearcher::mv_bits(const MeRef& ref, const Mv& mv, int& mvpIdx) const {
  const double b0 = mvd_bits(mv, ref.mvp[0], ref.amvr_shift);
  const double b1 = mvd_bits(mv, ref.mvp[1], ref.amvr_shift);
  mvpIdx = b1 < b0 ? 1 : 0;
  return (b1 < b0 ? b1 : b0) + 1 + ref.ref_bits;  // + mvp_lX_flag
}

uint64_t MotionSearcher::sad_int(const MeBlock& blk, const RefView& v, int ix, int iy,
                                 int rowShift) const {
  const Pel* r = v.origin + static_cast<ptrdiff_t>(blk.y + iy) * v.stride + blk.x + ix;
  return sad_rows(blk.org, static_cast<int>(blk.stride), r, static_cast<int>(v.stride), blk.w,
                  blk.h, rowShift);
}

uint64_t MotionSearcher::satd_sub(const MeBlock& blk, const MeRef& ref, const Mv& mv) {
  mc_luma(ref.pic->view(kY), mv, blk.x, blk.y, blk.w, blk.h, pred0_, blk.w);
  weighted_uni(pred0_, blk.w, block_, blk.w, blk.w, blk.h);
  return satd(blk.org, static_cast<int>(blk.stride), block_, blk.w, blk.w, blk.h);
}

uint64_t MotionSearcher::satd_bi(const MeBlock& blk, const MeRef& r0, const Mv& m0, const MeRef& r1,
                                 const Mv& m1) {
  mc_luma(r0.pic->view(kY), m0, blk.x, blk.y, blk.w, blk.h, pred0_, blk.w);
  mc_luma(r1.pic->view(kY), m1, blk.x, blk.y, blk.w, blk.h, pred1_, blk.w);
  weighted_bi(pred0_, blk.w, pred1_, blk.w, block_, blk.w, blk.w, blk.h);
  return satd(blk.org, static_cast<int>(blk.stride), block_, blk.w, blk.w, blk.h);
}

namespace {

// Integer-sample search state (TZ search of VTM in a compact form).
struct IntSearch {
  const MeBlock& blk;
  const RefView v;
  double sl;
  int minX, maxX, minY, maxY;  // allowed integer MVs (window and padded-reference bounds)
  int bestX = 0, bestY = 0, bestDist = 0;
  double bestCost = std::numeric_limits<double>::max();

  template <class Eval>
  void check(int ix, int iy, int dist, const Eval& eval) {
    if (ix < minX || ix > maxX || iy < minY || iy > maxY) return;
    const double c = eval(ix, iy);
    if (c < bestCost) {
      bestCost = c;
      bestX = ix;
      bestY = iy;
      bestDist = dist;
    }
  }
  // 4 points at distance 1, else 8 points (VTM xTZ8PointDiamondSearch).
  template <class Eval>
  void diamond(int cx, int cy, int d, const Eval& eval) {
    check(cx, cy - d, d, eval);
    check(cx - d, cy, d, eval);
    check(cx + d, cy, d, eval);
    check(cx, cy + d, d, eval);
    if (d > 1) {
      const int h = d >> 1;
      check(cx - h, cy - h, d, eval);
      check(cx + h, cy - h, d, eval);
      check(cx - h, cy + h, d, eval);
      check(cx + h, cy + h, d, eval);
    }
  }
};

// Integer MV limits keeping the block (plus 4 samples for sub-sample taps) inside the
// padded reference.
void reference_bounds(const MeBlock& blk, const RefView& v, int& minX, int& maxX, int& minY,
                      int& maxY) {
  const int m = v.margin - 8 > 0 ? v.margin - 8 : 0;
  minX = -m - blk.x;
  maxX = v.width + m - blk.w - blk.x;
  minY = -m - blk.y;
  maxY = v.height + m - blk.h - blk.y;
}

int floor_div16(int v) {
  return v >> 4;
}
int round_to_int(int v) {
  return (v + 8) >> 4;
}

}  // namespace

UniResult MotionSearcher::search_uni(const MeBlock& blk, const MeRef& ref, const MeConfig& cfg,
                                     const Mv* extra, int numExtra) {
  const RefView v = ref.pic->view(kY);
  int rMinX, rMaxX, rMinY, rMaxY;
  reference_bounds(blk, v, rMinX, rMaxX, rMinY, rMaxY);
  IntSearch s{blk, v, cfg.sqrt_lambda, rMinX, rMaxX, rMinY, rMaxY};
  int mvpIdx = 0;
  const int rowShift = cfg.sad_row_shift(blk.h);
  auto eval = [&](int ix, int iy) {
    return static_cast<double>(sad_int(blk, v, ix, iy, rowShift)) +
           cfg.sqrt_lambda * mv_bits(ref, Mv{ix * 16, iy * 16}, mvpIdx);
  };

  // Start points: AMVP predictors, zero, extras.
  s.check(std::clamp(round_to_int(ref.mvp[0].x), rMinX, rMaxX),
          std::clamp(round_to_int(ref.mvp[0].y), rMinY, rMaxY), 0, eval);
  s.check(std::clamp(round_to_int(ref.mvp[1].x), rMinX, rMaxX),
          std::clamp(round_to_int(ref.mvp[1].y), rMinY, rMaxY), 0, eval);
  s.check(std::clamp(0, rMinX, rMaxX), std::clamp(0, rMinY, rMaxY), 0, eval);
  for (int i = 0; i < numExtra; ++i)
    s.check(std::clamp(round_to_int(extra[i].x), rMinX, rMaxX),
            std::clamp(round_to_int(extra[i].y), rMinY, rMaxY), 0, eval);

  // Search window around the start point.
  const int cx = s.bestX, cy = s.bestY;
  const int range = std::max(1, ref.search_range > 0 ? ref.search_range : cfg.search_range);
  s.minX = std::max(rMinX, cx - range);
  s.maxX = std::min(rMaxX, cx + range);
  s.minY = std::max(rMinY, cy - range);
  s.maxY = std::min(rMaxY, cy + range);

  // Expanding diamond with early termination after 3 rounds without improvement.
  s.bestDist = 0;
  int stale = 0;
  for (int d = 1; d <= range; d <<= 1) {
    const double before = s.bestCost;
    s.diamond(cx, cy, d, eval);
    stale = s.bestCost < before ? 0 : stale + 1;
    if (stale >= 3) break;
  }
  // Far best point: raster scan of the window (step 5).
  if (s.bestDist > 5) {
    for (int iy = s.minY; iy <= s.maxY; iy += 5)
      for (int ix = s.minX; ix <= s.maxX; ix += 5) s.check(ix, iy, 5, eval);
  }
  // Refinement: diamonds around the best point until it stays put.
  for (int iter = 0; iter < 8 && s.bestDist > 0; ++iter) {
    const int bx = s.bestX, by = s.bestY;
    s.bestDist = 0;
    int stale2 = 0;
    for (int d = 1; d <= range; d <<= 1) {
      const double before = s.bestCost;
      s.diamond(bx, by, d, eval);
      stale2 = s.bestCost < before ? 0 : stale2 + 1;
      if (stale2 >= 2) break;
    }
  }
  // Final 8-neighbourhood check.
  {
    const int bx = s.bestX, by = s.bestY;
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx)
        if (dx || dy) s.check(bx + dx, by + dy, 1, eval);
  }

  UniResult r;
  r.valid = true;
  r.mv = Mv{s.bestX * 16, s.bestY * 16};
  if (!cfg.subpel) {
    r.dist = sad_int(blk, v, s.bestX, s.bestY, 0);
    r.bits = mv_bits(ref, r.mv, r.mvp_idx);
    r.cost = static_cast<double>(r.dist) + cfg.sqrt_lambda * r.bits;
    return r;
  }

  // Half- then quarter-sample refinement with SATD on the interpolated prediction.
  Mv best = r.mv;
  uint64_t bestDistortion = satd_sub(blk, ref, best);
  double bestCost =
      static_cast<double>(bestDistortion) + cfg.sqrt_lambda * mv_bits(ref, best, mvpIdx);
  for (int step = 8; step >= 4; step >>= 1) {
    const Mv c = best;
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) {
        if (!dx && !dy) continue;
        const Mv m{c.x + dx * step, c.y + dy * step};
        if (floor_div16(m.x) < rMinX || floor_div16(m.x) > rMaxX || floor_div16(m.y) < rMinY ||
            floor_div16(m.y) > rMaxY)
          continue;
        const uint64_t d = satd_sub(blk, ref, m);
        const double cost = static_cast<double>(d) + cfg.sqrt_lambda * mv_bits(ref, m, mvpIdx);
        if (cost < bestCost) {
          bestCost = cost;
          bestDistortion = d;
          best = m;
        }
      }
  }
  r.mv = best;
  r.dist = bestDistortion;
  r.bits = mv_bits(ref, best, r.mvp_idx);
  r.cost = bestCost;
  return r;
}

BiResult MotionSearcher::search_bi(const MeBlock& blk, const MeRef& ref0, const UniResult& u0,
                                   const MeRef& ref1, const UniResult& u1, const MeConfig& cfg) {
  const MeRef* refs[2] = {&ref0, &ref1};
  Mv mv[2] = {u0.mv, u1.mv};
  int mvpIdx[2];
  double bits[2] = {mv_bits(ref0, mv[0], mvpIdx[0]), mv_bits(ref1, mv[1], mvpIdx[1])};
  uint64_t bestD = satd_bi(blk, ref0, mv[0], ref1, mv[1]);
  double bestCost = static_cast<double>(bestD) + cfg.sqrt_lambda * (bits[0] + bits[1]);
  const int w = blk.w, h = blk.h;
  int16_t* fixedPred = pred1_;  // 14-bit prediction of the fixed list
  int16_t* searchPred = pred0_;

  for (int it = 0; it < cfg.bi_iterations; ++it) {
    const int l = (it & 1) ? 0 : 1;  // list searched (L1 first, as VTM's default order)
    const int f = 1 - l;
    const MeRef& rs = *refs[l];
    const RefView vs = rs.pic->view(kY);
    // Target 2 * org - pred_fixed (final samples of the fixed list's uni prediction).
    mc_luma(refs[f]->pic->view(kY), mv[f], blk.x, blk.y, w, h, fixedPred, w);
    weighted_uni(fixedPred, w, block_, w, w, h);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const int t = 2 * blk.org[y * blk.stride + x] - block_[y * w + x];
        target_[y * w + x] = static_cast<Pel>(std::clamp(t, -32768, 32767));
      }
    // Integer window around the current MV of the searched list: SAD(target, ref) / 2.
    int rMinX, rMaxX, rMinY, rMaxY;
    reference_bounds(blk, vs, rMinX, rMaxX, rMinY, rMaxY);
    const int cx = std::clamp(round_to_int(mv[l].x), rMinX, rMaxX);
    const int cy = std::clamp(round_to_int(mv[l].y), rMinY, rMaxY);
    int bx = cx, by = cy, mvpTmp;
    double bestInt = std::numeric_limits<double>::max();
    const int br = cfg.bi_search_range;
    const int rowShift = cfg.sad_row_shift(h);
    for (int iy = std::max(rMinY, cy - br); iy <= std::min(rMaxY, cy + br); ++iy)
      for (int ix = std::max(rMinX, cx - br); ix <= std::min(rMaxX, cx + br); ++ix) {
        const Pel* r = vs.origin + static_cast<ptrdiff_t>(blk.y + iy) * vs.stride + blk.x + ix;
        const uint64_t sd = sad_rows(target_, w, r, static_cast<int>(vs.stride), w, h, rowShift);
        const double c = static_cast<double>(sd) / 2 +
                         cfg.sqrt_lambda * mv_bits(rs, Mv{ix * 16, iy * 16}, mvpTmp);
        if (c < bestInt) {
          bestInt = c;
          bx = ix;
          by = iy;
        }
      }
    // Score candidates on the actual bi prediction: the integer winner, then its half and
    // quarter neighbours.
    auto bi_cost = [&](const Mv& m, uint64_t& d) {
      mc_luma(vs, m, blk.x, blk.y, w, h, searchPred, w);
      if (l == 0)
        weighted_bi(searchPred, w, fixedPred, w, block_, w, w, h);
      else
        weighted_bi(fixedPred, w, searchPred, w, block_, w, w, h);
      d = satd(blk.org, static_cast<int>(blk.stride), block_, w, w, h);
      return static_cast<double>(d) + cfg.sqrt_lambda * (bits[f] + mv_bits(rs, m, mvpTmp));
    };
    bool improved = false;
    Mv best = mv[l];
    uint64_t d;
    const Mv intMv{bx * 16, by * 16};
    if (!(intMv == mv[l])) {
      const double c = bi_cost(intMv, d);
      if (c < bestCost) {
        bestCost = c;
        bestD = d;
        best = intMv;
        improved = true;
      }
    }
    if (cfg.subpel)
      for (int step = 8; step >= 4; step >>= 1) {
        const Mv c0 = best;
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) {
            if (!dx && !dy) continue;
            const Mv m{c0.x + dx * step, c0.y + dy * step};
            if ((m.x >> 4) < rMinX || (m.x >> 4) > rMaxX || (m.y >> 4) < rMinY ||
                (m.y >> 4) > rMaxY)
              continue;
            const double c = bi_cost(m, d);
            if (c < bestCost) {
              bestCost = c;
              bestD = d;
              best = m;
              improved = true;
            }
          }
      }
    mv[l] = best;
    bits[l] = mv_bits(rs, best, mvpIdx[l]);
    if (!improved && it > 0) break;
  }

  BiResult r;
  r.valid = true;
  r.ref_idx[0] = u0.ref_idx;
  r.ref_idx[1] = u1.ref_idx;
  r.mv[0] = mv[0];
  r.mv[1] = mv[1];
  bits[0] = mv_bits(ref0, mv[0], r.mvp_idx[0]);
  bits[1] = mv_bits(ref1, mv[1], r.mvp_idx[1]);
  r.bits = bits[0] + bits[1];
  r.dist = bestD;
  r.cost = bestCost;
  return r;
}

MeResult MotionSearcher::search(const MeBlock& blk, const MeRef* const refs[2],
                                const int numRefs[2], bool allowBi, const MeConfig& cfg,
                                const Mv* const extraStarts[2], const int numExtra[2]) {
  MeResult res;
  for (int l = 0; l < 2; ++l)
    for (int r = 0; r < numRefs[l]; ++r) {
      UniResult u = search_uni(blk, refs[l][r], cfg, extraStarts ? extraStarts[l] : nullptr,
                               numExtra ? numExtra[l] : 0);
      u.ref_idx = r;
      if (!res.uni[l].valid || u.cost < res.uni[l].cost) res.uni[l] = u;
    }
  if (allowBi && cfg.bi_iterations > 0 && res.uni[0].valid && res.uni[1].valid)
    res.bi = search_bi(blk, refs[0][res.uni[0].ref_idx], res.uni[0], refs[1][res.uni[1].ref_idx],
                       res.uni[1], cfg);
  return res;
}

}  // namespace vvc
