// MD5 message digest (RFC 1321), for the decoded picture hash SEI and recon checks.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace vvc {

class Md5 {
 public:
  Md5() { reset(); }
  void reset();
  void update(const uint8_t* data, size_t len);
  // Finishes the digest; the object must be reset() before reuse.
  std::array<uint8_t, 16> finish();

 private:
  void transform(const uint8_t block[64]);
  uint32_t state_[4];
  uint64_t total_len_ = 0;  // bytes
  uint8_t buffer_[64];
  size_t buffered_ = 0;
};

std::array<uint8_t, 16> md5(const uint8_t* data, size_t len);
std::string to_hex(const std::array<uint8_t, 16>& digest);

}  // namespace vvc
