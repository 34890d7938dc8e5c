#include "nn/ctu_input.h"

#include <algorithm>
#include <cstdlib>

namespace vvc {

namespace {
constexpr int kCtu = static_cast<int>(shm::kCtuSize);

// The service's models were trained on 10-bit samples.
inline int to_10_bits(int v, int bitDepth) {
  if (bitDepth == 10) return v;
  if (bitDepth < 10) return v << (10 - bitDepth);
  return (v + (1 << (bitDepth - 11))) >> (bitDepth - 10);
}
}  // namespace

int fill_ctu_luma(ShmChannel& ch, const LumaPlane& src, int w, int h, int bitDepth) {
  const int ctusX = (w + kCtu - 1) / kCtu, ctusY = (h + kCtu - 1) / kCtu;
  uint32_t* origins = ch.origins();
  int n = 0;
  for (int cy = 0; cy < ctusY; ++cy) {
    for (int cx = 0; cx < ctusX; ++cx, ++n) {
      const int x0 = cx * kCtu, y0 = cy * kCtu;
      origins[2 * n] = static_cast<uint32_t>(x0);
      origins[2 * n + 1] = static_cast<uint32_t>(y0);
      uint16_t* dst = ch.luma(n);
      const int inside = std::clamp(w - x0, 0, kCtu);
      for (int r = 0; r < kCtu; ++r) {
        const int16_t* s = src.row(std::min(y0 + r, h - 1));
        uint16_t* d = dst + r * kCtu;
        for (int c = 0; c < inside; ++c)
          d[c] = static_cast<uint16_t>(to_10_bits(s[x0 + c], bitDepth));
        const uint16_t edge = static_cast<uint16_t>(to_10_bits(s[w - 1], bitDepth));
        for (int c = inside; c < kCtu; ++c) d[c] = edge;
      }
    }
  }
  return n;
}

void fill_ctu_cue(ShmChannel& ch, int n, const LumaPlane& src, const LumaPlane& ref, int rw, int rh,
                  int bitDepth) {
  const uint32_t* origins = ch.origins();
  for (int k = 0; k < n; ++k) {
    const int x0 = static_cast<int>(origins[2 * k]), y0 = static_cast<int>(origins[2 * k + 1]);
    int16_t* dst = ch.cue(k);
    for (int r = 0; r < kCtu; ++r) {
      const int16_t* a = src.row(std::min(y0 + r, rh - 1));
      const int16_t* b = ref.row(std::min(y0 + r, rh - 1));
      int16_t* d = dst + r * kCtu;
      for (int c = 0; c < kCtu; ++c) {
        const int xc = std::min(x0 + c, rw - 1);
        d[c] = static_cast<int16_t>(
            std::abs(to_10_bits(a[xc], bitDepth) - to_10_bits(b[xc], bitDepth)));
      }
    }
  }
}

}  // namespace vvc
