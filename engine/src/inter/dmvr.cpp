#include "inter/dmvr.h"

#include <algorithm>
#include <cstdlib>

#include "common/simd_level.h"

namespace vvc {

bool refinement_cu_allowed(int w, int h, int curPoc, int poc0, int poc1, bool longTerm0,
                           bool longTerm1) {
  return w >= 8 && h >= 8 && w * h >= 128 && !longTerm0 && !longTerm1 &&
         curPoc - poc0 == poc1 - curPoc;
}

namespace {

inline int sample_at(const RefView& r, int x, int y) {
  x = std::clamp(x, 0, r.width - 1);
  y = std::clamp(y, 0, r.height - 1);
  return r.origin[static_cast<ptrdiff_t>(y) * r.stride + x];
}

}  // namespace

// 8.5.3.2.2 with the bilinear coefficients fbL[p] = {16 - p, p} (Table 30): shift1 =
// BitDepth - 6 (with rounding), shift2 = 4, shift3 = 10 - BitDepth (a left shift for the
// integer phase at BitDepth <= 10). Horizontal-only and vertical-only phases use shift1;
// both phases: horizontal with shift1 then vertical with shift2.
namespace {

// The bodies below are plain loops that gcc vectorises; each is compiled twice, for the x86-64
// baseline and for AVX2, and dmvr_bilinear / dmvr_sad pick one by the process's SIMD level.
#define VVC_KERNEL_BODY inline __attribute__((always_inline))

VVC_KERNEL_BODY void bilinear_body(const RefView& ref, const Mv& mv, int x, int y, int w, int h,
                                   int16_t* dst) {
  static_assert(kBitDepth <= 10, "integer-phase shift assumes BitDepth <= 10");
  constexpr int shift1 = kBitDepth - 6, off1 = 1 << (shift1 - 1);
  constexpr int shift2 = 4, off2 = 1 << (shift2 - 1);
  constexpr int shift3 = 10 - kBitDepth;
  const int fx = mv.x & 15, fy = mv.y & 15;
  const int x0 = x + (mv.x >> 4) - kDmvrRange, y0 = y + (mv.y >> 4) - kDmvrRange;
  const int pw = w + 2 * kDmvrRange, ph = h + 2 * kDmvrRange;
  // Reference rows (clamped into the picture): pw + 1 columns, ph + 1 rows, read in place
  // when they lie inside the padded picture (its margin holds the clamped samples).
  Pel local[(kDmvrBilStride + 1) * (kDmvrBilStride + 1)];
  const Pel* src;
  ptrdiff_t ss;
  if (x0 >= -ref.margin && y0 >= -ref.margin && x0 + pw < ref.width + ref.margin &&
      y0 + ph < ref.height + ref.margin) {
    src = ref.origin + static_cast<ptrdiff_t>(y0) * ref.stride + x0;
    ss = ref.stride;
  } else {
    ss = kDmvrBilStride + 1;
    for (int j = 0; j <= ph; ++j)
      for (int i = 0; i <= pw; ++i)
        local[j * ss + i] = static_cast<Pel>(sample_at(ref, x0 + i, y0 + j));
    src = local;
  }
  for (int j = 0; j < ph; ++j) {
    int16_t* d = dst + j * kDmvrBilStride;
    const Pel* s = src + j * ss;
    if (!fx && !fy) {
      for (int i = 0; i < pw; ++i) d[i] = static_cast<int16_t>(s[i] << shift3);
    } else if (!fy) {
      for (int i = 0; i < pw; ++i)
        d[i] = static_cast<int16_t>(((16 - fx) * s[i] + fx * s[i + 1] + off1) >> shift1);
    } else if (!fx) {
      for (int i = 0; i < pw; ++i)
        d[i] = static_cast<int16_t>(((16 - fy) * s[i] + fy * s[i + ss] + off1) >> shift1);
    } else {
      for (int i = 0; i < pw; ++i) {
        const int t0 = ((16 - fx) * s[i] + fx * s[i + 1] + off1) >> shift1;
        const int t1 = ((16 - fx) * s[i + ss] + fx * s[i + ss + 1] + off1) >> shift1;
        d[i] = static_cast<int16_t>(((16 - fy) * t0 + fy * t1 + off2) >> shift2);
      }
    }
  }
}

VVC_KERNEL_BODY int sad_body(const int16_t* p0, const int16_t* p1, int dx, int dy, int w, int h) {
  const int16_t* a = p0 + (kDmvrRange + dy) * kDmvrBilStride + kDmvrRange + dx;
  const int16_t* b = p1 + (kDmvrRange - dy) * kDmvrBilStride + kDmvrRange - dx;
  int sad = 0;
  for (int j = 0; j < h; j += 2, a += 2 * kDmvrBilStride, b += 2 * kDmvrBilStride)
    for (int i = 0; i < w; ++i) sad += std::abs(a[i] - b[i]);
  return sad;
}

void bilinear_plain(const RefView& ref, const Mv& mv, int x, int y, int w, int h, int16_t* dst) {
  bilinear_body(ref, mv, x, y, w, h, dst);
}
int sad_plain(const int16_t* p0, const int16_t* p1, int dx, int dy, int w, int h) {
  return sad_body(p0, p1, dx, dy, w, h);
}
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && !defined(VVC_NO_SIMD)
#define VVC_DMVR_AVX2 1
__attribute__((target("avx2"))) void bilinear_avx2(const RefView& ref, const Mv& mv, int x, int y,
                                                   int w, int h, int16_t* dst) {
  bilinear_body(ref, mv, x, y, w, h, dst);
}
__attribute__((target("avx2"))) int sad_avx2(const int16_t* p0, const int16_t* p1, int dx, int dy,
                                             int w, int h) {
  return sad_body(p0, p1, dx, dy, w, h);
}
#endif

bool use_avx2() {
#ifdef VVC_DMVR_AVX2
  static const bool avx2 = simd_level() >= SimdLevel::Avx2;
  return avx2;
#else
  return false;
#endif
}

}  // namespace

void dmvr_bilinear(const RefView& ref, const Mv& mv, int x, int y, int w, int h, int16_t* dst) {
#ifdef VVC_DMVR_AVX2
  if (use_avx2()) return bilinear_avx2(ref, mv, x, y, w, h, dst);
#endif
  bilinear_plain(ref, mv, x, y, w, h, dst);
}

int dmvr_sad(const int16_t* p0, const int16_t* p1, int dx, int dy, int w, int h) {
#ifdef VVC_DMVR_AVX2
  if (use_avx2()) return sad_avx2(p0, p1, dx, dy, w, h);
#endif
  return sad_plain(p0, p1, dx, dy, w, h);
}

// 8.5.3.5: dMvC = (E(-1) - E(1)) / (2 * (E(-1) + E(1) - 2 * E(0))) in 1/16, the division
// done as a 3-step restoring binary division of num = (E(-1) - E(1)) << 4 by
// denom = (E(-1) + E(1) - 2 E(0)) << 3 (halving denom each step), with the two equal-cost
// shortcuts to -8 / +8.
int dmvr_parametric(int sadMinus, int sadCentre, int sadPlus) {
  int denom = ((sadMinus + sadPlus) - 2 * sadCentre) * 8;
  if (denom == 0) return 0;
  if (sadMinus == sadCentre) return -8;
  if (sadPlus == sadCentre) return 8;
  int num = (sadMinus - sadPlus) * 16;
  const bool neg = num < 0;
  if (neg) num = -num;
  int q = 0;
  for (int k = 0; k < 3; ++k) {
    q <<= 1;
    if (num >= denom) {
      num -= denom;
      q += 1;
    }
    denom >>= 1;
  }
  return neg ? -q : q;
}

DmvrResult dmvr_refine(const RefView& ref0, const RefView& ref1, const Mv& mv0, const Mv& mv1,
                       int x, int y, int w, int h) {
  int16_t p[2][kDmvrBilStride * kDmvrBilStride];
  dmvr_bilinear(ref0, mv0, x, y, w, h, p[0]);
  dmvr_bilinear(ref1, mv1, x, y, w, h, p[1]);
  constexpr int n = 2 * kDmvrRange + 1;
  int sad[n][n] = {};
  DmvrResult r;
  int minSad = dmvr_sad(p[0], p[1], 0, 0, w, h);
  minSad -= minSad >> 2;  // the centre is favoured (8.5.3.1)
  sad[kDmvrRange][kDmvrRange] = minSad;
  if (minSad >= w * h) {  // early termination otherwise: no refinement
    int bx = kDmvrRange, by = kDmvrRange;
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        if (i == kDmvrRange && j == kDmvrRange) continue;
        sad[j][i] = dmvr_sad(p[0], p[1], i - kDmvrRange, j - kDmvrRange, w, h);
        if (sad[j][i] < minSad) {
          minSad = sad[j][i];
          bx = i;
          by = j;
        }
      }
    r.delta = Mv{(bx - kDmvrRange) * 16, (by - kDmvrRange) * 16};
    if (bx != 0 && bx != n - 1 && by != 0 && by != n - 1) {
      r.delta.x += dmvr_parametric(sad[by][bx - 1], sad[by][bx], sad[by][bx + 1]);
      r.delta.y += dmvr_parametric(sad[by - 1][bx], sad[by][bx], sad[by + 1][bx]);
    }
  }
  r.min_sad = minSad;
  r.bdof = minSad >= 2 * w * h;
  return r;
}

