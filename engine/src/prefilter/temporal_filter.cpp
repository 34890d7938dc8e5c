// Motion-compensated temporal pre-filter (see temporal_filter.h for the process).
#include "prefilter/temporal_filter.h"

#include <algorithm>
#include <cmath>

#include "inter/interp.h"
#include "inter/mv.h"
#include "prefilter/block_importance.h"

namespace vvc {

namespace {

constexpr int kPad = 80;  // border of every luma level: covers the largest search reach

// A luma plane with replicated borders (kPad on each side), one level of the pyramid.
struct LumaLevel {
  int width = 0;
  int height = 0;
  ptrdiff_t stride = 0;
  std::vector<Pel> buf;

  const Pel* at(int x, int y) const {
    return buf.data() + (static_cast<ptrdiff_t>(y) + kPad) * stride + x + kPad;
  }
  Pel* at(int x, int y) {
    return buf.data() + (static_cast<ptrdiff_t>(y) + kPad) * stride + x + kPad;
  }
  RefView view() const { return RefView{at(0, 0), stride, width, height, kPad}; }

  void alloc(int w, int h) {
    width = w;
    height = h;
    stride = w + 2 * kPad;
    buf.assign(static_cast<size_t>(stride) * (h + 2 * kPad), 0);
  }
  // Replicates the outermost samples into the border.
  void extend() {
    for (int y = 0; y < height; ++y) {
      Pel* r = at(0, y);
      std::fill(r - kPad, r, r[0]);
      std::fill(r + width, r + width + kPad, r[width - 1]);
    }
    const Pel* top = at(-kPad, 0);
    const Pel* bottom = at(-kPad, height - 1);
    for (int y = 1; y <= kPad; ++y) {
      std::copy(top, top + stride, at(-kPad, -y));
      std::copy(bottom, bottom + stride, at(-kPad, height - 1 + y));
    }
  }
};

LumaLevel level_from_plane(const Plane& p) {
  LumaLevel l;
  l.alloc(p.width, p.height);
  for (int y = 0; y < p.height; ++y) std::copy(p.row(y), p.row(y) + p.width, l.at(0, y));
  l.extend();
  return l;
}

// 2x2 average (rounded), half the size (odd sizes drop the last column / row).
LumaLevel subsample(const LumaLevel& in) {
  LumaLevel out;
  out.alloc(in.width / 2, in.height / 2);
  for (int y = 0; y < out.height; ++y) {
    const Pel* a = in.at(0, 2 * y);
    const Pel* b = in.at(0, 2 * y + 1);
    Pel* d = out.at(0, y);
    for (int x = 0; x < out.width; ++x)
      d[x] = static_cast<Pel>((a[2 * x] + a[2 * x + 1] + b[2 * x] + b[2 * x + 1] + 2) >> 2);
  }
  out.extend();
  return out;
}

// The current picture's levels: full, 1/2, 1/4 and (wide pictures) 1/8 resolution.
struct Pyramid {
  std::vector<LumaLevel> level;
};

Pyramid build_pyramid(const Plane& luma) {
  Pyramid p;
  p.level.push_back(level_from_plane(luma));
  p.level.push_back(subsample(p.level[0]));
  p.level.push_back(subsample(p.level[1]));
  if (luma.width >= 1920) p.level.push_back(subsample(p.level[2]));  // one more for 1080p+
  return p;
}

// SSE of a w x h block, stopping early (by row) once it exceeds best.
int64_t block_sse(const Pel* a, ptrdiff_t as, const Pel* b, ptrdiff_t bs, int w, int h,
                  int64_t best) {
  int64_t e = 0;
  for (int y = 0; y < h; ++y, a += as, b += bs) {
    int rowSum = 0;
    for (int x = 0; x < w; ++x) {
      const int d = a[x] - b[x];
      rowSum += d * d;
    }
    e += rowSum;
    if (e > best) return e;
  }
  return e;
}

// Matching error of cur's block (x, y, w, h) against ref displaced by (mx, my) in 1/16
// samples. Fractional displacements (final level only) use the H.266 luma interpolation.
int64_t match_error(const LumaLevel& cur, const LumaLevel& ref, int x, int y, int w, int h, int mx,
                    int my, int64_t best) {
  const int ix = mx >> 4, iy = my >> 4;
  // Candidates reaching past the border are not searched (far beyond any real motion).
  if (x + ix < 8 - kPad || y + iy < 8 - kPad || x + ix + w > ref.width + kPad - 8 ||
      y + iy + h > ref.height + kPad - 8)
    return INT64_MAX;
  if (((mx | my) & 15) == 0)
    return block_sse(cur.at(x, y), cur.stride, ref.at(x + ix, y + iy), ref.stride, w, h, best);
  alignas(16) int16_t pred[32 * 32];
  alignas(16) Pel pel[32 * 32];
  mc_luma(ref.view(), Mv(mx, my), x, y, w, h, pred, w);
  weighted_uni(pred, w, pel, w, w, h);
  return block_sse(cur.at(x, y), cur.stride, pel, w, w, h, best);
}

// Sum of squared deviations from the block mean (the block's "activity").
double block_variance(const Pel* p, ptrdiff_t stride, int w, int h) {
  int64_t sum = 0, sum2 = 0;
  for (int y = 0; y < h; ++y, p += stride)
    for (int x = 0; x < w; ++x) {
      sum += p[x];
      sum2 += p[x] * p[x];
    }
  const double n = static_cast<double>(w) * h;
  return static_cast<double>(sum2) - static_cast<double>(sum) * static_cast<double>(sum) / n;
}

// Block matching on one level. prev: the coarser level's grid (its blocks cover 2x2 of ours
// in our sample units once scaled by factor), nullptr at the coarsest level. fine: the final
// level (1/16-sample refinement, error normalised by the block variance).
void estimate_level(MvGrid& g, const LumaLevel& cur, const LumaLevel& ref, int bs,
                    const MvGrid* prev, int factor, bool fine) {
  g.reset(bs, cur.width, cur.height);
  for (int by = 0; by + 8 <= cur.height; by += bs) {
    for (int bx = 0; bx + 8 <= cur.width; bx += bs) {
      const int w = std::min(bs, cur.width - bx) & ~7;
      const int h = std::min(bs, cur.height - by) & ~7;
      FilterMv best;
      auto test = [&](int mx, int my) {
        const int64_t e = match_error(cur, ref, bx, by, w, h, mx, my, best.error);
        if (e < best.error) {
          best.x = mx;
          best.y = my;
          best.error = e;
        }
      };
      int range = fine ? 0 : 5;
      if (!prev) {
        range = 8;
        best.x = best.y = 0;
      } else {
        for (int py = -1; py <= 1; ++py) {
          const int ty = by / (2 * bs) + py;
          if (ty < 0 || ty >= prev->rows) continue;
          for (int px = -1; px <= 1; ++px) {
            const int tx = bx / (2 * bs) + px;
            if (tx < 0 || tx >= prev->cols) continue;
            const FilterMv& old = prev->at(tx, ty);
            test(old.x * factor, old.y * factor);
          }
        }
        test(0, 0);
      }
      // Integer search around the best candidate (the coarse levels' MVs are whole samples).
      const int cx = best.x / 16, cy = best.y / 16;
      for (int y2 = cy - range; y2 <= cy + range; ++y2)
        for (int x2 = cx - range; x2 <= cx + range; ++x2) test(x2 * 16, y2 * 16);
      if (fine) {  // 1/16-sample refinement: steps of 4 (+-6), then 2 (+-2), then 1 (+-1)
        // (VVenC's pattern of its 'slower' preset: a +-6 grid of step 4 first, 16 checks.)
        static constexpr int kStep[3] = {4, 2, 1};
        static constexpr int kReach[3] = {6, 2, 1};
        for (int k = 0; k < 3; ++k) {
          const FilterMv centre = best;
          for (int dy = -kReach[k]; dy <= kReach[k]; dy += kStep[k])
            for (int dx = -kReach[k]; dx <= kReach[k]; dx += kStep[k])
              if (dx || dy) test(centre.x + dx, centre.y + dy);
        }
      }
      if (by > 0) {
        const FilterMv& a = g.at(bx / bs, by / bs - 1);
        test(a.x, a.y);
      }
      if (bx > 0) {
        const FilterMv& l = g.at(bx / bs - 1, by / bs);
        test(l.x, l.y);
      }
      if (fine) {  // error relative to the block's activity, plus a little absolute MSE
        const double var = block_variance(cur.at(bx, by), cur.stride, w, h);
        const double sse = static_cast<double>(best.error);
        const double mse = sse / (static_cast<double>(w) * h);
        best.error = static_cast<int64_t>(20.0 * ((sse + 5.0) / (var + 5.0)) + mse / 50.0);
        best.rms = static_cast<int>(0.5 + std::sqrt(mse));
      }
      g.at(bx / bs, by / bs) = best;
    }
  }
}

MvGrid estimate_with_pyramid(const Pyramid& cur, const Pyramid& ref, int unit) {
  const int top = static_cast<int>(cur.level.size()) - 1;
  MvGrid coarser, g;
  estimate_level(coarser, cur.level[top], ref.level[top], 2 * unit, nullptr, 1, false);
  for (int l = top - 1; l >= 0; --l) {
    estimate_level(g, cur.level[l], ref.level[l], 2 * unit, &coarser, 2, false);
    std::swap(g, coarser);
  }
  estimate_level(g, cur.level[0], ref.level[0], unit, &coarser, 1, true);
  return g;
}

// Removes a planar (bias + gradients) mismatch between a motion-compensated block and the
// original block, in part when the match was good: it hides illumination changes and the
// block edges a bad match leaves (VVenC's "deblocking" of corrected blocks).
void planar_correction(const Pel* org, ptrdiff_t orgStride, Pel* pred, int w, int h, int rms) {
  const double weight = std::min(512, rms * rms) / 512.0;
  const double xc = (w - 1) / 2.0, yc = (h - 1) / 2.0;
  double sz = 0, sxz = 0, syz = 0, sxx = 0, syy = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const double z = pred[y * w + x] - org[y * orgStride + x];
      sz += z;
      sxz += (x - xc) * z;
      syz += (y - yc) * z;
      sxx += (x - xc) * (x - xc);
      syy += (y - yc) * (y - yc);
    }
  const double n = static_cast<double>(w) * h;
  const double a = weight * sz / n, b = weight * sxz / sxx, c = weight * syz / syy;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const double plane = a + b * (x - xc) + c * (y - yc);
      pred[y * w + x] = clip_pel(pred[y * w + x] - static_cast<int>(std::lround(plane)));
    }
}

