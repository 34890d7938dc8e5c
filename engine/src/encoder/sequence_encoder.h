// The sequence encoder: codes a sequence of source pictures into VVC access units, as a
// library object. It owns the coding structure (picture/gop.h: all intra, random access,
// low-delay B), the decoded picture buffer with its motion fields, the window of source frames
// the temporal pre-filter reads (prefilter/), the ALF APSs of the coded video sequence and the
// split decisions (encoder/decision_chain.h), and hands each picture to encode_picture().
//
//   SequenceEncoder enc(cfg, gop, decisions, read_frame);
//   CodedPicture out;
//   while (enc.encode_next(out)) { write out.au; log out.stats; output out.output; }
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bitstream/params.h"
#include "common/picture.h"
#include "encoder/decision_chain.h"
#include "encoder/frame_stats.h"
#include "filter/alf_encoder.h"
#include "inter/interp.h"
#include "inter/motion_field.h"
#include "picture/encode_picture.h"
#include "picture/gop.h"
#include "prefilter/block_importance.h"
#include "prefilter/source_window.h"
#include "prefilter/temporal_filter.h"

namespace vvc {

// A source frame could not be read (truncated or unreadable input).
class SourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads source frame `poc` (0 = the first frame to code) into p; returns "" or why not.
using FrameReader = std::function<std::string(int poc, Picture& p)>;

// One coded picture, in coding order.
struct CodedPicture {
  std::vector<uint8_t> au;  // its access unit (parameter sets, APS, slice, SEI)
  FrameStats stats;         // stats.cu points to cu
  CuStats cu;
  // The reconstructions now due for output, in POC order (valid until the next call).
  std::vector<const Picture*> output;
};

class SequenceEncoder {
 public:
  // cfg: the coding configuration (the plan's DPB sizes and sub-layers are added to it);
  // gop: the coding structure and the number of frames; decisions: the split decisions (not
  // owned); interAsIntra: code the pictures planned as B with I slices.
  SequenceEncoder(const EncoderConfig& cfg, const GopParams& gop, DecisionChain& decisions,
                  FrameReader readFrame, bool interAsIntra = false);
  SequenceEncoder(const SequenceEncoder&) = delete;
  SequenceEncoder& operator=(const SequenceEncoder&) = delete;

  const EncoderConfig& config() const { return cfg_; }
  const SequencePlan& plan() const { return plan_; }
  // "" or why the plan is inconsistent (an internal error).
  const std::string& plan_error() const { return plan_error_; }

  // Codes the next picture in coding order into out; false when every picture is coded.
  // Throws SourceError when a source frame cannot be read.
  bool encode_next(CodedPicture& out);

  // Temporal pre-filter figures: pictures filtered, their time, the most source frames held.
  int mctf_pictures() const { return mctf_pictures_; }
  double mctf_seconds() const { return mctf_secs_; }
  size_t source_frames_peak() const { return sources_.peak_size(); }

 private:
  // A picture of the decoded picture buffer.
  struct DpbPicture {
    Picture recon;
    int qp = 0;
    int temporal_id = 0;
    bool output_pending = true;
    std::unique_ptr<MotionField> motion;    // for TMVP of later pictures
    std::unique_ptr<PaddedPicture> padded;  // bordered copy for MC, built once when first used
  };

  const Picture& source(int poc);
  // The picture's descriptor: slice parameters, QP and lambda (with the block importance's
  // offsets), the active reference pictures from the DPB.
  PictureCoding describe(const PicturePlan& pic, const QpOffsetMap& bim);
  // The source the picture is coded from (orig, or its temporally filtered version for key
  // pictures) and its block-importance QP offsets.
  const Picture& coding_input(const PicturePlan& pic, const Picture& orig, QpOffsetMap& bim);

  EncoderConfig cfg_;
  GopConfig structure_;
  SequencePlan plan_;
  std::string plan_error_;
  bool inter_as_intra_;
  DecisionChain& decisions_;
  SourceWindow sources_;
  MctfParams mctf_;
  std::vector<int> first_needed_;  // by coding index: the first source frame still needed
  Picture filtered_;
  std::map<int, QpOffsetMap> bim_maps_;  // by POC, for the pictures that reference them
  AlfApsStore alf_store_;                // the ALF APSs sent so far in the CVS
  std::map<int, std::unique_ptr<DpbPicture>> dpb_;
  int next_output_ = 0;  // POC output next
  size_t coding_index_ = 0;
  int mctf_pictures_ = 0;
  double mctf_secs_ = 0;
};

}  // namespace vvc
