#include "app/slice_data.h"

// The picture encoder (INTEGRATOR's picture/encode_picture.h) is used when it is in the tree;
// otherwise a stand-in keeps the app building (headers-only, not decodable streams).
#if __has_include("picture/encode_picture.h")
#include <memory>

#include "partition/split_oracle.h"
#include "picture/encode_picture.h"

namespace vvc {

static SplitOracle* installed_oracle = nullptr;

void set_split_oracle(SplitOracle* oracle) {
  installed_oracle = oracle;
}

// The split oracle for the whole run: the installed one (set_split_oracle), else the logging
// one when a split log is requested (one file for all pictures), else the exhaustive one.
static SplitOracle& run_oracle(const EncoderConfig& cfg) {
  if (installed_oracle) return *installed_oracle;
  static std::unique_ptr<SplitOracle> oracle;
  if (!oracle) {
    if (!cfg.split_log_path.empty())
      oracle = std::make_unique<LoggingOracle>(cfg.split_log_path);
    else
      oracle = std::make_unique<AllSplitsOracle>();
  }
  return *oracle;
}

std::vector<uint8_t> encode_slice_data(const EncoderConfig& cfg, const Picture& orig,
                                       Picture& recon, const SliceParams& sp, SliceAlf* alf_out,
                                       AlfApsStore* alf_store, CuStats* stats) {
  PictureCoding pc;
  pc.stats_out = stats;
  pc.alf_out = alf_out;
  pc.alf_store = alf_store;
  pc.poc = sp.poc;
  pc.qp = sp.qp;
  pc.slice_type = sp.slice_type;
  pc.temporal_id = sp.temporal_id;
  return encode_picture(cfg, orig, recon, pc, run_oracle(cfg));
}

std::vector<uint8_t> encode_picture_data(const EncoderConfig& cfg, const Picture& orig,
                                         Picture& recon, const PictureCoding& pc) {
  return encode_picture(cfg, orig, recon, pc, run_oracle(cfg));
}

bool slice_data_encoder_available() {
  return true;
}

bool slice_data_inter_available() {
  return true;  // encode_picture codes inter CUs in P/B slices
}

}  // namespace vvc

#else

namespace vvc {

void set_split_oracle(SplitOracle* oracle) {
  (void)oracle;
}

std::vector<uint8_t> encode_slice_data(const EncoderConfig& cfg, const Picture& orig,
                                       Picture& recon, const SliceParams& sp, SliceAlf* alf_out,
                                       AlfApsStore* alf_store, CuStats* stats) {
  (void)cfg;
  (void)stats;
  (void)sp;
  (void)alf_out;
  (void)alf_store;
  recon = orig;
  // Placeholder bytes: one data byte plus rbsp_slice_segment_trailing_bits, so that parsers
  // (FFmpeg's cbs wants more RBSP data after the header) read the header intact.
  return {0xff, 0x80};
}

std::vector<uint8_t> encode_picture_data(const EncoderConfig& cfg, const Picture& orig,
                                         Picture& recon, const PictureCoding& pc) {
  (void)cfg;
  (void)pc;
  recon = orig;
  return {0xff, 0x80};
}

bool slice_data_encoder_available() {
  return false;
}

bool slice_data_inter_available() {
  return false;
}

}  // namespace vvc

#endif