// Reference strength for a neighbour |dPOC| = d (>= 1).
double ref_strength(int d, bool futureRefs) {
  return futureRefs ? std::min(0.84375, 3.0 / (1 + 2 * d)) : std::min(1.125, 5.0 / (1 + 2 * d));
}

// Filters one block of one component: org (w x h in the plane) with the motion-compensated
// neighbours pred[i] (w x h, stride w), writes into dst.
void filter_block(const Pel* org, ptrdiff_t orgStride, Pel* dst, ptrdiff_t dstStride, int w, int h,
                  const std::vector<const Pel*>& pred, const std::vector<int64_t>& error,
                  const std::vector<double>& refStr, double weightScaling, double sigmaSq) {
  const size_t n = pred.size();
  std::vector<double> ww(n), sw(n);
  int64_t minError = INT64_MAX;
  for (size_t i = 0; i < n; ++i) minError = std::min(minError, error[i]);
  for (size_t i = 0; i < n; ++i) {
    // Noise of the difference: its energy against the energy of its gradients (a smooth,
    // structured difference means misalignment, a rough one means noise).
    int64_t energy = 0, grad = 0;
    const Pel* p = pred[i];
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const int d = org[y * orgStride + x] - p[y * w + x];
        energy += d * d;
        if (x + 1 < w) {
          const int r = org[y * orgStride + x + 1] - p[y * w + x + 1] - d;
          grad += r * r;
        }
        if (y + 1 < h) {
          const int b = org[(y + 1) * orgStride + x] - p[(y + 1) * w + x] - d;
          grad += b * b;
        }
      }
    const double cntV = static_cast<double>(w) * h;
    const double cntD = 2.0 * cntV - w - h;
    const int noise = static_cast<int>(
        std::lround((15.0 * cntD / cntV * static_cast<double>(energy) + 5.0) / (grad + 5.0)));
    const double e = static_cast<double>(error[i]);
    double wf = noise < 25 ? 1.0 : 0.6;
    double sf = noise < 25 ? 1.0 : 0.8;
    wf *= e < 50 ? 1.2 : (e > 100 ? 0.6 : 1.0);
    sf *= e < 50 ? 1.0 : 0.8;
    wf *= (static_cast<double>(minError) + 1.0) / (e + 1.0);
    ww[i] = wf * weightScaling * refStr[i];
    sw[i] = sf * 2.0 * sigmaSq;
  }
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const int o = org[y * orgStride + x];
      double num = o, den = 1.0;
      for (size_t i = 0; i < n; ++i) {
        const int r = pred[i][y * w + x];
        const double d = r - o;
        const double wt = ww[i] * std::exp(-d * d / sw[i]);
        num += wt * r;
        den += wt;
      }
      dst[y * dstStride + x] = clip_pel(static_cast<int>(num / den + 0.5));
    }
}

}  // namespace