RefView dmvr_window(const RefView& pic, int winX, int winY, int winW, int winH, Pel* buf) {
  constexpr int m = kDmvrWindowMargin;
  const int stride = winW + 2 * m;
  if (winX >= -pic.margin && winY >= -pic.margin && winX + winW <= pic.width + pic.margin &&
      winY + winH <= pic.height + pic.margin) {
    // The window lies inside the padded picture, whose margin already holds the clamped
    // samples: copy its rows, replicate the first / last sample of each, then the rows.
    for (int j = 0; j < winH; ++j) {
      const Pel* s = pic.origin + static_cast<ptrdiff_t>(winY + j) * pic.stride + winX;
      Pel* d = buf + static_cast<ptrdiff_t>(j + m) * stride + m;
      std::fill(d - m, d, s[0]);
      std::copy(s, s + winW, d);
      std::fill(d + winW, d + winW + m, s[winW - 1]);
    }
    const Pel* first = buf + static_cast<ptrdiff_t>(m) * stride;
    const Pel* last = buf + static_cast<ptrdiff_t>(winH - 1 + m) * stride;
    for (int j = 0; j < m; ++j) {
      std::copy(first, first + stride, buf + static_cast<ptrdiff_t>(j) * stride);
      std::copy(last, last + stride, buf + static_cast<ptrdiff_t>(winH + m + j) * stride);
    }
  } else {
    for (int j = -m; j < winH + m; ++j) {
      const int yy = winY + std::clamp(j, 0, winH - 1);
      Pel* d = buf + static_cast<ptrdiff_t>(j + m) * stride + m;
      for (int i = -m; i < winW + m; ++i)
        d[i] = static_cast<Pel>(sample_at(pic, winX + std::clamp(i, 0, winW - 1), yy));
    }
  }
  RefView v;
  v.origin = buf + static_cast<ptrdiff_t>(m) * stride + m;
  v.stride = stride;
  v.width = winW;
  v.height = winH;
  v.margin = m;
  return v;
}

}  // namespace vvc
