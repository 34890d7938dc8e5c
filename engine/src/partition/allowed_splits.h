// Normative allowed-split rules of a coding_tree node: H.266 6.4.1 (quad), 6.4.2 (binary),
// 6.4.3 (ternary), and the 7.3.9.4 presence / 7.4.11.4 inference rules of split_cu_flag,
// split_qt_flag, mtt_split_cu_vertical_flag and mtt_split_cu_binary_flag.
#pragma once
#include "bitstream/params.h"
#include "partition/split_oracle.h"

namespace vvc {

// modeTypeCurr of coding_tree() (7.3.9.4): kAll normally; kInter / kIntra below a split that
// signalled (or inferred) mode_constraint_flag in a single tree (P/B slices).
enum class ModeType : uint8_t { kAll = 0, kInter = 1, kIntra = 2 };

// The coding_tree() arguments that the split rules depend on. Sizes in luma samples.
struct TreeNode {
  int x = 0, y = 0, w = 0, h = 0;
  int qt_depth = 0;                         // cqtDepth
  int mtt_depth = 0;                        // mttDepth
  int depth_offset = 0;                     // depthOffset (picture-boundary binary splits)
  int part_idx = 0;                         // partIdx inside the parent split
  SplitMode parent_split = SplitMode::kQt;  // split that produced this node (kQt at the root)
  TreeType tree = TreeType::kDualLuma;
  ModeType mode_type = ModeType::kAll;  // inherited by split_children()
};

// Geometry and limits the rules need (from EncoderConfig, per slice kind and tree).
struct SplitLimits {
  int pic_w = 0, pic_h = 0;  // pps_pic_width/height_in_luma_samples
  int min_cb = 4;            // MinCbSizeY (= MinBtSizeY = MinTtSizeY)
  int max_tb = 64;           // MaxTbSizeY
  PartitionLimits lim;       // MinQt / MaxMttDepth / MaxBt / MaxTt for this slice kind + tree
};

SplitLimits split_limits(const EncoderConfig& cfg, SliceType st, TreeType tree);

// allowSplitQt, allowSplitBtHor, allowSplitBtVer, allowSplitTtHor, allowSplitTtVer as a mask
// (kNone is not part of this mask).
SplitMask allowed_splits(const TreeNode& n, const SplitLimits& l);

// Whether the node lies completely inside the picture (split_cu_flag can be coded only then).
inline bool node_inside(const TreeNode& n, const SplitLimits& l) {
  return n.x + n.w <= l.pic_w && n.y + n.h <= l.pic_h;
}

// The modes an encoder may choose at the node: allowed splits plus kNone when the node is
// inside the picture (outside, split_cu_flag is inferred to be 1).
SplitMask choosable_modes(const TreeNode& n, const SplitLimits& l);

// Which split syntax elements are present for the chosen mode, and their values.
struct SplitSyntax {
  bool split_cu_present = false, split_cu = false;
  bool qt_present = false, qt = false;
  bool vertical_present = false, vertical = false;
  bool binary_present = false, binary = false;
};
SplitSyntax split_syntax(SplitMode mode, SplitMask allowed, bool inside);

// Child nodes of a split (in coding order); returns the number of children (0 for kNone).
// Children completely outside the picture are not coded (7.3.9.4) and are left out.
int split_children(const TreeNode& n, SplitMode mode, const SplitLimits& l, TreeNode out[4]);

}  // namespace vvc
