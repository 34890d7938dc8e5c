// Fractional-bit rate estimation with the same interface as CabacEncoder, so that syntax
// writers (templates over the coder type) can be run in "measure" mode during RD search.
// Units: 1/32768 bit (kFracBitsOne == one bit). Contexts are updated exactly like the encoder.
#pragma once

#include <array>
#include <cstdint>

#include "cabac/contexts.h"

namespace vvc {

inline constexpr int kFracBitsShift = 15;
inline constexpr uint32_t kFracBitsOne = 1u << kFracBitsShift;

namespace detail {

// Natural log, good to ~1e-15 for x > 0 (used only to build the table at compile time).
constexpr double const_ln(double x) {
  int e = 0;
  while (x >= 2.0) x *= 0.5, ++e;
  while (x < 1.0) x *= 2.0, --e;
  // ln(x) = 2 atanh(z), z = (x - 1) / (x + 1) <= 1/3
  const double z = (x - 1.0) / (x + 1.0);
  const double z2 = z * z;
  double term = z, sum = 0.0;
  for (int k = 1; k < 80; k += 2) {
    sum += term / k;
    term *= z2;
  }
  return 2.0 * sum + e * 0.69314718055994530942;
}

// -log2(p) in 1/32768 bits for each 8-bit probability bucket (state() >> 7): bucket i covers
// P(bin == 1) in [i / 256, (i + 1) / 256); its centre (2i + 1) / 512 is used.
struct FracBitsTable {
  uint32_t bits[256][2];
};

constexpr FracBitsTable make_frac_bits_table() {
  FracBitsTable t{};
  for (int i = 0; i < 256; ++i) {
    const double p1 = (2.0 * i + 1.0) / 512.0;
    t.bits[i][1] = uint32_t(-const_ln(p1) / 0.69314718055994530942 * kFracBitsOne + 0.5);
    t.bits[i][0] = uint32_t(-const_ln(1.0 - p1) / 0.69314718055994530942 * kFracBitsOne + 0.5);
  }
  return t;
}

inline constexpr FracBitsTable kFracBits = make_frac_bits_table();

}  // namespace detail

class BitEstimator {
 public:
  void start() { bits_ = 0; }

  void encode_bin(ContextModel& ctx, unsigned bin) {
    bits_ += frac_bits(ctx, bin);
    ctx.update(bin);
  }
  void encode_bins_ep(uint32_t /*value*/, int n) { bits_ += uint64_t(n) << kFracBitsShift; }
  void encode_bin_trm(unsigned bin) { bits_ += bin ? kTrmBits1 : kTrmBits0; }
  void finish() {}

  // Accumulated rate in 1/32768 bits, and in bits.
  uint64_t frac_bits() const { return bits_; }
  double bits() const { return double(bits_) / kFracBitsOne; }
  void reset() { bits_ = 0; }

  // Cost of coding `bin` with `ctx` in its current state, in 1/32768 bits (no update).
  static uint32_t frac_bits(const ContextModel& ctx, unsigned bin) {
    return detail::kFracBits.bits[ctx.state() >> 7][bin];
  }

 private:
  // Terminate bin: P(1) = 2 / ivlCurrRange, taken at a typical range of ~380.
  static constexpr uint32_t kTrmBits0 = 0x10c;    // ~0.008 bit
  static constexpr uint32_t kTrmBits1 = 0x3bfbb;  // ~7.5 bits
  uint64_t bits_ = 0;
};

}  // namespace vvc
