// The split oracle: the narrow interface through which the coding-tree search asks which split
// modes to try at a node (the hook for the CNN partition predictor), and through which the
// chosen partition tree of every CTU is reported (the split log, training data for the CNN).
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bitstream/params.h"
#include "common/picture.h"

namespace vvc {

// Split modes in the numbering of the split log (--split-log) and of VTM's canSplit[] order.
enum class SplitMode : uint8_t { kNone = 0, kQt = 1, kBtH = 2, kBtV = 3, kTtH = 4, kTtV = 5 };
constexpr int kNumSplitModes = 6;

// A set of split modes: bit (1 << mode).
using SplitMask = uint8_t;
constexpr SplitMask split_bit(SplitMode m) {
  return static_cast<SplitMask>(1u << static_cast<int>(m));
}
constexpr bool has_split(SplitMask m, SplitMode s) {
  return (m & split_bit(s)) != 0;
}
constexpr SplitMask kAllSplits = 0x3f;

// H.266 treeType of a coding_tree call.
enum class TreeType : uint8_t { kSingle = 0, kDualLuma = 1, kDualChroma = 2 };

// Everything the oracle may look at for one coding-tree node. Positions and sizes are in luma
// samples, also for the chroma tree.
struct SplitQuery {
  int x = 0, y = 0, w = 0, h = 0;
  int qt_depth = 0;   // cqtDepth
  int mtt_depth = 0;  // mttDepth
  TreeType tree = TreeType::kDualLuma;
  SliceType slice_type = SliceType::I;
  int temporal_id = 0;
  int poc = 0;
  int qp = 0;
  const Picture* orig = nullptr;  // the source picture (the CNN reads the CTU's samples)
  // Inter pictures: the reconstruction of the nearest reference picture (smallest POC
  // distance, L0 first on a tie) and its POC; the CNN's temporal cue is |orig - ref| per
  // co-located luma sample. nullptr for I slices.
  const Picture* ref = nullptr;
  int ref_poc = -1;
  SplitMask allowed = 0;  // the normatively allowed set (kNone included when allowed)
};

// The chosen partition tree of one CTU for one tree type: pre-order list of split modes over
// every coding_tree node, starting with the CTU root (for dual-tree I slices the root is the
// implicit QT split of the 128 CTU into 64x64 quadrants, logged as 1; inter pictures have one
// single-tree record per CTU whose root is the 128x128 CTU itself).
struct CtuTreeRecord {
  int poc = 0, x = 0, y = 0, qp = 0;
  SliceType slice_type = SliceType::I;
  TreeType tree = TreeType::kDualLuma;
  int temporal_id = 0;
  int ref_poc = -1;  // inter: the reference the temporal cue uses (SplitQuery::ref_poc)
  std::vector<uint8_t> splits;
};

class SplitOracle {
 public:
  virtual ~SplitOracle() = default;
  // Which of q.allowed to try (the search intersects the answer with q.allowed; an empty
  // answer falls back to q.allowed so that a conforming tree always exists).
  virtual SplitMask splits_to_try(const SplitQuery& q) { return q.allowed; }
  // Called once per CTU and tree type with the tree that was coded.
  virtual void record_tree(const CtuTreeRecord& /*rec*/) {}
  // Called at the end of every picture (flush point for loggers).
  virtual void end_picture() {}
};

// The exhaustive reference oracle: every allowed split is tried.
class AllSplitsOracle : public SplitOracle {};

// Tries everything (like AllSplitsOracle) and writes every CTU's chosen tree as one JSON line:
// {"poc":0,"x":0,"y":0,"qp":32,"slice_type":"I","tree":"luma","splits":[1,0,...]}
// (tree "luma"/"chroma" in I slices; inter slices: tree "single" plus "tid" and "ref_poc").
class LoggingOracle : public SplitOracle {
 public:
  // Opens path for writing (truncates). ok() tells whether that worked.
  explicit LoggingOracle(const std::string& path);
  ~LoggingOracle() override;
  LoggingOracle(const LoggingOracle&) = delete;
  LoggingOracle& operator=(const LoggingOracle&) = delete;

  bool ok() const { return file_ != nullptr; }
  void record_tree(const CtuTreeRecord& rec) override;
  void end_picture() override;
  size_t records_written() const { return written_; }

  // The JSON line (without newline) for one record; exposed for tests.
  static std::string to_json(const CtuTreeRecord& rec);

 private:
  std::FILE* file_ = nullptr;
  size_t written_ = 0;
};

const char* slice_type_name(SliceType t);
const char* tree_name(TreeType t);  // "single", "luma", "chroma" (the split log's names)

}  // namespace vvc
