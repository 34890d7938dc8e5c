// MD5 of decoded pictures as the decoded picture hash SEI defines it (H.274 8.7): per
// component, samples in raster order, each as 2 little-endian bytes (bit depth > 8).
#pragma once
#include <array>
#include <cstdint>

#include "common/picture.h"

namespace vvc {

using Md5Digest = std::array<uint8_t, 16>;

// MD5 of the top-left w x h samples of a plane.
Md5Digest plane_md5(const Plane& p, int w, int h);

// Per-component MD5 of the top-left lumaW x lumaH region (chroma: half size, 4:2:0).
std::array<Md5Digest, 3> picture_md5(const Picture& pic, int lumaW, int lumaH);

}  // namespace vvc
