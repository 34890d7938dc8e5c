// Adaptive loop filter, encoder side: filter derivation for one picture after deblocking,
// the per-CTB on/off decisions, the ALF part of the CTU syntax (7.3.11.2) and the hook that
// ends a picture's slice data (the deferred CABAC pass, cabac/bin_recorder.h).
//
// Encoder decisions (all documented here, none is normative):
// - Luma: statistics per CTB and per class (25 classes, 8.8.5.3 exactly as the decoder
//   derives them, transposed taps folded into the coefficient order) of the Wiener problem
//   "orig - rec ~= sum_k f_k * X_k" with X_k the symmetric tap differences of the 7x7 diamond
//   (clipping off: alf_luma_clip_flag = 0, clip index 0 everywhere); rows next to the virtual
//   boundary enter with their 1/8 weight. Classes are merged greedily (the pair whose merge
//   raises the least-squares error least), every filter count 25..1 is quantized
//   (round(128 f), then a coordinate search on D + lambda * R with the exact ue(v) rate) and
//   the count with the lowest D + lambda * R (incl. alf_luma_coeff_delta_idx) is kept.
// - Chroma: one 5x5 Wiener filter per component trained on its CTBs; the APS carries one
//   alternative per enabled component and every chroma CTB picks off / alternative 0 / 1.
// - CTB flags: on when the filtered CTB's SSE is lower. Two passes: the second retrains on
//   the CTBs the first switched on; the better of the two by D + lambda * R is kept.
// - A component is enabled in the slice only when its SSE gain exceeds lambda times its APS
//   bits plus an entropy estimate of its CTB flags; otherwise it is off (sh_alf_enabled_flag
//   0 when all are off, and no APS is sent).
// - APS reuse: the luma filters and the chroma filters may each come from a new APS or from
//   an APS sent earlier in the sequence (AlfApsStore: ids 0..7 round robin, the new one never
//   overwrites one the picture references), whichever gains most; a stored APS is reusable
//   only by pictures whose TemporalId is not lower than its own (it is sent with its picture's
//   TemporalId), and the store is emptied at every IRAP picture so that no reference crosses
//   a random access point. No fixed filters, no clipping search.
#pragma once

#include <cstdint>
#include <vector>

#include "bitstream/params.h"
#include "cabac/bin_recorder.h"
#include "cabac/contexts.h"
#include "common/picture.h"
#include "filter/alf.h"
#include "picture/encode_picture.h"

namespace vvc {

// ALF APSs sent earlier in the coded video sequence (by id), with their TemporalId.
struct AlfApsStore {
  bool valid[8] = {};
  AlfApsData aps[8];
  int tid[8] = {};
  int next_id = 0;  // id of the next new APS (round robin)
  void clear();
};

struct AlfPictureDecision {
  bool luma = false;                       // luma filtered in some CTB (sh_num_alf_aps_ids_luma 1)
  bool chroma[2] = {false, false};         // sh_alf_cb_enabled_flag, sh_alf_cr_enabled_flag
  AlfApsData aps;                          // the filters in effect (luma and chroma parts)
  int luma_aps_id = 0, chroma_aps_id = 0;  // the APSs the slice refers to
  bool send_aps = false;                   // new_aps is sent before the slice
  AlfApsData new_aps;
  int ctbs_x = 0, ctbs_y = 0;
  std::vector<uint8_t> flag[3];  // alf_ctb_flag per CTB (raster)
  std::vector<uint8_t> alt[2];   // alf_ctb_filter_alt_idx per CTB for Cb, Cr
  bool enabled() const { return luma || chroma[0] || chroma[1]; }
  SliceAlf slice_header() const;  // without the APS bytes
};

// Derives the filters and CTB flags for the deblocked `recon` against `orig` and filters
// recon in place (the filtered picture is the reference and the output). lambda[c]: the
// picture's lambda for component c's SSE (luma lambda, lambda / chroma weight for chroma).
// store: APSs the picture may reuse (updated with the new APS); nullptr: new APS id 0 only.
AlfPictureDecision alf_encode_picture(const Picture& orig, Picture& recon, int ctbLog2,
                                      const double lambda[3], AlfApsStore* store = nullptr,
                                      int temporalId = 0);

// Applies a decision's filters to `src` (deblocked) giving `dst` (same size): the decoder's
// ALF process for the CTBs whose flags are on; others are copied.
void alf_apply(const Picture& src, Picture& dst, const AlfPictureDecision& d, int ctbLog2);

// The ALF syntax at the start of coding_tree_unit() (7.3.11.2, the alf_* part) for CTU
// `ctu` (raster index): alf_ctb_flag (ctxInc = left + above flag + 3 * cIdx, 9.3.4.2.2),
// alf_use_aps_flag = 1 (one APS, so no alf_luma_prev_filter_idx), alf_ctb_filter_alt_idx
// (truncated unary, ctxInc = cIdx - 1).
template <class Coder>
void alf_code_ctu(Coder& coder, ContextSet& ctx, const AlfPictureDecision& d, int ctu) {
  if (!d.enabled()) return;
  const int rx = ctu % d.ctbs_x, ry = ctu / d.ctbs_x;
  for (int c = 0; c < 3; ++c) {
    if (c > 0 && !d.chroma[c - 1]) continue;
    const auto& f = d.flag[c];
    int inc = 3 * c;
    if (rx > 0) inc += f[static_cast<size_t>(ctu - 1)];
    if (ry > 0) inc += f[static_cast<size_t>(ctu - d.ctbs_x)];
    const unsigned on = f[static_cast<size_t>(ctu)];
    coder.encode_bin(ctx[kCtxAlfCtbFlag + inc], on);
    if (!on) continue;
    if (c == 0) {
      coder.encode_bin(ctx[kCtxAlfUseApsFlag], 1);  // sh_num_alf_aps_ids_luma == 1
    } else if (d.aps.num_chroma_alts > 1) {
      const int a = d.alt[c - 1][static_cast<size_t>(ctu)];
      for (int k = 0; k < a; ++k) coder.encode_bin(ctx[kCtxAlfCtbFilterAltIdx + c - 1], 1);
      if (a < d.aps.num_chroma_alts - 1) coder.encode_bin(ctx[kCtxAlfCtbFilterAltIdx + c - 1], 0);
    }
  }
}

// Ends a picture's slice data: when cfg.alf and pc.alf_out is given, runs ALF on the
// deblocked recon (filtering it in place; APSs reused within the sequence, see above) and
// fills *pc.alf_out (slice header fields and the APS RBSP when a new APS is sent); then codes
// the recorded bins with a real CABAC encoder (contexts initialised for pc.qp and initType),
// inserting each CTU's ALF syntax before its bins. Returns the slice data bytes.
std::vector<uint8_t> alf_finish_slice_data(const EncoderConfig& cfg, const Picture& orig,
                                           Picture& recon, const BinRecorder& bins,
                                           const PictureCoding& pc, int initType,
                                           const double lambda[3]);

}  // namespace vvc
