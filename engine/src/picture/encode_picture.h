// Encoding of one picture: the CTU loop with the rate-distortion coding-tree search (dual tree
// in I slices), the CU syntax, reconstruction and deblocking.
#pragma once
#include <cstdint>
#include <vector>

#include "bitstream/params.h"
#include "common/picture.h"
#include "partition/split_oracle.h"

namespace vvc {

struct PictureCoding {
  int poc = 0;
  int qp = 32;  // slice QP (QpY, no QpBdOffset)
  SliceType slice_type = SliceType::I;
  int temporal_id = 0;
};

// Codes orig (coded size cfg.width x cfg.height, 10-bit samples) as one slice. Returns the
// slice data bytes: the CABAC-coded CTUs ending with end_of_slice_segment_flag = 1 and the
// rbsp_slice_segment_trailing_bits, to be appended right after write_slice_header()'s output.
// recon receives the reconstruction after deblocking (it is resized when needed).
std::vector<uint8_t> encode_picture(const EncoderConfig& cfg, const Picture& orig, Picture& recon,
                                    const PictureCoding& pc, SplitOracle& oracle);

}  // namespace vvc
