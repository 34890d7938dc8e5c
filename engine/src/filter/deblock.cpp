// Deblocking filter (H.266 8.8.3), see deblock.h. Edge decisions and sample filters follow
// 8.8.3.6 (edge filtering process): luma 4-line segments on the 4x4 grid with the long
// (8.8.3.6.7-like asymmetric 7/5/3-tap), strong and weak filters; chroma 2-line segments
// (4:2:0) on the 8x8 chroma-sample grid with the strong (3-tap, or one-sided on a
// horizontal CTB boundary) and weak filters.
#include "filter/deblock.h"

#include <algorithm>
#include <cstddef>
#include <cstdlib>

namespace vvc {
namespace {

// H.266 Table 43: beta' as a function of Q = 0..63.
constexpr uint8_t kBetaTable[64] = {0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
                                    6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 22, 24,
                                    26, 28, 30, 32, 34, 36, 38, 40, 42, 44, 46, 48, 50, 52, 54, 56,
                                    58, 60, 62, 64, 66, 68, 70, 72, 74, 76, 78, 80, 82, 84, 86, 88};
// H.266 Table 43: tC' as a function of Q = 0..65.
constexpr uint16_t kTcTable[66] = {
    0,  0,  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,  0,  0,
    0,  3,  4,   4,   4,   4,   5,   5,   5,   5,   7,   7,   8,   9,   10, 10, 11,
    13, 14, 15,  17,  19,  21,  24,  25,  29,  33,  36,  41,  45,  51,  57, 64, 71,
    80, 89, 100, 112, 125, 141, 157, 177, 198, 222, 250, 280, 314, 352, 395};

constexpr int kQpBdOffset = 6 * (kBitDepth - 8);

// 8.8.3.6.2 / 8.8.3.6.4: beta = beta' * (1 << (BitDepth - 8)),
// tC = BitDepth < 10 ? (tC' + 2) >> (10 - BitDepth) : tC' * (1 << (BitDepth - 10)).
inline int beta_for(int qp, int betaOffsetDiv2) {
  return kBetaTable[std::clamp(qp + 2 * betaOffsetDiv2, 0, 63)] * (1 << (kBitDepth - 8));
}
inline int tc_for(int qp, int bs, int tcOffsetDiv2) {
  const int tcp = kTcTable[std::clamp(qp + 2 * (bs - 1) + 2 * tcOffsetDiv2, 0, 65)];
  if constexpr (kBitDepth < 10) return (tcp + 2) >> (10 - kBitDepth);
  return tcp * (1 << (kBitDepth - 10));
}

// Sample access across an edge: s points at q0 of a line, x is the step across the edge.
// P(i) = p_i = s[-(i + 1) * x], Q(i) = q_i = s[i * x].
struct Line {
  Pel* s;
  ptrdiff_t x;
  int P(int i) const { return s[-(i + 1) * x]; }
  int Q(int i) const { return s[i * x]; }
  void setP(int i, int v) const { s[-(i + 1) * x] = static_cast<Pel>(v); }
  void setQ(int i, int v) const { s[i * x] = static_cast<Pel>(v); }
};

inline int dp_of(const Line& l) {
  return std::abs(l.P(2) - 2 * l.P(1) + l.P(0));
}
inline int dq_of(const Line& l) {
  return std::abs(l.Q(2) - 2 * l.Q(1) + l.Q(0));
}

// Long (asymmetric) luma filter of one line, maxFilterLength P/Q in {3, 5, 7} (8.8.3.6.7).
void luma_long_line(const Line& l, int tc, int maxP, int maxQ) {
  int p[8], q[8];
  for (int i = 0; i < 8; ++i) {
    p[i] = i <= maxP ? l.P(i) : 0;
    q[i] = i <= maxQ ? l.Q(i) : 0;
  }
  int m;  // refMiddle
  if (maxP == 5 && maxQ == 5)
    m = (p[4] + p[3] + 2 * (p[2] + p[1] + p[0] + q[0] + q[1] + q[2]) + q[3] + q[4] + 8) >> 4;
  else if (maxP == maxQ)  // 7, 7
    m = (p[6] + p[5] + p[4] + p[3] + p[2] + p[1] + 2 * (p[0] + q[0]) + q[1] + q[2] + q[3] + q[4] +
         q[5] + q[6] + 8) >>
        4;
  else if (maxP + maxQ == 12)  // 7/5
    m = (p[5] + p[4] + p[3] + p[2] + 2 * (p[1] + p[0] + q[0] + q[1]) + q[2] + q[3] + q[4] + q[5] +
         8) >>
        4;
  else if (maxP + maxQ == 8)  // 5/3
    m = (p[3] + p[2] + p[1] + p[0] + q[0] + q[1] + q[2] + q[3] + 4) >> 3;
  else if (maxQ == 7)  // P 3, Q 7
    m = (2 * (p[2] + p[1] + p[0] + q[0]) + p[0] + p[1] + q[1] + q[2] + q[3] + q[4] + q[5] + q[6] +
         8) >>
        4;
  else  // P 7, Q 3
    m = (p[6] + p[5] + p[4] + p[3] + p[2] + p[1] + 2 * (q[2] + q[1] + q[0] + p[0]) + q[0] + q[1] +
         8) >>
        4;
  // f_i and tcPD_i / tcQD_i per filter length.
  static constexpr int f7[7] = {59, 50, 41, 32, 23, 14, 5};
  static constexpr int t7[7] = {6, 5, 4, 3, 2, 1, 1};
  static constexpr int f5[5] = {58, 45, 32, 19, 6};
  static constexpr int t5[5] = {6, 5, 4, 3, 2};
  static constexpr int f3[3] = {53, 32, 11};
  static constexpr int t3[3] = {6, 4, 2};
  auto side = [&](const int* v, int len, bool isP) {
    const int ref = (v[len] + v[len - 1] + 1) >> 1;
    const int* f = len == 7 ? f7 : len == 5 ? f5 : f3;
    const int* t = len == 7 ? t7 : len == 5 ? t5 : t3;
    for (int i = 0; i < len; ++i) {
      const int lim = (tc * t[i]) >> 1;
      const int out =
          v[i] + std::clamp(((m * f[i] + ref * (64 - f[i]) + 32) >> 6) - v[i], -lim, lim);
      if (isP)
        l.setP(i, out);
      else
        l.setQ(i, out);
    }
  };
  side(p, maxP, true);
  side(q, maxQ, false);
}

// Strong short luma filter of one line (dE == 2).
void luma_strong_line(const Line& l, int tc) {
  const int p0 = l.P(0), p1 = l.P(1), p2 = l.P(2), p3 = l.P(3);
  const int q0 = l.Q(0), q1 = l.Q(1), q2 = l.Q(2), q3 = l.Q(3);
  l.setP(0, std::clamp((p2 + 2 * p1 + 2 * p0 + 2 * q0 + q1 + 4) >> 3, p0 - 3 * tc, p0 + 3 * tc));
  l.setP(1, std::clamp((p2 + p1 + p0 + q0 + 2) >> 2, p1 - 2 * tc, p1 + 2 * tc));
  l.setP(2, std::clamp((2 * p3 + 3 * p2 + p1 + p0 + q0 + 4) >> 3, p2 - tc, p2 + tc));
  l.setQ(0, std::clamp((p1 + 2 * p0 + 2 * q0 + 2 * q1 + q2 + 4) >> 3, q0 - 3 * tc, q0 + 3 * tc));
  l.setQ(1, std::clamp((p0 + q0 + q1 + q2 + 2) >> 2, q1 - 2 * tc, q1 + 2 * tc));
  l.setQ(2, std::clamp((p0 + q0 + q1 + 3 * q2 + 2 * q3 + 4) >> 3, q2 - tc, q2 + tc));
}

// Weak (normal) luma filter of one line (dE == 1), dEp / dEq modify p1 / q1 too.
void luma_weak_line(const Line& l, int tc, bool dEp, bool dEq) {
  const int p0 = l.P(0), p1 = l.P(1), p2 = l.P(2);
  const int q0 = l.Q(0), q1 = l.Q(1), q2 = l.Q(2);
  int delta = (9 * (q0 - p0) - 3 * (q1 - p1) + 8) >> 4;
  if (std::abs(delta) >= tc * 10) return;
  delta = std::clamp(delta, -tc, tc);
  l.setP(0, clip_pel(p0 + delta));
  l.setQ(0, clip_pel(q0 - delta));
  const int tc2 = tc >> 1;
  if (dEp)
    l.setP(1, clip_pel(p1 + std::clamp((((p2 + p0 + 1) >> 1) - p1 + delta) >> 1, -tc2, tc2)));
  if (dEq)
    l.setQ(1, clip_pel(q1 + std::clamp((((q2 + q0 + 1) >> 1) - q1 - delta) >> 1, -tc2, tc2)));
}

// One 4-line luma edge segment: s at q0 of the first line, xs across, ys along the edge.
// 8.8.3.6.2 (decisions) and 8.8.3.6.6/8.8.3.6.7 (filters).
void luma_segment(Pel* s, ptrdiff_t xs, ptrdiff_t ys, int bs, int qp, int maxP, int maxQ,
                  bool horCtbEdge, int betaOffsetDiv2, int tcOffsetDiv2) {
  const int tc = tc_for(qp, bs, tcOffsetDiv2);
  if (tc == 0) return;  // every filter below is the identity for tC == 0
  const int beta = beta_for(qp, betaOffsetDiv2);
  const Line l0{s, xs};
  const Line l3{s + 3 * ys, xs};
  const int dp0 = dp_of(l0), dq0 = dq_of(l0), dp3 = dp_of(l3), dq3 = dq_of(l3);
  const int d0 = dp0 + dq0, d3 = dp3 + dq3;
  const int tc25 = (tc * 5 + 1) >> 1;

  // A horizontal edge on a CTB row boundary never uses a long P side (line buffer limit).
  const bool largeP = maxP > 3 && !horCtbEdge;
  const bool largeQ = maxQ > 3;
  if (largeP || largeQ) {
    const int lp = largeP ? maxP : 3;
    const int lq = largeQ ? maxQ : 3;
    auto dpl = [&](const Line& l, int dp) {
      return largeP ? (dp + std::abs(l.P(5) - 2 * l.P(4) + l.P(3)) + 1) >> 1 : dp;
    };
    auto dql = [&](const Line& l, int dq) {
      return largeQ ? (dq + std::abs(l.Q(5) - 2 * l.Q(4) + l.Q(3)) + 1) >> 1 : dq;
    };
    const int d0l = dpl(l0, dp0) + dql(l0, dq0);
    const int d3l = dpl(l3, dp3) + dql(l3, dq3);
    if (d0l + d3l < beta) {
      auto strong_ok = [&](const Line& l, int dl) {
        int sp = std::abs(l.P(3) - l.P(0));
        int sq = std::abs(l.Q(0) - l.Q(3));
        if (lp == 7) sp += std::abs(l.P(7) - l.P(6) - l.P(5) + l.P(4));
        if (lq == 7) sq += std::abs(l.Q(4) - l.Q(5) - l.Q(6) + l.Q(7));
        if (largeP) sp = (sp + std::abs(l.P(3) - l.P(lp)) + 1) >> 1;
        if (largeQ) sq = (sq + std::abs(l.Q(3) - l.Q(lq)) + 1) >> 1;
        return sp + sq < ((beta * 3) >> 5) && std::abs(l.P(0) - l.Q(0)) < tc25 &&
               2 * dl < (beta >> 4);
      };
      if (strong_ok(l0, d0l) && strong_ok(l3, d3l)) {
        for (int k = 0; k < 4; ++k) luma_long_line(Line{s + k * ys, xs}, tc, lp, lq);
        return;
      }
    }
  }
  if (d0 + d3 >= beta) return;
  auto strong_short = [&](const Line& l, int d) {
    return std::abs(l.P(3) - l.P(0)) + std::abs(l.Q(0) - l.Q(3)) < (beta >> 3) &&
           std::abs(l.P(0) - l.Q(0)) < tc25 && 2 * d < (beta >> 2);
  };
  if (maxP > 2 && maxQ > 2 && strong_short(l0, d0) && strong_short(l3, d3)) {
    for (int k = 0; k < 4; ++k) luma_strong_line(Line{s + k * ys, xs}, tc);
    return;
  }
  bool dEp = false, dEq = false;
  if (maxP > 1 && maxQ > 1) {
    const int sideThr = (beta + (beta >> 1)) >> 3;
    dEp = dp0 + dp3 < sideThr;
    dEq = dq0 + dq3 < sideThr;
  }
  for (int k = 0; k < 4; ++k) luma_weak_line(Line{s + k * ys, xs}, tc, dEp, dEq);
}

// One chroma edge segment of `lines` lines (2 for 4:2:0), 8.8.3.6.4 / 8.8.3.6.9-10.
// maxP/maxQ: 3 for the strong filter (P 1 on a horizontal CTB boundary), 1 weak only,
// 0 no filtering.
void chroma_segment(Pel* s, ptrdiff_t xs, ptrdiff_t ys, int lines, int bs, int qpc, int maxP,
                    int maxQ, int betaOffsetDiv2, int tcOffsetDiv2) {
  if (maxP == 0 || maxQ == 0) return;
  const int tc = tc_for(qpc, bs, tcOffsetDiv2);
  if (tc == 0) return;
  bool strong = false;
  if (maxQ == 3) {
    const int beta = beta_for(qpc, betaOffsetDiv2);
    const int tc25 = (tc * 5 + 1) >> 1;
    // Decision lines: 0 and the last line of the segment (line 1 in 4:2:0).
    const Line la{s, xs};
    const Line lb{s + (lines - 1) * ys, xs};
    // With a one-sided P (maxP 1), p2 and p3 are replaced by p1 in the decisions.
    auto pp = [&](const Line& l, int i) { return (maxP == 1 && i >= 2) ? l.P(1) : l.P(i); };
    auto d_of = [&](const Line& l) {
      return std::abs(pp(l, 2) - 2 * l.P(1) + l.P(0)) + std::abs(l.Q(2) - 2 * l.Q(1) + l.Q(0));
    };
    const int d0 = d_of(la), d1 = d_of(lb);
    if (d0 + d1 < beta) {
      auto dsam = [&](const Line& l, int d) {
        return 2 * d < (beta >> 2) &&
               std::abs(pp(l, 3) - l.P(0)) + std::abs(l.Q(0) - l.Q(3)) < (beta >> 3) &&
               std::abs(l.P(0) - l.Q(0)) < tc25;
      };
      strong = dsam(la, d0) && dsam(lb, d1);
    }
  }
  for (int k = 0; k < lines; ++k) {
    const Line l{s + k * ys, xs};
    const int p0 = l.P(0), p1 = l.P(1), q0 = l.Q(0), q1 = l.Q(1);
    if (strong) {
      const int q2 = l.Q(2), q3 = l.Q(3);
      if (maxP == 3) {
        const int p2 = l.P(2), p3 = l.P(3);
        l.setP(0, std::clamp((p3 + p2 + p1 + 2 * p0 + q0 + q1 + q2 + 4) >> 3, p0 - tc, p0 + tc));
        l.setP(1, std::clamp((2 * p3 + p2 + 2 * p1 + p0 + q0 + q1 + 4) >> 3, p1 - tc, p1 + tc));
        l.setP(2, std::clamp((3 * p3 + 2 * p2 + p1 + p0 + q0 + 4) >> 3, p2 - tc, p2 + tc));
        l.setQ(0, std::clamp((p2 + p1 + p0 + 2 * q0 + q1 + q2 + q3 + 4) >> 3, q0 - tc, q0 + tc));
      } else {  // one-sided: only p0 changes on the P side
        l.setP(0, std::clamp((3 * p1 + 2 * p0 + q0 + q1 + q2 + 4) >> 3, p0 - tc, p0 + tc));
        l.setQ(0, std::clamp((2 * p1 + p0 + 2 * q0 + q1 + q2 + q3 + 4) >> 3, q0 - tc, q0 + tc));
      }
      l.setQ(1, std::clamp((p1 + p0 + q0 + 2 * q1 + q2 + 2 * q3 + 4) >> 3, q1 - tc, q1 + tc));
      l.setQ(2, std::clamp((p0 + q0 + q1 + 2 * q2 + 3 * q3 + 4) >> 3, q2 - tc, q2 + tc));
    } else {
      const int delta = std::clamp((((q0 - p0) * 4) + p1 - q1 + 4) >> 3, -tc, tc);
      l.setP(0, clip_pel(p0 + delta));
      l.setQ(0, clip_pel(q0 - delta));
    }
  }
}

// 8.8.3.3: luma maxFilterLength from the TB sizes across the edge.
inline void luma_lengths(int sizeP, int sizeQ, int& maxP, int& maxQ) {
  if (sizeP <= 4 || sizeQ <= 4) {
    maxP = maxQ = 1;
    return;
  }
  maxP = sizeP >= 32 ? 7 : 3;
  maxQ = sizeQ >= 32 ? 7 : 3;
}

// Chroma maxFilterLength: 3 when both chroma TBs are >= 8 samples across the edge (P 1 on a
// horizontal CTB boundary), else 1 for bS 2 and 0 otherwise.
inline void chroma_lengths(int sizeP, int sizeQ, int bs, bool horCtbEdge, int& maxP, int& maxQ) {
  if (sizeP >= 8 && sizeQ >= 8) {
    maxP = horCtbEdge ? 1 : 3;
    maxQ = 3;
  } else {
    maxP = maxQ = bs == 2 ? 1 : 0;
  }
}

inline int chroma_edge_qp(const DeblockParams& p, int cIdx, int qpYP, int qpYQ) {
  const int qpP = p.chroma_qp[cIdx - 1][std::clamp(qpYP, -kQpBdOffset, 63) + kQpBdOffset];
  const int qpQ = p.chroma_qp[cIdx - 1][std::clamp(qpYQ, -kQpBdOffset, 63) + kQpBdOffset];
  return (qpP + qpQ + 1) >> 1;
}

void deblock_luma(Plane& pl, const DeblockGrid& g, const DeblockParams& p, bool vertical) {
  const ptrdiff_t stride = pl.stride;
  for (int y4 = vertical ? 0 : 1; y4 < g.height4; ++y4) {
    const bool horCtb = !vertical && (p.origin_y + y4 * 4) % p.ctu_size == 0;
    for (int x4 = vertical ? 1 : 0; x4 < g.width4; ++x4) {
      const DeblockUnit& q = g.at(x4, y4);
      const int bs = vertical ? q.bs_v : q.bs_h;
      if (!bs) continue;
      const DeblockUnit& pu = vertical ? g.at(x4 - 1, y4) : g.at(x4, y4 - 1);
      int maxP, maxQ;
      if (vertical)
        luma_lengths(pu.tb_w, q.tb_w, maxP, maxQ);
      else
        luma_lengths(pu.tb_h, q.tb_h, maxP, maxQ);
      const int qp = (pu.qp_y + q.qp_y + 1) >> 1;
      Pel* s = pl.data.data() + static_cast<ptrdiff_t>(y4 * 4) * stride + x4 * 4;
      luma_segment(s, vertical ? 1 : stride, vertical ? stride : 1, bs, qp, maxP, maxQ, horCtb,
                   p.beta_offset_div2[0], p.tc_offset_div2[0]);
    }
  }
}

void deblock_chroma(Plane& pl, int cIdx, const DeblockGrid& g, const DeblockParams& p,
                    bool vertical) {
  const ptrdiff_t stride = pl.stride;
  // Chroma edges lie on the 8x8 chroma grid = every 4th unit across the edge; each unit
  // along the edge is one 2-line segment.
  for (int y4 = vertical ? 0 : 4; y4 < g.height4; y4 += vertical ? 1 : 4) {
    const bool horCtb = !vertical && (p.origin_y + y4 * 4) % p.ctu_size == 0;
    for (int x4 = vertical ? 4 : 0; x4 < g.width4; x4 += vertical ? 4 : 1) {
      const DeblockUnit& q = g.at(x4, y4);
      const int bs = vertical ? q.bs_v_c : q.bs_h_c;
      if (!bs) continue;
      const DeblockUnit& pu = vertical ? g.at(x4 - 1, y4) : g.at(x4, y4 - 1);
      int maxP, maxQ;
      if (vertical)
        chroma_lengths(pu.tb_w_c, q.tb_w_c, bs, false, maxP, maxQ);
      else
        chroma_lengths(pu.tb_h_c, q.tb_h_c, bs, horCtb, maxP, maxQ);
      const int qpc = chroma_edge_qp(p, cIdx, pu.qp_y_c, q.qp_y_c);
      Pel* s = pl.data.data() + static_cast<ptrdiff_t>(y4 * 2) * stride + x4 * 2;
      chroma_segment(s, vertical ? 1 : stride, vertical ? stride : 1, 2, bs, qpc, maxP, maxQ,
                     p.beta_offset_div2[cIdx], p.tc_offset_div2[cIdx]);
    }
  }
}

}  // namespace

void DeblockGrid::reset(int lumaWidth, int lumaHeight) {
  width4 = lumaWidth / 4;
  height4 = lumaHeight / 4;
  units.assign(static_cast<size_t>(width4) * height4, DeblockUnit{});
}

void DeblockGrid::set_luma_tb(int x, int y, int w, int h, int qpY, int bs) {
  const int x0 = x / 4, y0 = y / 4, x1 = std::min(width4, (x + w) / 4),
            y1 = std::min(height4, (y + h) / 4);
  for (int j = y0; j < y1; ++j)
    for (int i = x0; i < x1; ++i) {
      DeblockUnit& u = at(i, j);
      u.tb_w = static_cast<uint8_t>(w);
      u.tb_h = static_cast<uint8_t>(h);
      u.qp_y = static_cast<int8_t>(qpY);
      if (i == x0) u.bs_v = static_cast<uint8_t>(bs);
      if (j == y0) u.bs_h = static_cast<uint8_t>(bs);
    }
}

void DeblockGrid::set_chroma_tb(int xc, int yc, int wc, int hc, int qpY, int bs) {
  const int x0 = xc / 2, y0 = yc / 2, x1 = std::min(width4, (xc + wc) / 2),
            y1 = std::min(height4, (yc + hc) / 2);
  for (int j = y0; j < y1; ++j)
    for (int i = x0; i < x1; ++i) {
      DeblockUnit& u = at(i, j);
      u.tb_w_c = static_cast<uint8_t>(wc);
      u.tb_h_c = static_cast<uint8_t>(hc);
      u.qp_y_c = static_cast<int8_t>(qpY);
      if (i == x0) u.bs_v_c = static_cast<uint8_t>(bs);
      if (j == y0) u.bs_h_c = static_cast<uint8_t>(bs);
    }
}

DeblockParams::DeblockParams() {
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 76; ++i) chroma_qp[c][i] = static_cast<int8_t>(i - kQpBdOffset);
}

void DeblockParams::set_chroma_qp_mapping(const std::function<int(int, int)>& f) {
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 76; ++i) chroma_qp[c][i] = static_cast<int8_t>(f(i - kQpBdOffset, c + 1));
}

void deblock_plane(Plane& pl, int cIdx, const DeblockGrid& grid, const DeblockParams& params,
                   bool vertical) {
  if (cIdx == 0)
    deblock_luma(pl, grid, params, vertical);
  else
    deblock_chroma(pl, cIdx, grid, params, vertical);
}

void deblock_picture(Picture& pic, const DeblockGrid& grid, const DeblockParams& params) {
  for (const bool vertical : {true, false}) {
    deblock_luma(pic.comp[kY], grid, params, vertical);
    deblock_chroma(pic.comp[kCb], kCb, grid, params, vertical);
    deblock_chroma(pic.comp[kCr], kCr, grid, params, vertical);
  }
}

int deblock_beta_prime(int q) {
  return kBetaTable[q];
}
int deblock_tc_prime(int q) {
  return kTcTable[q];
}

}  // namespace vvc
