// Shared binarizations of 9.3.3 written through any coder (CabacEncoder, BitEstimator,
// BinRecorder).
#pragma once
#include <cstdint>

namespace vvc {

// k-th order Exp-Golomb, bypass bins (9.3.3.5).
template <class Coder>
void code_eg_k(Coder& c, uint32_t v, int k) {
  while (v >= (1u << k)) {
    c.encode_bins_ep(1, 1);
    v -= 1u << k;
    ++k;
  }
  c.encode_bins_ep(0, 1);
  if (k) c.encode_bins_ep(v, k);
}

}  // namespace vvc
