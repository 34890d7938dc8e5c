// Coding structure of a sequence: which picture is coded when, with which POC, temporal ID,
// NAL unit type, slice type, QP, lambda and reference picture lists (H.266 8.3.2), and the
// DPB sizes the SPS must announce (dpb_parameters, 7.3.4).
//
// Configurations (VTM's CTC cfg files, values also in VVenC's vvencCfg.cpp GOP tables):
//  - random access (encoder_randomaccess_vtm.cfg): GOP 32, hierarchical B over temporal
//    layers 0..5, a CRA picture every intra period, leading pictures coded as RASL; the first
//    IRAP either at POC 0 (VTM) or closing the first GOP with RADL leading pictures (VVenC's
//    default), GopParams::first_irap;
//  - low-delay B (encoder_lowdelay_vtm.cfg): GOP 8 in output order, all temporal ID 0, each
//    picture references previous ones in both lists;
//  - all intra: every picture an IDR_N_LP picture with one I slice.
//
// How the reference picture lists are built (plan_sequence):
//  1. The cfg lists of a GOP entry give candidate POCs (current POC - delta).
//  2. A candidate is available when it was coded earlier and no picture coded since (the
//     current one included) is barred from listing it: a CRA may only list pictures that do
//     not precede the previous IRAP picture, a trailing picture only pictures that do not
//     precede its IRAP picture (8.3.2 constraints). Active references also need TemporalId <=
//     the current one.
//  3. The available candidates, in cfg order, form each list (VTM createExplicitReference-
//     PictureSetFromReference): a list shorter than the cfg's active count is filled with the
//     other list's entries, the active count is min(cfg active count, entries).
//  4. Every other picture still needed as an active reference by a later picture is appended
//     to L0 as an inactive entry (the RPL also drives DPB marking: a picture listed in neither
//     list becomes "unused for reference" and leaves the DPB).
//
// How a plan is used (encoder/sequence_encoder.cpp): the pictures are coded in
// SequencePlan::pictures order; each one's PictureCoding (picture/encode_picture.h) carries
// the slice parameters of slice_params_for() (B slices in RA and LDB, L1 of LDB equal to L0,
// NumRefIdxActive = the active counts, ph_mvd_l1_zero_flag 0, TMVP on for every inter
// picture), the plan's lambda, and the ACTIVE entries of RefPicList0/1 in refIdx order.
#pragma once
#include <string>
#include <vector>

#include "bitstream/nal.h"
#include "bitstream/params.h"

