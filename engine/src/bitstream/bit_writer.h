// MSB-first bit writer for RBSP payloads (parameter sets, headers, SEI): fixed-length codes,
// Exp-Golomb ue(v)/se(v) (H.266 9.2), alignment and trailing bits (7.3.2.x).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vvc {

class BitWriter {
 public:
  // Writes the nbits (0..32) low bits of value, most significant first.
  void write(uint32_t value, int nbits);
  void write_flag(bool b) { write(b ? 1u : 0u, 1); }
  // ue(v): Exp-Golomb, 9.2.2. Values up to 2^32-2.
  void write_ue(uint32_t value);
  // se(v): k > 0 maps to 2k-1, k <= 0 maps to -2k (9.2.3).
  void write_se(int32_t value);
  // Zero bits up to the next byte boundary (gci/ptl/sei alignment, byte-aligned payloads).
  void byte_align_zero();
  // byte_alignment(): one 1 bit then zero bits to the boundary (7.3.2.22, before slice data).
  void byte_alignment();
  // rbsp_trailing_bits(): stop bit 1 then zero bits (7.3.2.21).
  void rbsp_trailing_bits();
  bool byte_aligned() const { return bit_pos_ == 0; }
  // The bytes written so far; a partial last byte is included, padded with zeros.
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  size_t bit_count() const { return bytes_.size() * 8 - (bit_pos_ ? 8 - bit_pos_ : 0); }
  // Appends whole bytes (slice data after byte_alignment()); the writer must be byte aligned.
  void append_bytes(const std::vector<uint8_t>& data);

 private:
  std::vector<uint8_t> bytes_;
  int bit_pos_ = 0;  // bits already used in the last byte (0 = aligned)
};

}  // namespace vvc
