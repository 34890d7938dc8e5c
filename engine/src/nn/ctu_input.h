// What the predictor service gets for a picture: the CTUs in raster order, each 128x128 luma
// samples at 10 bits, edge-replicated beyond the picture, and for inter pictures the temporal
// cue |source - reference| per co-located luma sample (docs/predictor-protocol.md). One place
// for the engine and the C API, so both send the same CTUs for the same picture.
#pragma once
#include <cstddef>
#include <cstdint>

#include "nn/shm_channel.h"

namespace vvc {

// Sample planes as the encoders hold them: 16-bit samples, a row stride in samples.
struct LumaPlane {
  const int16_t* data = nullptr;
  ptrdiff_t stride = 0;
  int width = 0, height = 0;
  const int16_t* row(int y) const { return data + y * stride; }
};

// CTUs of a w x h picture (128x128 luma CTUs, the last row and column partial).
inline int ctu_count(int w, int h) {
  return ((w + int(shm::kCtuSize) - 1) / int(shm::kCtuSize)) *
         ((h + int(shm::kCtuSize) - 1) / int(shm::kCtuSize));
}

// Writes origins and luma of the first w x h samples of `src` (bitDepth 8..16 bits, scaled to
// the service's 10) into the channel; returns the number of CTUs (ctu_count(w, h)).
int fill_ctu_luma(ShmChannel& ch, const LumaPlane& src, int w, int h, int bitDepth = 10);

// Writes the cue of the n CTUs whose origins are in the channel: |src - ref| of the co-located
// sample, clamped into the rw x rh area both planes cover (edge replication, as the luma).
void fill_ctu_cue(ShmChannel& ch, int n, const LumaPlane& src, const LumaPlane& ref, int rw, int rh,
                  int bitDepth = 10);

}  // namespace vvc
