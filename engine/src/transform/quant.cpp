// Quantizer and scaling process, see quant.h.
#include "transform/quant.h"

#include <algorithm>
#include <cstdlib>

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

void dequantize(const int32_t* levels, int log2W, int log2H, int qp, int32_t* coeffOut) {
  const int w = 1 << log2W;
  const int h = 1 << log2H;
  const int qP = qp + kQpBdOffset;
  const int rect = quant_needs_sqrt2(log2W, log2H) ? 1 : 0;
  const int64_t ls = static_cast<int64_t>(16 * kLevelScale[rect][qP % 6]) << (qP / 6);
  const int bdShift = kBitDepth + rect + ((log2W + log2H) >> 1) - 5;
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
