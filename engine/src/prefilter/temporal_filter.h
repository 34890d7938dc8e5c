// Motion-compensated temporal pre-filter (MCTF) of the source: an encoder-only tool, the
// bitstream syntax does not change. The source of a key picture is replaced by a weighted
// average of itself and up to `range` motion-compensated neighbouring source frames on each
// side, so the coded picture carries less temporal noise; the pictures that reference it
// predict better. PSNR is still measured against the unfiltered source (the caller keeps it).
//
// The process follows the one VTM's TemporalFilter and VVenC's MCTF use (learnt from VVenC's
// CommonLib/MCTF.cpp; this is our own implementation, with the standard's interpolation
// filters instead of theirs):
//  1. which pictures: with GOP size G and base QP, n = max(1, log2(G) - (QP >> 4)) levels; a
//     POC that is a multiple of G >> (n - 1 - i) gets strength s_i = clip(0, 2, (QP - 4) / 8)
//     / (n - i), the top level (multiples of G) s = clip(0, 1.5, 3 * (QP - 4) / 32). Others are
//     not filtered (mctf_strength() == 0). The two top levels use `range` neighbours on each
//     side, the others at most 2 (mctf_range()).
//  2. motion: hierarchical block matching of the current luma against each neighbour on 4x and
//     2x subsampled pictures (2x2 averages), then full resolution: blocks of 2u samples at each
//     level (full search +-8 at the coarsest, +-5 around the best of the 3x3 coarser
//     candidates below it), then blocks of u (u = 8 below 720p, 16 from 720p) refined to 1/16
//     sample (a +-6 grid of step 4, then +-2 step 2, then +-1); the above and left vectors are
//     candidates too. The block error is normalised by the block's variance: error = 20 * (SSE + 5)
//     / (var + 5) + MSE / 50.
//  3. filtering per u x u block and component: every neighbour is motion compensated (H.266
//     8-tap luma / 4-tap chroma interpolation), a planar (bias + gradient) mismatch removed
//     when the base QP <= 32, and each sample becomes
//       (I + sum_i w_i R_i) / (1 + sum_i w_i),  w_i = ww_i * exp(-(R_i - I)^2 / sw_i),
//     ww_i = strength * (0.4 luma | 0.55 chroma) * refStrength(|dPOC|) * (error and noise
//     terms of the block), sw_i = 2 * sigma^2 * (error and noise terms); luma sigma^2 =
//     9 * (128 + 3 * QP^3 / 256), chroma sigma^2 = 30^2 (10-bit);
//     refStrength(d) = min(0.84375, 3 / (1 + 2d)) with future neighbours (random access), and
//     min(1.125, 5 / (1 + 2d)) with past ones only (low delay).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "common/picture.h"

namespace vvc {

// ---- schedule ----

struct MctfParams {
  int base_qp = 32;         // the sequence's base QP (not the picture's cascaded QP)
  int gop_size = 32;        // 32 random access, 8 low delay
  bool future_refs = true;  // random access: neighbours on both sides; low delay: past only
  int num_frames = 0;       // frames in the sequence (neighbours are clamped to it)
  int range = 4;            // neighbours on each side
  int poc_offset = 0;  // key pictures are those with (poc + poc_offset) % gop_size == 0 (1 when
                       // the GOPs start at POC -1: a first IRAP that is not POC 0)
  int width = 0, height = 0;  // source size (block size choice)
  // By POC: the picture's position in its GOP (1 .. GOP size; 0 for an IRAP picture, always
  // filtered at the top level) from the coding structure, which replaces poc + poc_offset
  // where intra periods or the sequence's end cut GOPs short; empty: poc + poc_offset.
  std::vector<int> gop_position;
};

// Overall strength for POC poc; 0 when the picture is not filtered.
double mctf_strength(const MctfParams& p, int poc);

// Neighbours on each side for POC poc: `range` for the two top levels of the schedule, at
// most 2 below them (VVenC's 'slower' preset); 0 when not filtered.
int mctf_range(const MctfParams& p, int poc);

// The lowest POC whose source the filter of `poc` reads (poc itself when not filtered).
int mctf_first_needed(const MctfParams& p, int poc);

// ---- motion estimation ----

// One block's motion towards a neighbour: 1/16 sample of the level it was found on.
struct FilterMv {
  int x = 0;
  int y = 0;
  int64_t error = INT64_MAX;  // SSE at coarse levels; the normalised error at the final level
  int rms = 0;                // sqrt(MSE) of the best match (final level)
};

struct MvGrid {
  int block = 0;  // block size in samples of its level
  int cols = 0;
  int rows = 0;
  std::vector<FilterMv> mv;
  void reset(int blockSize, int width, int height);
  FilterMv& at(int bx, int by) { return mv[static_cast<size_t>(by) * cols + bx]; }
  const FilterMv& at(int bx, int by) const { return mv[static_cast<size_t>(by) * cols + bx]; }
};

// Motion of cur's u x u luma blocks in ref (both full-resolution luma planes of one size);
// result MVs in 1/16 luma samples.
MvGrid estimate_filter_motion(const Plane& cur, const Plane& ref, int unit);

// ---- filtering ----

struct FilterNeighbour {
  const Picture* pic = nullptr;
  int poc_offset = 0;  // POC(neighbour) - POC(current), nonzero
};

struct FilterSettings {
  double strength = 1.0;
  int base_qp = 32;
  bool future_refs = true;  // reference-strength table (random access vs low delay)
  int unit = 8;             // block size of the final motion and of the filter
};

// Returns the filtered picture (same size as cur). With no neighbours it is a copy of cur.
// motion (optional) receives the final motion grid towards each neighbour.
Picture temporal_filter(const Picture& cur, const std::vector<FilterNeighbour>& neighbours,
                        const FilterSettings& s, std::vector<MvGrid>* motion = nullptr);

// Block size the filter uses for a source size: 8 below 720 lines/columns, else 16.
int mctf_unit_size(int width, int height);

// The app's hook: when the schedule filters `poc`, gathers the neighbours (clamped to the
// sequence) through `frame` (source by POC, coded size) and writes the filtered source to
// out; returns false (out untouched) when the picture is not filtered. With bim, the block
// importance map of the filtered picture (prefilter/block_importance.h, CTUs of ctuSize)
// goes there (left empty when the neighbours do not allow one).
struct QpOffsetMap;
bool filter_source(const MctfParams& p, int poc,
                   const std::function<const Picture&(int poc)>& frame, Picture& out,
                   QpOffsetMap* bim = nullptr, int ctuSize = 128);

}  // namespace vvc