void MvGrid::reset(int blockSize, int width, int height) {
  block = blockSize;
  cols = (width + blockSize - 1) / blockSize;
  rows = (height + blockSize - 1) / blockSize;
  mv.assign(static_cast<size_t>(cols) * rows, FilterMv{});
}

MvGrid estimate_filter_motion(const Plane& cur, const Plane& ref, int unit) {
  return estimate_with_pyramid(build_pyramid(cur), build_pyramid(ref), unit);
}

int mctf_unit_size(int width, int height) {
  return std::min(width, height) < 720 ? 8 : 16;
}

Picture temporal_filter(const Picture& cur, const std::vector<FilterNeighbour>& neighbours,
                        const FilterSettings& s, std::vector<MvGrid>* motion) {
  Picture out = cur;
  if (neighbours.empty() || s.strength <= 0) return out;
  const int u = s.unit;
  const size_t n = neighbours.size();

  const Pyramid curPyr = build_pyramid(cur.comp[kY]);
  std::vector<MvGrid> grids(n);
  std::vector<PaddedPicture> padded(n);
  for (size_t i = 0; i < n; ++i) {
    grids[i] = estimate_with_pyramid(curPyr, build_pyramid(neighbours[i].pic->comp[kY]), u);
    padded[i].build(*neighbours[i].pic);
  }

  const double qp = s.base_qp;
  const double sigmaSq[2] = {9.0 * (128.0 + 3.0 / 256.0 * qp * qp * qp), 30.0 * 30.0};
  const double scaling[2] = {s.strength * 0.4, s.strength * 0.55};
  std::vector<double> refStr(n);
  for (size_t i = 0; i < n; ++i)
    refStr[i] = ref_strength(std::abs(neighbours[i].poc_offset), s.future_refs);

  // Motion-compensated neighbours of one u x u block, 10-bit: luma, Cb, Cr per neighbour.
  const int uc = u / 2;
  std::vector<Pel> predBuf(n * static_cast<size_t>(u * u + 2 * uc * uc));
  std::vector<int16_t> mc(static_cast<size_t>(u * u + 2 * uc * uc));
  std::vector<const Pel*> pred(n);
  std::vector<int64_t> error(n);

  for (int by = 0; by < cur.height; by += u) {
    for (int bx = 0; bx < cur.width; bx += u) {
      const int w = std::min(u, cur.width - bx), h = std::min(u, cur.height - by);
      const int wc = w / 2, hc = h / 2;
      for (size_t i = 0; i < n; ++i) {
        const FilterMv& m = grids[i].at(bx / u, by / u);
        int16_t* mcL = mc.data();
        int16_t* mcCb = mcL + w * h;
        int16_t* mcCr = mcCb + wc * hc;
        motion_compensate(padded[i], Mv(m.x, m.y), bx, by, w, h, mcL, w, mcCb, mcCr, wc);
        Pel* dst = predBuf.data() + i * static_cast<size_t>(u * u + 2 * uc * uc);
        // The three blocks lie back to back in both buffers: convert them as one row.
        weighted_uni(mc.data(), 0, dst, 0, w * h + 2 * wc * hc, 1);
        error[i] = m.error;
      }
      for (int c = 0; c < 3; ++c) {
        const int cx = c ? bx / 2 : bx, cy = c ? by / 2 : by;
        const int cw = c ? wc : w, ch = c ? hc : h;
        const size_t off =
            c == 0 ? 0
                   : (c == 1 ? static_cast<size_t>(w * h) : static_cast<size_t>(w * h + wc * hc));
        const Plane& op = cur.comp[c];
        const Pel* org = op.row(cy) + cx;
        for (size_t i = 0; i < n; ++i) {
          Pel* p = predBuf.data() + i * static_cast<size_t>(u * u + 2 * uc * uc) + off;
          const FilterMv& m = grids[i].at(bx / u, by / u);
          if (m.rms > 0 && s.base_qp <= 32 && cw == ch && cw <= 32)
            planar_correction(org, op.stride, p, cw, ch, m.rms);
          pred[i] = p;
        }
        filter_block(org, op.stride, out.comp[c].row(cy) + cx, out.comp[c].stride, cw, ch, pred,
                     error, refStr, scaling[c ? 1 : 0], sigmaSq[c ? 1 : 0]);
      }
    }
  }
  if (motion) *motion = std::move(grids);
  return out;
}

