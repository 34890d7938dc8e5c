// Every speed knob of the engine's search in one place, by the stage it steers: which split
// modes and which intra/inter candidates the RD search tries, how far motion is searched and
// how levels are quantised during the search. None changes any syntax rule: every setting
// yields a conforming stream, only the decisions (and so the rate, quality and time) change.
// EncoderConfig carries one (EncoderConfig::speed) beside the coded stream's parameters
// (CodingConfig), which alone the parameter-set writers read.
#pragma once
#include "search/early_term_rules.h"

namespace vvc {

struct PartitionSpeed {
  // VVenC-like early terminations of the P/B split search (--no-fast-inter-split: off)
  bool fast_inter_split = true;
  unsigned early_term_rules = kEtDefaultRules;  // which of them (search/early_term.h)
};

struct IntraSpeed {
  static constexpr int kMaxFullRdModes = 8;
  // Luma modes kept after the SATD pre-selection for a full RD trial (the MPMs are added on
  // top), at most kMaxFullRdModes.
  int num_full_rd_modes = 3;
  // VTM's PBIntraFast (--no-pb-intra-fast: off): in P/B slices, intra modes whose SATD exceeds
  // the best inter prediction's by more than pb_intra_ratio get no full RD trial.
  bool pb_intra_fast = true;
  double pb_intra_ratio = 1.1;
};

struct InterSpeed {
  // Motion search range in integer samples (CTC cfgs: SearchRange 384 with ASR for random
  // access, 64 for low delay). With asr_min_window > 0 each reference gets VTM's adaptive
  // range clip(asr_min_window, range, (range * |POC distance| + gop / 2) / gop).
  int search_range = 64;
  int asr_min_window = 0;
  int asr_gop_size = 32;
  int bi_iterations = 2;    // list alternations of the bi refinement in B slices
  int bi_search_range = 4;  // integer window of the bi refinement around the current MV
  bool subpel = true;       // half/quarter-sample refinement
  // Integer-sample SADs of blocks taller than 8 over every second row, doubled (VTM / VVenC
  // subShift of the fast inter search modes): half the work, nearly the same decisions.
  bool subsample_rows = true;
  // AMVR search (with the tool on): the AMVP directions again at integer MVD precision, after
  // a small integer search around each uni MV, and at four samples when integer wins.
  bool amvr = true;
  int amvr_search_range = 4;
};

struct QuantSpeed {
  // Rate-distortion optimised quantisation where dependent quantisation is off (else
  // deadzone rounding).
  bool rdoq = true;
};

struct RdoSpeed {
  // Deblocking-aware mode decisions (VTM's EncDbOpt, VVenC's EDO): a CU's cost counts the
  // change the deblocking of its left and top edges makes to the distortion;
  // --no-deblock-rdo: off.
  bool deblock_aware = true;
};

struct NnSpeed {
  // --nn-level 0..5: how much the CNN prunes the split search (nn/split_rule.h; 0: every
  // split is tried, as without a CNN).
  int level = 2;
};

// The member defaults are the default preset's ('slower'); encoder/presets.h makes the others.
struct SpeedSettings {
  PartitionSpeed partition;
  IntraSpeed intra;
  InterSpeed inter;
  QuantSpeed quant;
  RdoSpeed rdo;
  NnSpeed nn;
};

}  // namespace vvc
