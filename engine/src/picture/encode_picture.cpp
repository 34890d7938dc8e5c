// The picture encoder: the picture state set up for the slice, the CTU loop (each CTU's coding
// trees searched and coded by search/tree_search.h, asking search/mode_controller.h what to
// try), and the filter tail (deblocking, ALF with the final CABAC pass).
#include "picture/encode_picture.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "cu/cu_coder.h"
#include "filter/alf_encoder.h"
#include "filter/deblock.h"
#include "filter/deblock_bs.h"
#include "picture/picture_state.h"
#include "search/deblocking_offset.h"
#include "search/inter_search.h"
#include "search/intra_search.h"
#include "search/mode_controller.h"
#include "search/tree_search.h"

namespace vvc {
namespace {

// The coding trees of the CTU at (cx, cy) in coding order: its single tree (P/B slices), or
// the luma and chroma trees of each of its 64x64 quadrants inside the picture (I slices:
// dual_tree_implicit_qt_split, 7.3.9.3). Returns their number.
int ctu_roots(const PictureState& s, int cx, int cy, TreeNode roots[8]) {
  const int ctu = s.cfg.ctu_size();
  if (s.inter_slice()) {
    roots[0] = TreeNode{};
    roots[0].x = cx;
    roots[0].y = cy;
    roots[0].w = roots[0].h = ctu;
    roots[0].tree = TreeType::kSingle;
    return 1;
  }
  const int qsize = std::min(ctu, 64);
  const int n = ctu / qsize;
  int nr = 0;
  for (int i = 0; i < n * n; ++i) {
    const int x = cx + (i % n) * qsize, y = cy + (i / n) * qsize;
    if (x >= s.cfg.width || y >= s.cfg.height) continue;
    for (TreeType t : {TreeType::kDualLuma, TreeType::kDualChroma}) {
      TreeNode& r = roots[nr++];
      r = TreeNode{};
      r.x = x;
      r.y = y;
      r.w = r.h = qsize;
      r.qt_depth = ilog2(ctu / qsize);
      r.part_idx = i;
      r.parent_split = SplitMode::kQt;
      r.tree = t;
    }
  }
  return nr;
}

// The deblocking of the reconstruction: bS from the CU maps for intra pictures, from motion
// and coded flags for inter ones (with per-component chroma bS).
void deblock(PictureState& s) {
  if (!s.cfg.deblock) return;
  if (!s.inter_slice()) {
    deblock_picture(s.recon, s.deblock, s.deblock_params());
    return;
  }
  std::vector<uint8_t> crBs;
  derive_boundary_strengths(*s.motion, s.tbmap, s.deblock, &crBs);
  deblock_picture_split_chroma(s.recon, s.deblock, crBs, s.deblock_params());
}

// Everything one picture's coding holds, built in dependency order.
struct PictureEncoder {
  PictureEncoder(const EncoderConfig& cfg, const Picture& orig, Picture& recon,
                 const PictureCoding& pc, SplitOracle& oracle)
      : state(cfg, orig, recon, pc),
        cu(state),
        mc(state, oracle),
        intra(state, cu, mc),
        edo(state),
        inter(state, cu, intra, mc, edo),
        tree(state, cu, mc, intra, state.inter_slice() ? &inter : nullptr) {}

  PictureState state;
  CuCoder cu;
  ModeController mc;
  IntraSearch intra;
  DeblockingOffset edo;
  InterSearch inter;
  TreeSearch tree;
};

}  // namespace

std::vector<uint8_t> encode_picture(const EncoderConfig& cfg, const Picture& orig, Picture& recon,
                                    const PictureCoding& pc, SplitOracle& oracle) {
  // The encoder holds sizeable scratch buffers: keep it off the stack.
  auto pe = std::make_unique<PictureEncoder>(cfg, orig, recon, pc, oracle);
  PictureState& s = pe->state;
  const bool inter = s.inter_slice();

  // The split log's records: one single tree per CTU, or its luma and chroma trees (whose
  // root is the implicit QT split of a 128 CTU into 64x64 quadrants).
  const int ctu = cfg.ctu_size();
  const int numRecs = inter ? 1 : 2;
  CtuTreeRecord rec[2];
  for (int c = 0; c < numRecs; ++c) {
    rec[c].poc = pc.slice.poc;
    rec[c].qp = pc.slice.qp;
    rec[c].slice_type = pc.slice.slice_type;
    rec[c].tree = inter ? TreeType::kSingle : c ? TreeType::kDualChroma : TreeType::kDualLuma;
    if (inter) {
      rec[c].temporal_id = pc.slice.temporal_id;
      rec[c].ref_poc = pe->mc.nearest_ref_poc();
    }
  }
  int ctuIndex = 0;
  for (int cy = 0; cy < cfg.height; cy += ctu) {
    s.hmvp.reset();  // HMVP table reset at the first CTU of every CTU row
    for (int cx = 0; cx < cfg.width; cx += ctu) {
      s.enc.mark_ctu();  // ALF syntax goes before each CTU in the final pass
      s.start_ctu_qg(ctuIndex++, cx, cy);
      pe->mc.begin_ctu();
      for (int c = 0; c < numRecs; ++c) {
        rec[c].x = cx;
        rec[c].y = cy;
        rec[c].splits.clear();
        if (!inter && ctu > 64) rec[c].splits.push_back(static_cast<uint8_t>(SplitMode::kQt));
      }
      TreeNode roots[8];
      const int nr = ctu_roots(s, cx, cy, roots);
      for (int r = 0; r < nr; ++r)
        pe->tree.code_tree(roots[r], rec[tree_channel(roots[r].tree)].splits);
      for (int c = 0; c < numRecs; ++c) pe->mc.record_tree(rec[c]);
    }
  }
  // end_of_slice_segment_flag: in H.266 (7.3.8.1) only after the last CTU of the slice (no
  // tiles, no entropy sync: nothing is coded between CTUs).
  s.enc.encode_bin_trm(1);
  s.enc.finish();
  pe->mc.end_picture();

  deblock(s);
  // dmvr: spatial prediction and bS used the unrefined MVs; later pictures' TMVP reads the
  // refined ones (8.5.1).
  for (const RefinedMotion& r : s.dmvr_store) s.motion->set(r.x, r.y, r.w, r.h, r.mi);
  // ALF on the deblocked picture, then the final CABAC pass with the ALF CTU syntax.
  s.set_ctu_qp(pc.slice.qp);
  return alf_finish_slice_data(cfg, orig, recon, s.enc, pc, inter ? (s.rl.is_b ? 2 : 1) : 0,
                               s.lambdas.comp_lambda);
}

}  // namespace vvc
