// What the sequence encoder reports of each coded picture: size, quality against the source,
// time, and how its CUs were coded.
#pragma once
#include <cstdint>

#include "common/picture.h"
#include "picture/encode_picture.h"

namespace vvc {

struct FrameStats {
  int poc = 0;
  char slice_type = 'I';
  int qp = 0;
  uint64_t bits = 0;  // all bytes written for the picture's access unit, times 8
  double psnr[3] = {0, 0, 0};
  double time_s = 0;            // wall time to encode the picture
  int64_t nodes = -1;           // coding-tree nodes the search visited (logged when >= 0)
  int temporal_id = -1;         // logged as "tid" when >= 0 (random access / low delay)
  const char* nal = nullptr;    // NAL unit type name, logged as "nal" when set
  const CuStats* cu = nullptr;  // logged as "cu" (shares of the area) when set
  uint64_t area = 0;            // luma samples of the picture (the shares' denominator)
};

// PSNR of the top-left w x h (luma units) area of component c, peak 1023 (10 bits). Identical
// planes give kPsnrIdentical.
constexpr double kPsnrIdentical = 999.99;
double plane_psnr(const Plane& a, const Plane& b, int w, int h);

}  // namespace vvc
