// Per-4x4-luma-unit state of the picture being coded, one set per channel type (luma tree,
// chroma tree): the covering CU's size and quadtree depth (split-flag contexts), whether the
// unit is already reconstructed (intra reference availability, 6.4.4), and the luma intra
// mode (MPM derivation, chroma DM). One 4x4 luma unit = one 2x2 unit of each 4:2:0 chroma plane.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

namespace vvc {

struct CuUnit {
  uint8_t log2w = 0;  // CbWidth / CbHeight of the covering CU, luma samples, log2
  uint8_t log2h = 0;
  uint8_t qt_depth = 0;
  uint8_t coded = 0;  // 1 once the covering CU is reconstructed
  uint8_t skip = 0;   // P/B slices: cu_skip_flag of the covering CU (cu_skip_flag context)
  uint8_t intra = 0;  // P/B slices: the covering CU is intra (pred_mode_flag context)
  uint8_t cbf = 0;    // P/B slices: bit c set when the CU's component c has coefficients
};

class CuMaps {
 public:
  void reset(int lumaW, int lumaH) {
    w4_ = lumaW >> 2;
    h4_ = lumaH >> 2;
    for (auto& m : unit_) m.assign(static_cast<size_t>(w4_) * h4_, CuUnit{});
    mode_.assign(static_cast<size_t>(w4_) * h4_, 0);
  }
  int w4() const { return w4_; }
  int h4() const { return h4_; }
  // ch: 0 luma tree, 1 chroma tree; (x4, y4) in 4x4 luma units, inside the picture.
  CuUnit& at(int ch, int x4, int y4) { return unit_[ch][static_cast<size_t>(y4) * w4_ + x4]; }
  const CuUnit& at(int ch, int x4, int y4) const {
    return unit_[ch][static_cast<size_t>(y4) * w4_ + x4];
  }
  uint8_t& mode(int x4, int y4) { return mode_[static_cast<size_t>(y4) * w4_ + x4]; }
  uint8_t mode(int x4, int y4) const { return mode_[static_cast<size_t>(y4) * w4_ + x4]; }
  // Whether luma position (x, y) lies in the picture and its CU of channel ch is coded.
  bool coded_luma_pos(int ch, int x, int y) const {
    if (x < 0 || y < 0) return false;
    const int x4 = x >> 2, y4 = y >> 2;
    if (x4 >= w4_ || y4 >= h4_) return false;
    return at(ch, x4, y4).coded != 0;
  }

  // Rectangle (in 4x4 units, clipped to the picture) helpers for save / restore in the search.
  void set_coded(int ch, int x4, int y4, int n4w, int n4h, uint8_t v) {
    for (int y = y4; y < y4 + n4h && y < h4_; ++y)
      for (int x = x4; x < x4 + n4w && x < w4_; ++x) at(ch, x, y).coded = v;
  }

 private:
  int w4_ = 0, h4_ = 0;
  std::vector<CuUnit> unit_[2];
  std::vector<uint8_t> mode_;
};

}  // namespace vvc