namespace {

// Level of poc in the schedule: 0 = the top (multiples of the GOP size), 1 the next, ...;
// -1 when poc is not filtered. levels receives the number of levels.
int schedule_level(const MctfParams& p, int poc, int& levels) {
  levels = 0;
  if (p.gop_size < 2 || poc < 0) return -1;
  int log2Gop = 0;
  while ((2 << log2Gop) <= p.gop_size) ++log2Gop;
  log2Gop = std::min(6, log2Gop);
  levels = std::max(1, log2Gop - (p.base_qp >> 4));
  int pos = poc + p.poc_offset;
  if (!p.gop_position.empty()) {
    if (poc >= static_cast<int>(p.gop_position.size())) return -1;
    pos = p.gop_position[static_cast<size_t>(poc)];
    if (pos == 0) return 0;  // IRAP
  }
  for (int k = 0; k < levels; ++k)
    if (pos % (p.gop_size >> k) == 0) return k;
  return -1;
}

}  // namespace

double mctf_strength(const MctfParams& p, int poc) {
  int levels = 0;
  const int k = schedule_level(p, poc, levels);
  if (k < 0) return 0;
  const double qp = p.base_qp;
  if (k == 0) return std::clamp((qp - 4.0) * 3.0 / 32.0, 0.0, 1.5);
  return std::clamp((qp - 4.0) / 8.0, 0.0, 2.0) / (k + 1);
}

