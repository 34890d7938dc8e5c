// Deblocking-aware distortion (VTM's EncDbOpt, VVenC's EDO), a term of a CU's RD cost: the
// change of the weighted SSE that the deblocking of the CU's left and top edges would make in
// the CU and its neighbours.
#pragma once
#include "filter/deblock.h"
#include "picture/picture_state.h"

namespace vvc {

class DeblockingOffset {
 public:
  explicit DeblockingOffset(const PictureState& s);
  // The offset of CU n with its reconstruction as it stands in the picture (mi / intra / nz:
  // the trial being costed); 0 when deblocking or the speed setting is off.
  double offset(const TreeNode& n, const MotionInfo& mi, bool intra, const int nz[3]);

 private:
  const PictureState& s_;
  Picture pic_;       // the CU's edge bands and their neighbours
  DeblockGrid grid_;  //   and their 4x4 units
  DeblockParams params_;
};

}  // namespace vvc
