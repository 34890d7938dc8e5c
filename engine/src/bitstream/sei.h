// SEI messages (H.266 7.3.6 sei_rbsp, H.274 decoded picture hash, payloadType 132).
#pragma once
#include <cstdint>
#include <vector>

#include "common/picture.h"

namespace vvc {

// RBSP of a suffix SEI NAL unit carrying one decoded picture hash message with MD5 hashes
// (dph_sei_hash_type 0) of all three components over the top-left cropW x cropH luma region.
// The standard hashes the whole decoded picture (pps_pic_width/height_in_luma_samples, which
// is what FFmpeg verifies): pass the coded size, i.e. recon.width and recon.height.
std::vector<uint8_t> write_md5_sei(const Picture& recon, int cropW, int cropH);

}  // namespace vvc
