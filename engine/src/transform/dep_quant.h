// Dependent quantization (H.266 sh_dep_quant_used_flag): the encoder's trellis quantizer.
//
// With DQ two scalar quantizers share one step size delta (the step of qP + 1, halved): Q0
// reconstructs even multiples of delta (level k -> 2k), Q1 odd multiples and zero
// (k -> 2k - sgn(k)). Which one applies to a coefficient is given by a 4-state machine
// (QState, 7.3.11.11) driven by the parity of the previous levels in coding order. The
// quantizer therefore decides all levels of a TB together: a Viterbi search over the four
// states along the reverse scan (the process of VTM's DepQuant), where each state keeps its
// best path, its cost J = D + lambda * R and what the rate of the next levels depends on
// (the template neighbours' levels, the remBinsPass1 budget, the sub-block flags). The rate
// model is the one of the residual syntax with the contexts frozen at their state before
// the TB (as RDOQ's): sig_coeff_flag with the state's context set, gtx/par flags, Rice-coded
// remainders, dec_abs_level with the state's ZeroPos once the regular-bin budget is used up,
// signs, the last position, sb_coded_flag (with skipping whole sub-blocks) and the coded flag.
#pragma once

#include <cstdint>

#include "cabac/contexts.h"
#include "rdo/lambda.h"
#include "transform/rdoq.h"

namespace vvc {

// Same contract as rdoq() (transform/rdoq.h), but the levels are DQ levels: code them with
// code_residual(..., depQuant = true) and reconstruct with dequantize(..., depQuant = true).
// Returns the number of nonzero levels.
int dep_quant(const int32_t* coeff, int log2W, int log2H, int cIdx, int qp, double lambda,
              const ContextSet& ctx, int cbfCtx, int32_t* levels, RdoqResult* result = nullptr);

// Plain (greedy) DQ: each coefficient, in coding order, gets the nearest reconstruction
// value of the quantizer its state selects. The baseline the trellis must beat.
int dep_quant_scalar(const int32_t* coeff, int log2W, int log2H, int qp, int32_t* levels);

// The trellis's cost model evaluated for any DQ levels (the syntax coded with frozen
// contexts, cbfCtx as in dep_quant): J = D + lambda * R in the units of RdoqResult::cost.
double dep_quant_cost(const int32_t* coeff, const int32_t* levels, int log2W, int log2H, int cIdx,
                      int qp, double lambda, const ContextSet& ctx, int cbfCtx);

// VTM's adjustment of the slice lambdas when DQ is used (EncSlice: lambda * 2^(0.25/3) for
// the steeper rate-distortion slope of the finer quantizer; EncCu: chroma distortion weight
// * 2^(0.2/3) with GOP size 1 (all intra), * 2^(0.1/3) otherwise, against a shift of rate
// from chroma to luma). Updates lambda, sqrt_lambda, chroma_weight and comp_lambda.
void dep_quant_adjust_lambdas(RdLambdas& l, bool allIntra);

}  // namespace vvc
