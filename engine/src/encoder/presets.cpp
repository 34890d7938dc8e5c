#include "encoder/presets.h"

namespace vvc {

const char* preset_name(Preset p) {
  switch (p) {
    case Preset::kExhaustive:
      return "exhaustive";
    case Preset::kSlower:
      return "slower";
    case Preset::kSlow:
      return "slow";
    case Preset::kMedium:
      return "medium";
    case Preset::kFast:
      return "fast";
  }
  return "?";
}

bool parse_preset(std::string_view name, Preset& out) {
  for (Preset p : kPresets)
    if (name == preset_name(p)) {
      out = p;
      return true;
    }
  return false;
}

std::string preset_names() {
  std::string s;
  for (Preset p : kPresets) s += std::string(s.empty() ? "" : ", ") + preset_name(p);
  return s;
}

SpeedSettings speed_preset(Preset p, GopConfig config) {
  SpeedSettings s;  // the member defaults are the 'slower' rung
  if (config == GopConfig::RandomAccess) {
    // encoder_randomaccess_vtm.cfg: SearchRange 384, ASR 1, MinSearchWindow 96
    s.inter.search_range = 384;
    s.inter.asr_min_window = 96;
    s.inter.asr_gop_size = gop_size(config);
  }
  if (p == Preset::kExhaustive) {
    // No early termination, a full RD trial for more intra modes and for every one of them in
    // P/B slices, SADs over every row, a longer and wider bi refinement.
    s.partition.fast_inter_split = false;
    s.partition.early_term_rules = 0;
    s.intra.num_full_rd_modes = IntraSpeed::kMaxFullRdModes;
    s.intra.pb_intra_fast = false;
    s.inter.subsample_rows = false;
    s.inter.bi_iterations = 4;
    s.inter.bi_search_range = 8;
    return s;
  }
  // Each cheaper rung keeps the savings of the one above it. The early-termination rules come
  // in the order of their BD-rate per saved search node in their screening
  // (docs/search-speed.md); kEtRelatedNoMe saved no CPU time there and stays off.
  if (p >= Preset::kSlow) {
    s.partition.early_term_rules |= kEtQtSubDepth | kEtTtNoResidual | kEtSkipMtt;
  }
  if (p >= Preset::kMedium) {
    s.partition.early_term_rules |= kEtQtLate | kEtTtShape;
    s.intra.num_full_rd_modes = 2;
    s.inter.bi_iterations = 1;
  }
  if (p >= Preset::kFast) {
    s.partition.early_term_rules |= kEtSkipHistory;
    s.intra.num_full_rd_modes = 1;
    s.intra.pb_intra_ratio = 1.0;
    s.inter.search_range /= 2;
    s.inter.asr_min_window /= 2;
    s.inter.bi_search_range = 2;
    s.rdo.deblock_aware = false;
  }
  return s;
}

}  // namespace vvc
