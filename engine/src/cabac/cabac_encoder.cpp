#include "cabac/cabac_encoder.h"

namespace vvc {

void CabacEncoder::start() {
  low_ = 0;
  range_ = 510;
  pending_ = 0;
  bytes_.clear();
}

// A carry out of the pending bits adds one to the bytes already written. The interval never
// leaves [0, 1) of the whole code value, so a byte below 0xff always absorbs it.
void CabacEncoder::propagate_carry() {
  std::size_t i = bytes_.size();
  while (i > 0 && bytes_[i - 1] == 0xff) bytes_[--i] = 0;
  if (i > 0) ++bytes_[i - 1];
}

void CabacEncoder::flush_bytes() {
  while (pending_ >= 8) {
    const int top = pending_ + 9;  // bit position of a possible carry
    if (low_ >> top) {
      propagate_carry();
      low_ &= (uint64_t(1) << top) - 1;
    }
    pending_ -= 8;
    bytes_.push_back(uint8_t(low_ >> (pending_ + 9)));
    low_ &= (uint64_t(1) << (pending_ + 9)) - 1;
  }
}

void CabacEncoder::finish() {
  flush_bytes();
  const int top = pending_ + 9;
  if (low_ >> top) {
    propagate_carry();
    low_ &= (uint64_t(1) << top) - 1;
  }
  // The codeword ends with bits [pending_ + 8 .. 8] of low_ (9.3.4.3.5 flush: the bits above
  // the interval register plus register bits 9 and 8); then rbsp_stop_one_bit and zero bits up
  // to the byte boundary.
  int n = pending_ + 1;
  uint32_t bits = uint32_t(low_ >> 8);
  bits = (bits << 1) | 1u;
  ++n;
  const int pad = (8 - n % 8) % 8;
  bits <<= pad;
  n += pad;
  while (n > 0) {
    n -= 8;
    bytes_.push_back(uint8_t(bits >> n));
  }
  low_ = 0;
  pending_ = 0;
  range_ = 510;
}

}  // namespace vvc
