// sad_rows (the row-subsampled SAD of the integer motion search): rowShift 0 is sad(), and
// rowShift 1 is the scalar SAD of the even rows, doubled, for the SIMD widths (4, 8..128) and
// a scalar one (12), with strides wider than the block.
#include <cstdio>
#include <random>
#include <vector>

#include "check.h"
#include "rdo/distortion.h"

using namespace vvc;

int main() {
  std::mt19937 rng(3);
  for (int w : {4, 8, 12, 16, 32, 64, 128})
    for (int h : {8, 16, 32, 64, 128}) {
      const int as = w + 5, bs = w + 16;
      std::vector<Pel> a(size_t(as) * h), b(size_t(bs) * h);
      for (Pel& v : a) v = Pel(rng() % 1024);
      for (Pel& v : b) v = Pel(rng() % 1024);
      CHECK_EQ(sad_rows(a.data(), as, b.data(), bs, w, h, 0),
               sad(a.data(), as, b.data(), bs, w, h));
      uint64_t even = 0;
      for (int y = 0; y < h; y += 2)
        even += sad_scalar(a.data() + size_t(y) * as, as, b.data() + size_t(y) * bs, bs, w, 1);
      CHECK_EQ(sad_rows(a.data(), as, b.data(), bs, w, h, 1), 2 * even);
    }
  TEST_MAIN_END();
}