namespace vvc {

enum class GopConfig { AllIntra, RandomAccess, LowDelayB };

// Parses "ai", "ra", "ldb"; returns false for anything else.
bool parse_gop_config(const std::string& name, GopConfig& out);
const char* gop_config_name(GopConfig c);

// One FrameN line of a VTM cfg file.
struct GopEntry {
  int poc;                 // POC offset inside the GOP (1 .. GOP size)
  int qp_offset;           // QPoffset
  double qp_model_offset;  // QPOffsetModelOff
  double qp_model_scale;   // QPOffsetModelScale
  double qp_factor;        // QPfactor (unused with LambdaFromQpEnable = 1)
  int temporal_id;
  int num_active[2];              // #ref_pics_active_L0 / _L1
  std::vector<int> ref_delta[2];  // reference_pictures_L0 / _L1: ref POC = POC - delta
};

// The cfg's GOP (coding order within the GOP): 32 entries for RA, 8 for LDB, empty for AI.
const std::vector<GopEntry>& gop_entries(GopConfig c);
int gop_size(GopConfig c);

// IntraQPOffset of the cfg: -3 (RA), -1 (LDB), 0 (AI).
int intra_qp_offset(GopConfig c);

// CTC intra period for a frame rate: 32 up to 30 fps, 48 for 50 fps, 64 for 60 fps (about
// one second, a multiple of 16).
int default_intra_period(double fps);

// Slice QP of a picture (VTM EncSlice::xGetQPForPicture): intra pictures base + IntraQPOffset;
// others base + QPoffset, then + floor(clip(0, 3, qp * scale + offset + 0.5)) of the entry's
// QP offset model. Clipped to -12..63 (10-bit).
int picture_qp(int baseQp, const GopEntry* entry, bool intra, GopConfig c);

// Lagrange multiplier of a picture for SSE at 10-bit internal depth, as VTM's EncSlice::
// xCalculateLambda with LambdaFromQpEnable = 1 (both CTC cfgs) and no lambda modifiers:
// 0.57 * 2^((qp + 6 * (bitDepth - 8) - 12) / 3) for every slice type and temporal layer.
double picture_lambda(int qp, SliceType st, int temporalId, int bitDepth = 10);

// Where the first IRAP picture of a random-access sequence goes.
//  - kPoc0: at POC 0, as VTM's CTC cfg: every GOP of the first intra period has pictures
//    on both sides.
//  - kFirstGop (VVenC's default, POC0IDR=0): closing the first GOP (one GOP of 32, or the
//    part of the intra period beyond whole GOPs, down to a power of two the sequence holds),
//    coded first as an IDR_W_RADL picture whose leading pictures POC 0 .. first-1 are RADL
//    pictures predicted from it and each other (from one side only): later IRAPs follow
//    every intra period after it, which saves an intra picture on most lengths.
//  - kAuto: kPoc0 unless kFirstGop codes fewer intra pictures for the sequence's length
//    (measured in docs/random-access.md: one-sided prediction of the first GOP costs more
//    than it saves unless it saves a whole intra picture).
enum class FirstIrap { kAuto, kPoc0, kFirstGop };

struct GopParams {
  GopConfig config = GopConfig::RandomAccess;
  int num_frames = 0;
  int intra_period = 32;  // CRA every intra_period pictures (POC multiple); <= 0: first only
  int base_qp = 32;
  bool temporal_mvp = true;  // ph_temporal_mvp_enabled_flag for inter pictures
  // Random access only: where the first IRAP picture goes (FirstIrap).
  FirstIrap first_irap = FirstIrap::kPoc0;
};

// POC of the first IRAP picture of a random-access plan (0 when it is POC 0 or not RA).
int first_irap_poc(const GopParams& p);

// IRAP pictures of a random-access plan of num_frames pictures whose first IRAP is at POC
// first: first, first + intra_period, ... up to the last picture.
int irap_count(const GopParams& p, int first);

// One picture of the plan, in coding order.
struct PicturePlan {
  int poc = 0;
  int coding_index = 0;
  int temporal_id = 0;
  NalType nal_type = NalType::TRAIL;
  SliceType slice_type = SliceType::B;
  int qp = 32;
  double lambda = 0;
  int gop_entry = -1;  // index into gop_entries(), -1 for IRAP / all-intra pictures
  // Reference picture lists as POCs: the first num_active[l] entries are active
  // (RefPicList[l][0 .. NumRefIdxActive[l]-1]); the rest only keep pictures in the DPB.
  std::vector<int> rpl[2];
  int num_active[2] = {0, 0};
  bool temporal_mvp = false;
  bool collocated_from_l0 = true;
  int collocated_ref_idx = 0;

  bool irap() const {
    return nal_type == NalType::CRA || nal_type == NalType::IDR_N_LP ||
           nal_type == NalType::IDR_W_RADL;
  }
};

struct SequencePlan {
  GopConfig config = GopConfig::RandomAccess;
  std::vector<PicturePlan> pictures;  // coding order
  int max_sublayers_minus1 = 0;
  int max_dec_pic_buffering_minus1 = 0;  // dpb_parameters for the highest sublayer
  int max_num_reorder_pics = 0;
};

// Plans the whole sequence (num_frames pictures, POC 0 .. num_frames-1). AI pictures get the
// base QP (callers add their own per-picture offsets).
SequencePlan plan_sequence(const GopParams& p);

// Sets the SPS fields that depend on the structure (sublayers, DPB sizes, TMVP).
void apply_plan_to_config(const SequencePlan& plan, EncoderConfig& cfg);

// Slice parameters for writing the picture's slice header (write_slice_header).
SliceParams slice_params_for(const PicturePlan& pic);

// Checks the plan against the decoder's view (8.3.2 marking, C.5.2 output): every active
// reference is in the DPB, lists only name pictures in the DPB, trailing/CRA constraints,
// TemporalId of active references, and that output order with the signalled
// max_num_reorder_pics / max_dec_pic_buffering is POC order. Returns "" or the first problem.
std::string check_plan(const SequencePlan& plan);

}  // namespace vvc
