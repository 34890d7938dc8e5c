// Block importance mapping (BIM): QP offsets per CTU from the motion-compensated temporal
// filter's motion errors, as VVenC's MCTF derives them (an encoder-only decision; the streams
// signal them with cu_qp_delta). CTUs whose content the neighbouring pictures predict well
// (low motion error) are referenced much and get a lower QP, hard-to-predict ones a higher QP.
//
// For a filtered picture (learnt from VVenC's CommonLib/MCTF.cpp; our own implementation):
//  - per CTU and for the neighbours at POC distance 1 and at 2, the mean of the final-level
//    block errors (error = 20 * (SSE + 5) / (var + 5) + MSE / 50 per u x u block, weighted by
//    the block's area inside the picture), times 3 - (number of neighbours at that distance);
//  - e = max(e1, e2) + 3 * |e2 - e1|, pulled towards 45 by the filter strength
//    (e * w + 45 * (1 - w), w = min(1, strength));
//  - offset +2 above 75, +1 above 60, -2 below 15, -1 below 30, else 0;
//  - the picture offset is the rounded mean over the CTUs; each CTU keeps its difference.
// All offsets are 0 when either distance has no neighbour.
// A picture the filter leaves alone takes, per CTU, (3 * o0 + 3 * o1 + 3 or 4) >> 3 of the
// total offsets o0 / o1 of its first references in L0 and L1 when both have maps (the
// rounding towards -2 for negative sums), with its own mean and differences.
#pragma once
#include <vector>

#include "prefilter/temporal_filter.h"

namespace vvc {

struct QpOffsetMap {
  int picture = 0;       // added to the slice QP
  std::vector<int> ctu;  // per CTU in raster order, added to the slice QP (empty: no map)
  bool valid() const { return !ctu.empty(); }
  int total(size_t i) const { return picture + ctu[i]; }
};

// The map of a filtered picture of width x height (luma) with CTUs of ctuSize, from the
// filter's motion grids towards its neighbours (motion[i] belongs to neighbours[i]), the
// filter's block size and strength.
QpOffsetMap bim_from_motion(const std::vector<FilterNeighbour>& neighbours,
                            const std::vector<MvGrid>& motion, int unit, double strength, int width,
                            int height, int ctuSize);

// The map of a picture that is not filtered, from its first references' maps.
QpOffsetMap bim_from_references(const QpOffsetMap& l0, const QpOffsetMap& l1);

}  // namespace vvc
