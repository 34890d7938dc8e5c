// Distortion measures. Loops are written over whole rows of int32 so gcc vectorises them.
#include "rdo/distortion.h"

#include <cstdlib>

namespace vvc {
namespace {

// In-place unnormalised Hadamard over the N rows of an N x N tile: row butterflies
// (each combines two whole rows, vectorisable across the N columns).
template <int N>
inline void hadamard_rows(int32_t (&m)[N][N]) {
  for (int half = N / 2; half >= 1; half >>= 1) {
    for (int base = 0; base < N; base += 2 * half) {
      for (int i = base; i < base + half; ++i) {
        for (int j = 0; j < N; ++j) {
          const int32_t s = m[i][j] + m[i + half][j];
          const int32_t d = m[i][j] - m[i + half][j];
          m[i][j] = s;
          m[i + half][j] = d;
        }
      }
    }
  }
}

template <int N>
inline uint32_t hadamard_abs_sum(const Pel* a, int as, const Pel* b, int bs) {
  int32_t m[N][N];
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) m[i][j] = a[i * as + j] - b[i * bs + j];
  hadamard_rows<N>(m);
  int32_t t[N][N];
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) t[j][i] = m[i][j];
  hadamard_rows<N>(t);
  uint32_t sum = 0;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) sum += static_cast<uint32_t>(std::abs(t[i][j]));
  const uint32_t dc = static_cast<uint32_t>(std::abs(t[0][0]));
  return sum - dc + (dc >> 2);
}

}  // namespace

uint64_t sse(const Pel* a, int as, const Pel* b, int bs, int w, int h) {
  uint64_t total = 0;
  for (int y = 0; y < h; ++y) {
    const Pel* ra = a + y * as;
    const Pel* rb = b + y * bs;
    uint32_t row = 0;  // 10-bit samples, w <= 128: d * d and the row sum fit in 32 bits
    for (int x = 0; x < w; ++x) {
      const int32_t d = ra[x] - rb[x];
      row += static_cast<uint32_t>(d * d);
    }
    total += row;
  }
  return total;
}

uint64_t sad(const Pel* a, int as, const Pel* b, int bs, int w, int h) {
  uint64_t total = 0;
  for (int y = 0; y < h; ++y) {
    const Pel* ra = a + y * as;
    const Pel* rb = b + y * bs;
    uint32_t row = 0;
    for (int x = 0; x < w; ++x) row += static_cast<uint32_t>(std::abs(ra[x] - rb[x]));
    total += row;
  }
  return total;
}

uint32_t satd_4x4(const Pel* a, int as, const Pel* b, int bs) {
  return (hadamard_abs_sum<4>(a, as, b, bs) + 1) >> 1;
}

uint32_t satd_8x8(const Pel* a, int as, const Pel* b, int bs) {
  return (hadamard_abs_sum<8>(a, as, b, bs) + 2) >> 2;
}

uint64_t satd(const Pel* a, int as, const Pel* b, int bs, int w, int h) {
  uint64_t total = 0;
  if ((w & 7) == 0 && (h & 7) == 0) {
    for (int y = 0; y < h; y += 8)
      for (int x = 0; x < w; x += 8) total += satd_8x8(a + y * as + x, as, b + y * bs + x, bs);
  } else {
    for (int y = 0; y < h; y += 4)
      for (int x = 0; x < w; x += 4) total += satd_4x4(a + y * as + x, as, b + y * bs + x, bs);
  }
  return total;
}

}  // namespace vvc
