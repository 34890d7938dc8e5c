// The preset ladder (encoder/presets.h): names parse both ways, the default rung is the
// SpeedSettings defaults, and every knob moves one way only down the ladder, so that no rung
// tries more than the one above it.
#include <iterator>

#include "check.h"
#include "encoder/presets.h"

using namespace vvc;

namespace {

// Every early-termination rule of the rung above is still on.
bool rules_grow(unsigned above, unsigned below) {
  return (above & ~below) == 0;
}

void check_names() {
  for (Preset p : kPresets) {
    Preset q = Preset::kFast;
    CHECK(parse_preset(preset_name(p), q));
    CHECK(q == p);
  }
  Preset q = Preset::kMedium;
  CHECK(!parse_preset("veryslow", q));
  CHECK(!parse_preset("", q));
  CHECK(!parse_preset("Slower", q));
  CHECK(q == Preset::kMedium);
  CHECK(preset_names() == "exhaustive, slower, slow, medium, fast");
  CHECK(kDefaultPreset == Preset::kSlower);
}

// The default rung is the member defaults plus the configuration's CTC search range.
void check_default() {
  for (GopConfig c : {GopConfig::AllIntra, GopConfig::RandomAccess, GopConfig::LowDelayB}) {
    SpeedSettings want;
    if (c == GopConfig::RandomAccess) {
      want.inter.search_range = 384;
      want.inter.asr_min_window = 96;
      want.inter.asr_gop_size = 32;
    }
    const SpeedSettings got = speed_preset(kDefaultPreset, c);
    CHECK(got.partition.fast_inter_split == want.partition.fast_inter_split);
    CHECK_EQ(got.partition.early_term_rules, want.partition.early_term_rules);
    CHECK_EQ(got.intra.num_full_rd_modes, want.intra.num_full_rd_modes);
    CHECK(got.intra.pb_intra_fast == want.intra.pb_intra_fast);
    CHECK(got.intra.pb_intra_ratio == want.intra.pb_intra_ratio);
    CHECK_EQ(got.inter.search_range, want.inter.search_range);
    CHECK_EQ(got.inter.asr_min_window, want.inter.asr_min_window);
    CHECK_EQ(got.inter.asr_gop_size, want.inter.asr_gop_size);
    CHECK_EQ(got.inter.bi_iterations, want.inter.bi_iterations);
    CHECK_EQ(got.inter.bi_search_range, want.inter.bi_search_range);
    CHECK(got.inter.subpel == want.inter.subpel);
    CHECK(got.inter.subsample_rows == want.inter.subsample_rows);
    CHECK(got.quant.rdoq == want.quant.rdoq);
    CHECK(got.rdo.deblock_aware == want.rdo.deblock_aware);
    CHECK_EQ(got.nn.level, want.nn.level);
  }
}

// Down the ladder each knob does the same or less work; each rung differs from the one above.
void check_monotone() {
  for (GopConfig c : {GopConfig::AllIntra, GopConfig::RandomAccess, GopConfig::LowDelayB}) {
    const SpeedSettings ex = speed_preset(Preset::kExhaustive, c);
    CHECK(!ex.partition.fast_inter_split);
    CHECK_EQ(ex.partition.early_term_rules, 0u);
    CHECK(!ex.intra.pb_intra_fast);
    CHECK(!ex.inter.subsample_rows);
    for (size_t i = 1; i < std::size(kPresets); ++i) {
      const SpeedSettings a = speed_preset(kPresets[i - 1], c);
      const SpeedSettings b = speed_preset(kPresets[i], c);
      CHECK(a.partition.fast_inter_split <= b.partition.fast_inter_split);
      CHECK(rules_grow(a.partition.early_term_rules, b.partition.early_term_rules));
      CHECK(a.intra.num_full_rd_modes >= b.intra.num_full_rd_modes);
      CHECK(b.intra.num_full_rd_modes >= 1);
      CHECK(a.intra.num_full_rd_modes <= IntraSpeed::kMaxFullRdModes);
      CHECK(a.intra.pb_intra_fast <= b.intra.pb_intra_fast);
      CHECK(!b.intra.pb_intra_fast || a.intra.pb_intra_ratio >= b.intra.pb_intra_ratio);
      CHECK(a.inter.search_range >= b.inter.search_range);
      CHECK(a.inter.asr_min_window >= b.inter.asr_min_window);
      CHECK(a.inter.bi_iterations >= b.inter.bi_iterations);
      CHECK(a.inter.bi_search_range >= b.inter.bi_search_range);
      CHECK(a.inter.subpel >= b.inter.subpel);
      CHECK(a.inter.subsample_rows <= b.inter.subsample_rows);
      CHECK(a.quant.rdoq >= b.quant.rdoq);
      CHECK(a.rdo.deblock_aware >= b.rdo.deblock_aware);
      CHECK_EQ(a.nn.level, b.nn.level);  // the CNN level is not the preset's
      CHECK(a.partition.fast_inter_split != b.partition.fast_inter_split ||
            a.partition.early_term_rules != b.partition.early_term_rules ||
            a.intra.num_full_rd_modes != b.intra.num_full_rd_modes ||
            a.intra.pb_intra_fast != b.intra.pb_intra_fast ||
            a.inter.bi_iterations != b.inter.bi_iterations ||
            a.inter.subsample_rows != b.inter.subsample_rows ||
            a.rdo.deblock_aware != b.rdo.deblock_aware);
    }
  }
}

}  // namespace

int main() {
  check_names();
  check_default();
  check_monotone();
  TEST_MAIN_END();
}
