// The split decisions of a sequence, as one chain of oracles: the base (every split, or the
// split logger that records the chosen trees), optionally pruned by the CNN rule, always
// counted (the "nodes" figure of the log). Owned by the sequence encoder and passed to every
// picture's search explicitly.
#pragma once
#include <cstdint>
#include <memory>

#include "encoder/speed_settings.h"
#include "nn/counting_oracle.h"
#include "nn/nn_oracle.h"
#include "nn/predictor_client.h"
#include "partition/split_oracle.h"

namespace vvc {

class DecisionChain {
 public:
  // splitLog: the split logger's file ("" for none); service: the predictor service (no model
  // and no attach: no CNN); the CNN prunes only at speed.level > 0.
  DecisionChain(const std::string& splitLog, const PredictorConfig& service, const NnSpeed& speed,
                int picWidth, int picHeight);
  DecisionChain(const DecisionChain&) = delete;
  DecisionChain& operator=(const DecisionChain&) = delete;

  // "" or why the chain cannot run (the split log cannot be written).
  std::string error() const { return error_; }
  SplitOracle& oracle() { return *counter_; }
  // Coding-tree nodes the search visited since the last call.
  uint64_t take_nodes() { return counter_->take_nodes(); }
  // The CNN's part (nullptr without one).
  const NnOracle* nn() const { return nn_.get(); }

 private:
  std::unique_ptr<SplitOracle> base_;
  std::unique_ptr<NnOracle> nn_;
  std::unique_ptr<CountingOracle> counter_;
  std::string error_;
};

}  // namespace vvc
