// Lagrange multipliers as VTM's encoder derives them (EncSlice xCalculateLambda / EncCu
// setUpLambda), for distortion measured as SSE at the internal bit depth.
#pragma once
#include <cmath>

#include "bitstream/params.h"

namespace vvc {

// lambda = QPFactor * 2^((QP + 6 * (BitDepth - 8) - 12) / 3). For I slices QPFactor = 0.57
// scaled by 1 - clip(0, 0.5, 0.05 * (gopSize - 1)) (1.0 in all-intra, gopSize 1). For other
// slices qp_factor is the GOP entry's QPFactor; depth > 0 (hierarchical B) multiplies by
// clip(2, 4, (QP_ref - 12 + 6 * (BitDepth - 8)) / 6) as VTM does without LambdaFromQP.
inline double slice_lambda(int qp, SliceType st, int gopSize = 1, double qpFactor = 0.57,
                           int hierDepth = 0, int refQp = 0, int bitDepth = 10) {
  const int bdScale = 6 * (bitDepth - 8);
  const double qpTemp = qp + bdScale - 12;
  double factor = qpFactor;
  if (st == SliceType::I) {
    const double bFrames = gopSize - 1;
    double s = 0.05 * bFrames;
    s = s < 0.0 ? 0.0 : (s > 0.5 ? 0.5 : s);
    factor = 0.57 * (1.0 - s);
  }
  double lambda = factor * std::pow(2.0, qpTemp / 3.0);
  if (st != SliceType::I && hierDepth > 0) {
    double m = (refQp + bdScale - 12) / 6.0;
    m = m < 2.0 ? 2.0 : (m > 4.0 ? 4.0 : m);
    lambda *= m;
  }
  return lambda;
}

// Chroma distortion weight 2^((QpY - QpC) / 3): chroma SSE is multiplied by it so one lambda
// serves all components (VTM RdCost::setDistortionWeight); RDOQ for chroma uses
// lambda / weight.
inline double chroma_distortion_weight(int qpY, int qpC) {
  return std::pow(2.0, (qpY - qpC) / 3.0);
}

// All lambdas of one slice.
struct RdLambdas {
  double lambda = 0;       // luma lambda, J = SSE + lambda * bits
  double sqrt_lambda = 0;  // for SATD-based pre-selection: J = SATD + sqrt_lambda * bits
  double chroma_weight[3] = {1.0, 1.0, 1.0};
  double comp_lambda[3] = {0, 0, 0};  // lambda / chroma_weight (RDOQ per component)
};

inline RdLambdas make_lambdas(const EncoderConfig& cfg, int qp, SliceType st, int gopSize = 1) {
  RdLambdas r;
  r.lambda = slice_lambda(qp, st, gopSize, 0.57, 0, 0, cfg.bit_depth);
  r.sqrt_lambda = std::sqrt(r.lambda);
  r.comp_lambda[0] = r.lambda;
  for (int c = 1; c < 3; ++c) {
    r.chroma_weight[c] = chroma_distortion_weight(qp, chroma_qp(cfg, qp, c));
    r.comp_lambda[c] = r.lambda / r.chroma_weight[c];
  }
  return r;
}

}  // namespace vvc
