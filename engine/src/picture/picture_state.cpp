#include "picture/picture_state.h"

#include <algorithm>

namespace vvc {

PictureState::PictureState(const EncoderConfig& config, const Picture& source,
                           Picture& reconstruction, const PictureCoding& coding)
    : cfg(config), orig(source), recon(reconstruction), pc(coding) {
  // The GOP plan's picture lambda (random access / low delay) overrides the all-intra one.
  slice_lambda =
      pc.lambda > 0 ? pc.lambda : make_lambdas(cfg, pc.slice.qp, pc.slice.slice_type).lambda;
  set_ctu_qp(pc.slice.qp);
  for (TreeType t : {TreeType::kSingle, TreeType::kDualLuma, TreeType::kDualChroma})
    lim[static_cast<int>(t)] = split_limits(cfg, pc.slice.slice_type, t);

  const int W = cfg.width, H = cfg.height;
  if (recon.width != W || recon.height != H) recon = Picture(W, H);
  maps.reset(W, H);
  deblock.reset(W, H);
  qpy_map.assign(static_cast<size_t>(maps.w4()) * maps.h4(), static_cast<int8_t>(pc.slice.qp));

  // The slice's reference lists by POC (empty in I slices): what merge, AMVP and TMVP read
  // now, and what later pictures read with this picture's motion field (TMVP, bS).
  const bool inter = inter_slice();
  rl = RefLists{};
  rl.poc = pc.slice.poc;
  rl.is_b = pc.slice.slice_type == SliceType::B;
  for (int l = 0; l < 2; ++l) {
    rl.num_ref[l] = inter ? std::min(static_cast<int>(pc.ref[l].size()), kMaxRefPics) : 0;
    for (int i = 0; i < rl.num_ref[l]; ++i) {
      rl.ref_poc[l][i] = pc.ref[l][static_cast<size_t>(i)].poc;
      rps.pic[l][i] = pc.ref[l][static_cast<size_t>(i)].padded;
      rps.ref_poc[l][i] = rl.ref_poc[l][i];  // dmvr/bdof conditions
    }
  }
  rl.tmvp = inter && pc.slice.temporal_mvp;
  rl.collocated_from_l0 = rl.is_b ? pc.slice.collocated_from_l0 : true;
  rl.collocated_ref_idx = inter ? pc.slice.collocated_ref_idx : 0;
  motion = pc.motion_out ? pc.motion_out : &local_motion;
  if (inter || pc.motion_out) {
    motion->reset(W, H);
    motion->refs = rl;
  }
  if (!inter) {
    ctx.init(pc.slice.qp, 0);
  } else {
    tbmap.reset(W, H);
    rps.poc = pc.slice.poc;
    rps.dmvr = cfg.dmvr;  // ph_*_disabled_flag inferred 1 - sps flag (no PH control)
    rps.bdof = cfg.bdof;
    col = rl.tmvp ? pc.ref[rl.col_list()][static_cast<size_t>(rl.collocated_ref_idx)].motion
                  : nullptr;
    ctx.init(pc.slice.qp, rl.is_b ? 2 : 1);  // initType: P 1, B 2 (sh_cabac_init_flag 0)
  }
  enc.start();
  est.start();
}

}  // namespace vvc
