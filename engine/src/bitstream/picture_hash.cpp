#include "bitstream/picture_hash.h"

#include <vector>

#include "bitstream/md5.h"

namespace vvc {

Md5Digest plane_md5(const Plane& p, int w, int h) {
  Md5 m;
  std::vector<uint8_t> line(static_cast<size_t>(w) * 2);
  for (int y = 0; y < h; ++y) {
    const Pel* r = p.row(y);
    for (int x = 0; x < w; ++x) {
      const uint16_t v = static_cast<uint16_t>(r[x]);
      line[2 * x] = static_cast<uint8_t>(v & 0xff);
      line[2 * x + 1] = static_cast<uint8_t>(v >> 8);
    }
    m.update(line.data(), line.size());
  }
  return m.finish();
}

std::array<Md5Digest, 3> picture_md5(const Picture& pic, int lumaW, int lumaH) {
  return {plane_md5(pic.comp[kY], lumaW, lumaH), plane_md5(pic.comp[kCb], lumaW / 2, lumaH / 2),
          plane_md5(pic.comp[kCr], lumaW / 2, lumaH / 2)};
}

}  // namespace vvc
