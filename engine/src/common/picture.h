// Sample planes and pictures shared by every coding stage. Samples are stored as int16_t
// (10-bit internal coding; residuals fit too). Planes of a picture are 4:2:0.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

namespace vvc {

using Pel = int16_t;

enum ComponentId : int { kY = 0, kCb = 1, kCr = 2 };

constexpr int kBitDepth = 10;  // internal bit depth (Main 10, 8-bit sources are coded at 10)
constexpr int kMaxVal = (1 << kBitDepth) - 1;

template <typename T>
constexpr T clip3(T lo, T hi, T v) {
  return v < lo ? lo : (v > hi ? hi : v);
}
inline Pel clip_pel(int v) {
  return static_cast<Pel>(clip3(0, kMaxVal, v));
}

struct Plane {
  int width = 0;
  int height = 0;
  int stride = 0;
  std::vector<Pel> data;

  Plane() = default;
  Plane(int w, int h) : width(w), height(h), stride(w), data(static_cast<size_t>(w) * h, 0) {}
  Pel* row(int y) { return data.data() + static_cast<size_t>(y) * stride; }
  const Pel* row(int y) const { return data.data() + static_cast<size_t>(y) * stride; }
  Pel& at(int x, int y) { return data[static_cast<size_t>(y) * stride + x]; }
  Pel at(int x, int y) const { return data[static_cast<size_t>(y) * stride + x]; }
};

// A 4:2:0 picture. width/height are the coded (padded to a multiple of 8) luma size.
struct Picture {
  Plane comp[3];
  int width = 0;
  int height = 0;

  Picture() = default;
  Picture(int w, int h) : width(w), height(h) {
    comp[kY] = Plane(w, h);
    comp[kCb] = Plane(w / 2, h / 2);
    comp[kCr] = Plane(w / 2, h / 2);
  }
};

}  // namespace vvc
