#include "bitstream/bit_writer.h"

#include <cassert>

namespace vvc {

void BitWriter::write(uint32_t value, int nbits) {
  assert(nbits >= 0 && nbits <= 32);
  for (int i = nbits - 1; i >= 0; --i) {
    if (bit_pos_ == 0) bytes_.push_back(0);
    const uint32_t bit = (value >> i) & 1u;
    bytes_.back() |= static_cast<uint8_t>(bit << (7 - bit_pos_));
    bit_pos_ = (bit_pos_ + 1) & 7;
  }
}

void BitWriter::write_ue(uint32_t value) {
  // codeNum = value; prefix of leadingZeroBits zeros, then (value + 1) in leadingZeroBits+1 bits.
  const uint64_t v = static_cast<uint64_t>(value) + 1;
  int len = 0;
  while ((v >> len) > 1) ++len;
  write(0, len);
  // v has len+1 significant bits; write them in two parts to stay within 32 bits per call.
  if (len + 1 > 32) {
    write(static_cast<uint32_t>(v >> 32), len + 1 - 32);
    write(static_cast<uint32_t>(v & 0xffffffffu), 32);
  } else {
    write(static_cast<uint32_t>(v), len + 1);
  }
}

void BitWriter::write_se(int32_t value) {
  const int64_t k = value;
  const uint64_t code = k > 0 ? static_cast<uint64_t>(2 * k - 1) : static_cast<uint64_t>(-2 * k);
  write_ue(static_cast<uint32_t>(code));
}

void BitWriter::byte_align_zero() {
  if (bit_pos_ != 0) write(0, 8 - bit_pos_);
}

void BitWriter::byte_alignment() {
  write(1, 1);
  byte_align_zero();
}

void BitWriter::rbsp_trailing_bits() {
  write(1, 1);
  byte_align_zero();
}

void BitWriter::append_bytes(const std::vector<uint8_t>& data) {
  if (byte_aligned()) {
    bytes_.insert(bytes_.end(), data.begin(), data.end());
  } else {
    for (uint8_t b : data) write(b, 8);  // not expected in practice; kept correct anyway
  }
}

}  // namespace vvc