int mctf_range(const MctfParams& p, int poc) {
  int levels = 0;
  const int k = schedule_level(p, poc, levels);
  if (k < 0) return 0;
  return k <= 1 ? p.range : std::min(p.range, 2);  // the two top levels use the full range
}

int mctf_first_needed(const MctfParams& p, int poc) {
  return mctf_strength(p, poc) > 0 ? std::max(0, poc - mctf_range(p, poc)) : poc;
}

bool filter_source(const MctfParams& p, int poc,
                   const std::function<const Picture&(int poc)>& frame, Picture& out,
                   QpOffsetMap* bim, int ctuSize) {
  const double strength = mctf_strength(p, poc);
  if (strength <= 0) return false;
  std::vector<FilterNeighbour> nb;
  const int range = mctf_range(p, poc);
  for (int d = 1; d <= range; ++d) {
    if (poc - d >= 0) nb.push_back({&frame(poc - d), -d});
    if (p.future_refs && poc + d < p.num_frames) nb.push_back({&frame(poc + d), d});
  }
  if (nb.empty()) return false;
  FilterSettings s;
  s.strength = strength;
  s.base_qp = p.base_qp;
  s.future_refs = p.future_refs;
  s.unit = mctf_unit_size(p.width, p.height);
  std::vector<MvGrid> motion;
  out = temporal_filter(frame(poc), nb, s, bim ? &motion : nullptr);
  if (bim) *bim = bim_from_motion(nb, motion, s.unit, strength, p.width, p.height, ctuSize);
  return true;
}

}  // namespace vvc
