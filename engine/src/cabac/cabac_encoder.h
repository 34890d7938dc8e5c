// The CABAC arithmetic encoder: the mirror of the decoding engine of H.266 9.3.4.3 (the same
// interval arithmetic as VTM's BinEncoder, written as a byte-wise coder whose rare carries
// are propagated back into the already written bytes).
//
// Usage per slice:  start(); ...bins...; encode_bin_trm(1) for end_of_slice_segment_flag;
// finish().  After finish(), bytes() is the complete slice_data() payload INCLUDING
// rbsp_slice_segment_trailing_bits() (the rbsp_stop_one_bit and the zero alignment bits; no
// cabac_zero_words): the caller appends it after the byte-aligned slice header and adds
// nothing else. (This is the arithmetic codeword of 9.3.4.3.5's flush, VTM's finish() output,
// followed by the stop bit VTM writes with writeRBSPTrailingBits.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cabac/contexts.h"

namespace vvc {

class CabacEncoder {
 public:
  // Resets the coding engine (ivlLow = 0, ivlCurrRange = 510) and clears the output.
  void start();

  // Regular (context coded) bin; updates the context.
  void encode_bin(ContextModel& ctx, unsigned bin) {
    unsigned lps = ctx.lps_range(range_);
    range_ -= lps;
    if (bin != ctx.mps()) {
      const int n = __builtin_clz(lps) - 23;  // lps in [4, 256): shifts to reach >= 256
      low_ = (low_ + range_) << n;
      range_ = lps << n;
      pending_ += n;
    } else if (range_ < 256) {
      low_ <<= 1;
      range_ <<= 1;
      ++pending_;
    }
    ctx.update(bin);
    if (pending_ >= 8) flush_bytes();
  }

  // n (0..32) bypass bins: the low n bits of `value`, most significant first.
  void encode_bins_ep(uint32_t value, int n) {
    if (n < 32) value &= (1u << n) - 1;
    while (n > 16) {
      n -= 16;
      encode_bins_ep(value >> n, 16);
      value &= (1u << n) - 1;
    }
    low_ = (low_ << n) + uint64_t(range_) * value;
    pending_ += n;
    if (pending_ >= 8) flush_bytes();
  }

  // Terminating bin (end_of_slice_segment_flag etc.). After bin 1 only finish() may follow.
  void encode_bin_trm(unsigned bin) {
    range_ -= 2;
    if (bin) {
      low_ = (low_ + range_) << 7;
      range_ = 2 << 7;
      pending_ += 7;
    } else if (range_ < 256) {
      low_ <<= 1;
      range_ <<= 1;
      ++pending_;
    }
    if (pending_ >= 8) flush_bytes();
  }

  // Flushes the engine and writes rbsp_stop_one_bit + alignment (see header comment).
  // Call after encode_bin_trm(1).
  void finish();

  std::vector<uint8_t>& bytes() { return bytes_; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  // Bits produced so far, counting the not yet emitted ones (approximate before finish()).
  uint64_t bit_count() const { return uint64_t(bytes_.size()) * 8 + pending_; }

 private:
  void flush_bytes();
  void propagate_carry();

  // Code value below the emitted bytes: bits [pending_ + 8 .. 9] of low_ are determined
  // (up to a carry into bit pending_ + 9), bits [8 .. 0] are the 9-bit interval register.
  uint64_t low_ = 0;
  uint32_t range_ = 510;
  int pending_ = 0;
  std::vector<uint8_t> bytes_;
};

}  // namespace vvc
