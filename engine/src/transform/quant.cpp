// Quantizer and scaling process, see quant.h.
#include "transform/quant.h"

#include <algorithm>
#include <cstdlib>

#include "cabac/residual_coding.h"

namespace vvc {

int quantize(const int32_t* coeff, int log2W, int log2H, int qp, bool intra, int32_t* levels) {
  const int n = 1 << (log2W + log2H);
  const int64_t scale = quant_scale(log2W, log2H, qp);
  const int qBits = quant_qbits(log2W, log2H, qp);
  const int64_t add = static_cast<int64_t>(intra ? kQuantOffsetIntra : kQuantOffsetInter)
                      << (qBits - 9);
  int nonzero = 0;
  for (int i = 0; i < n; ++i) {
    const int32_t c = coeff[i];
    const int64_t mag = (static_cast<int64_t>(std::abs(c)) * scale + add) >> qBits;
    const int32_t lv = static_cast<int32_t>(std::min<int64_t>(mag, kCoeffMax + (c < 0 ? 1 : 0)));
    levels[i] = c < 0 ? -lv : lv;
    nonzero += lv != 0;
  }
  return nonzero;
}

void dep_quant_trans_levels(const int32_t* levels, int log2W, int log2H, int32_t* out) {
  const int log2ZoW = std::min(log2W, 5), log2ZoH = std::min(log2H, 5);
  const int stride = 1 << log2W;
  const CoeffScan& scan = coeff_scan(log2ZoW, log2ZoH);
  std::fill(out, out + (size_t(1) << (log2W + log2H)), 0);
  int s = (1 << (log2ZoW + log2ZoH)) - 1;
  while (s >= 0 && !levels[scan.pos[2 * s + 1] * stride + scan.pos[2 * s]]) --s;
  int qState = 0;  // 7.3.11.11: QState = 0 at the last significant position
  for (; s >= 0; --s) {
    const int blk = scan.pos[2 * s + 1] * stride + scan.pos[2 * s];
    const int32_t l = levels[blk];
    const int32_t a = std::abs(l);
    if (a) {
      const int32_t t = 2 * a - (qState > 1 ? 1 : 0);
      out[blk] = l < 0 ? -t : t;
    }
    qState = residual_detail::next_qstate(qState, a);
  }
}

void dequantize(const int32_t* levels, int log2W, int log2H, int qp, int32_t* coeffOut,
                bool depQuant) {
  const int w = 1 << log2W;
  const int h = 1 << log2H;
  int32_t trans[64 * 64];
  if (depQuant) {
    dep_quant_trans_levels(levels, log2W, log2H, trans);
    levels = trans;
  }
  const int qP = qp + kQpBdOffset + (depQuant ? 1 : 0);
  const int rect = quant_needs_sqrt2(log2W, log2H) ? 1 : 0;
  const int64_t ls = static_cast<int64_t>(16 * kLevelScale[rect][qP % 6]) << (qP / 6);
  const int bdShift = kBitDepth + rect + ((log2W + log2H) >> 1) - 5 + (depQuant ? 1 : 0);
  const int64_t bdOffset = (int64_t{1} << bdShift) >> 1;
  const int nzW = std::min(w, 32);
  const int nzH = std::min(h, 32);
  std::fill(coeffOut, coeffOut + w * h, 0);
  for (int y = 0; y < nzH; ++y) {
    const int32_t* l = levels + y * w;
    int32_t* d = coeffOut + y * w;
    for (int x = 0; x < nzW; ++x) {
      if (!l[x]) continue;
      const int64_t v = (l[x] * ls + bdOffset) >> bdShift;
      d[x] = static_cast<int32_t>(std::clamp<int64_t>(v, kCoeffMin, kCoeffMax));
    }
  }
}

}  // namespace vvc
