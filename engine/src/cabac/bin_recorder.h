// Deferred CABAC: a coder with CabacEncoder's interface that updates context models exactly
// like the real encoder but only records the bins (context index + value, bypass runs,
// terminate bins), split into CTUs by mark_ctu(). After the whole picture is coded, replay()
// runs a real CabacEncoder from a freshly initialised ContextSet and, per CTU, first lets the
// caller code syntax that precedes the CTU's coding tree (ALF's per-CTB flags, later SAO), then
// codes the recorded bins with the same context indices. Syntax inserted by the caller must use
// only contexts the recorded bins never touch (ALF/SAO contexts), so every other context
// evolves exactly as during recording and the replayed stream decodes to the same CTUs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "cabac/cabac_encoder.h"
#include "cabac/contexts.h"

namespace vvc {

class BinRecorder {
 public:
  BinRecorder() = default;
  explicit BinRecorder(const ContextSet& set) : base_(&set[0]) {}
  // Context models passed to encode_bin() must live in `set` (the real coder's ContextSet).
  void set_context_base(const ContextSet& set) { base_ = &set[0]; }

  void start() {
    bins_.clear();
    ctu_start_.clear();
  }
  // Starts a new CTU: bins recorded from here on belong to it.
  void mark_ctu() { ctu_start_.push_back(bins_.size()); }

  void encode_bin(ContextModel& ctx, unsigned bin) {
    const auto idx = static_cast<uint32_t>(&ctx - base_);
    bins_.push_back(Bin{kRegular | (idx << 2), bin & 1u});
    ctx.update(bin);
  }
  void encode_bins_ep(uint32_t value, int n) {
    bins_.push_back(Bin{kBypass | (static_cast<uint32_t>(n) << 2), value});
  }
  void encode_bin_trm(unsigned bin) { bins_.push_back(Bin{kTerminate, bin & 1u}); }
  void finish() {}

  size_t num_ctus() const { return ctu_start_.size(); }
  size_t num_bins() const { return bins_.size(); }

  // Codes everything recorded with a real CabacEncoder whose contexts start as `init`
  // (ContextSet::init of the slice). before_ctu(ctu index, encoder, contexts) is called at the
  // start of every CTU (may be empty). Returns the slice data bytes (CabacEncoder::finish()
  // output; the recording must end with encode_bin_trm(1)).
  using CtuHook = std::function<void(size_t, CabacEncoder&, ContextSet&)>;
  std::vector<uint8_t> replay(const ContextSet& init, const CtuHook& before_ctu) const;

 private:
  static constexpr uint32_t kRegular = 0, kBypass = 1, kTerminate = 2;
  struct Bin {
    uint32_t kind;   // low 2 bits: kind; above: context index (regular) or bin count (bypass)
    uint32_t value;  // the bin (regular/terminate) or the bypass bins' value
  };
  const ContextModel* base_ = nullptr;
  std::vector<Bin> bins_;
  std::vector<size_t> ctu_start_;
};

}  // namespace vvc
