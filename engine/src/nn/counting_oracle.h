// A pass-through split oracle that counts the coding-tree nodes the search visits (one
// splits_to_try() query per node); the app reports the count per picture ("nodes" in the JSON
// log), the measure of how much a predictor prunes the search.
#pragma once
#include <cstdint>

#include "partition/split_oracle.h"

namespace vvc {

class CountingOracle : public SplitOracle {
 public:
  explicit CountingOracle(SplitOracle& inner) : inner_(inner) {}
  SplitMask splits_to_try(const SplitQuery& q) override {
    ++nodes_;
    return inner_.splits_to_try(q);
  }
  void record_tree(const CtuTreeRecord& rec) override { inner_.record_tree(rec); }
  void end_picture() override { inner_.end_picture(); }
  // Nodes visited since the last call.
  uint64_t take_nodes() {
    const uint64_t n = nodes_;
    nodes_ = 0;
    return n;
  }

 private:
  SplitOracle& inner_;
  uint64_t nodes_ = 0;
};

}  // namespace vvc
