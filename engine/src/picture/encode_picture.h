// Encoding of one picture: the CTU loop with the rate-distortion coding-tree search (dual tree
// in I slices), the CU syntax, reconstruction and deblocking.
#pragma once
#include <cstdint>
#include <vector>

#include "bitstream/params.h"
#include "common/picture.h"
#include "partition/split_oracle.h"

namespace vvc {

struct AlfApsStore;  // filter/alf_encoder.h

class MotionField;    // inter/motion_field.h
class PaddedPicture;  // inter/interp.h

// One active entry of a reference picture list (RefPicList[l][refIdx]).
struct RefPicture {
  int poc = 0;
  const Picture* recon = nullptr;         // its reconstruction after in-loop filters, coded size
  const MotionField* motion = nullptr;    // its motion field (TMVP); nullptr when not stored
  const PaddedPicture* padded = nullptr;  // recon with replicated borders (80 luma samples)
  int qp = 0;                             // its slice QP
  int temporal_id = 0;
};

// How a picture's area was coded, in luma samples per kind of CU (the JSON log's "cu" and
// "bi" fields): what the mode decisions did, per picture and temporal layer.
struct CuStats {
  uint64_t skip = 0;      // skipped CUs (merge, no residual)
  uint64_t merge = 0;     // merge CUs with a residual
  uint64_t amvp = 0;      // AMVP CUs (with or without a residual)
  uint64_t intra = 0;     // intra CUs (all of an I slice)
  uint64_t bi = 0;        // inter CUs that predict from both lists
  uint64_t residual = 0;  // inter-slice CUs with at least one nonzero coefficient
  uint64_t amvr = 0;      // AMVP CUs whose MVD is coded at integer or four-sample precision
  uint64_t cus = 0;       // number of CUs (luma tree in I slices)
};

// One picture to code: what its slice header says (SliceParams: POC, slice QP, slice type, NAL
// type, temporal id, lists, TMVP and collocated picture), plus what the encoder alone needs.
struct PictureCoding {
  SliceParams slice;
  double lambda = 0;  // picture_lambda() of the plan (VTM, LambdaFromQpEnable); 0 = not given
  // Active reference pictures: ref[l][i] is RefPicList[l][i], i < NumRefIdxActive[l] (the
  // slice header signals exactly these counts; inactive entries are not passed).
  std::vector<RefPicture> ref[2];
  // Where encode_picture stores this picture's motion (owned by the app's DPB; nullptr: none).
  MotionField* motion_out = nullptr;
  // Where encode_picture stores the slice's ALF header fields and APS (filter/alf_encoder.h);
  // nullptr: ALF is not run for this picture.
  SliceAlf* alf_out = nullptr;
  // The ALF APSs of the coded video sequence so far (owned by the app, one per sequence);
  // nullptr: every picture starts from an empty store (new APS id 0, no reuse).
  AlfApsStore* alf_store = nullptr;
  // Where encode_picture adds up how the picture was coded (nullptr: not counted).
  CuStats* stats_out = nullptr;
  // QP offset of each CTU (raster order) against qp, signalled with cu_qp_delta (needs
  // EncoderConfig::cu_qp_delta); empty: every CTU at qp.
  std::vector<int> ctu_qp_offset;
};

// Codes orig (coded size cfg.width x cfg.height, 10-bit samples) as one slice. Returns the
// slice data bytes: the CABAC-coded CTUs ending with end_of_slice_segment_flag = 1 and the
// rbsp_slice_segment_trailing_bits, to be appended right after write_slice_header()'s output.
// recon receives the reconstruction after deblocking (it is resized when needed).
std::vector<uint8_t> encode_picture(const EncoderConfig& cfg, const Picture& orig, Picture& recon,
                                    const PictureCoding& pc, SplitOracle& oracle);

}  // namespace vvc
