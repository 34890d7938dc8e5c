#include "bitstream/sei.h"

#include "bitstream/bit_writer.h"
#include "bitstream/picture_hash.h"

namespace vvc {

namespace {

constexpr int kPayloadDecodedPictureHash = 132;  // H.274 Table 1 / H.266 D.2

// sei_message(): payloadType and payloadSize as runs of 0xFF bytes plus a last byte (7.3.6.1).
void write_sei_varlen(BitWriter& bw, int v) {
  while (v >= 255) {
    bw.write(0xff, 8);
    v -= 255;
  }
  bw.write(static_cast<uint32_t>(v), 8);
}

}  // namespace

std::vector<uint8_t> write_md5_sei(const Picture& recon, int cropW, int cropH) {
  const auto digests = picture_md5(recon, cropW, cropH);
  // decoded_picture_hash(): dph_sei_hash_type u(8) = 0 (MD5), dph_sei_single_component_flag
  // u(1) = 0, dph_sei_reserved_zero_7bits u(7), then 16 bytes per component.
  BitWriter payload;
  payload.write(0, 8);
  payload.write_flag(false);
  payload.write(0, 7);
  for (const auto& d : digests)
    for (uint8_t b : d) payload.write(b, 8);

  BitWriter bw;
  write_sei_varlen(bw, kPayloadDecodedPictureHash);
  write_sei_varlen(bw, static_cast<int>(payload.bytes().size()));
  bw.append_bytes(payload.bytes());  // byte aligned: no sei_payload alignment bits needed
  bw.rbsp_trailing_bits();           // sei_rbsp(): no more messages
  return bw.bytes();
}

}  // namespace vvc
