// The one seam between the app and the picture encoder: code one picture's slice data.
#pragma once
#include <cstdint>
#include <vector>

#include "bitstream/params.h"
#include "common/picture.h"
#include "partition/split_oracle.h"

namespace vvc {

struct PictureCoding;  // picture/encode_picture.h
struct AlfApsStore;    // filter/alf_encoder.h
struct CuStats;        // picture/encode_picture.h

// Encodes the slice data of one picture (all CTUs, CABAC, incl. end_of_slice_segment_flag and
// its rbsp_slice_segment_trailing_bits) and fills `recon` with the decoder's reconstruction
// (coded size, after in-loop filters). The bytes are appended right after the slice header's
// byte_alignment().
// alf_out: where the picture's ALF slice-header fields and APS go (nullptr: no ALF);
// alf_store: the sequence's ALF APSs (filter/alf_encoder.h; nullptr: no reuse across pictures);
// stats: where the picture's CU statistics go (nullptr: not counted).
std::vector<uint8_t> encode_slice_data(const EncoderConfig& cfg, const Picture& orig,
                                       Picture& recon, const SliceParams& sp,
                                       SliceAlf* alf_out = nullptr,
                                       AlfApsStore* alf_store = nullptr, CuStats* stats = nullptr);

// The same for a picture of a random-access / low-delay structure: pc carries the POC, QP,
// lambda, slice type and the active reference pictures (see picture/gop.h).
std::vector<uint8_t> encode_picture_data(const EncoderConfig& cfg, const Picture& orig,
                                         Picture& recon, const PictureCoding& pc);

// True once encode_picture codes P/B slices (inter CUs). Until then the app codes pictures
// planned as B with I slices (same POCs, NAL types, lists and QPs), which keeps the streams
// decodable. The inter integrator flips it in slice_data.cpp.
bool slice_data_inter_available();

// Installs the split oracle used for the following pictures (not owned; nullptr: the default
// one, i.e. the split logger when cfg.split_log_path is set, else the exhaustive oracle).
void set_split_oracle(SplitOracle* oracle);

// False while no picture encoder is linked: the stream then has headers only (not decodable),
// and recon is a copy of the source.
bool slice_data_encoder_available();

}  // namespace vvc
