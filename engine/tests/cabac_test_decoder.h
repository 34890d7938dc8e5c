// Test-only CABAC decoding engine, written from H.266 9.3.4.3 (initialisation 9.3.2.5,
// DecodeDecision 9.3.4.3.2, DecodeBypass 9.3.4.3.4, DecodeTerminate 9.3.4.3.5), used to check
// the encoder by round trips. Deliberately bit-serial and literal, not fast.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cabac/contexts.h"

namespace vvc_test {

class CabacTestDecoder {
 public:
  CabacTestDecoder(const uint8_t* data, size_t size) : data_(data), size_(size) {
    range_ = 510;
    offset_ = read_bits(9);
  }

  unsigned decode_bin(vvc::ContextModel& ctx) {
    // 9.3.4.3.2.1
    const unsigned qRangeIdx = range_ >> 5;
    const unsigned pState = ctx.p1 + 16u * ctx.p0;
    const unsigned valMps = pState >> 14;
    const unsigned lps = ((qRangeIdx * ((valMps ? 32767 - pState : pState) >> 9)) >> 1) + 4;
    range_ -= lps;
    unsigned bin;
    if (offset_ >= range_) {
      bin = !valMps;
      offset_ -= range_;
      range_ = lps;
    } else {
      bin = valMps;
    }
    // 9.3.4.3.2.2 (written out rather than calling ContextModel::update)
    const int s0 = ctx.shift0, s1 = ctx.shift1;
    ctx.p0 = uint16_t(ctx.p0 - (ctx.p0 >> s0) + ((1023 * bin) >> s0));
    ctx.p1 = uint16_t(ctx.p1 - (ctx.p1 >> s1) + ((16383 * bin) >> s1));
    // 9.3.4.3.3 RenormD
    while (range_ < 256) {
      range_ <<= 1;
      offset_ = (offset_ << 1) | read_bits(1);
    }
    return bin;
  }

  unsigned decode_bypass() {
    offset_ = (offset_ << 1) | read_bits(1);
    if (offset_ >= range_) {
      offset_ -= range_;
      return 1;
    }
    return 0;
  }

  uint32_t decode_bypass_bins(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 1) | decode_bypass();
    return v;
  }

  unsigned decode_terminate() {
    range_ -= 2;
    if (offset_ >= range_) return 1;  // CABAC parsing finishes, no renormalisation
    while (range_ < 256) {
      range_ <<= 1;
      offset_ = (offset_ << 1) | read_bits(1);
    }
    return 0;
  }

  // Number of bits consumed from the stream so far.
  size_t bit_pos() const { return pos_; }
  // Bit at position i (0 beyond the end).
  unsigned bit_at(size_t i) const {
    return i / 8 < size_ ? (data_[i / 8] >> (7 - i % 8)) & 1u : 0u;
  }

 private:
  uint32_t read_bits(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 1) | bit_at(pos_++);
    return v;
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  uint32_t range_ = 510;
  uint32_t offset_ = 0;
};

}  // namespace vvc_test
