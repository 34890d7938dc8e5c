// Encoder configuration (every coding switch in one struct) and the parameter-set / slice
// header writers: SPS (H.266 7.3.2.3 with profile_tier_level 7.3.3 and dpb_parameters 7.3.4),
// PPS (7.3.2.4), slice header with the picture header inside it (7.3.7.1 / 7.3.2.7), and the
// chroma QP mapping (7.4.3.4 table construction, 8.7.1 use).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bitstream/nal.h"
#include "encoder/speed_settings.h"

namespace vvc {

// Partition limits for one slice kind / tree, in luma samples (H.266 7.4.3.4 semantics).
struct PartitionLimits {
  int min_qt = 8;  // MinQtSize
  int max_mtt_depth = 3;
  int max_bt = 32;  // MaxBtSize
  int max_tt = 32;  // MaxTtSize
};

// One short-term reference picture list as signalled in the slice header.
struct RefPicList {
  std::vector<int> delta_poc;  // POC(ref) - POC(current) per entry, nonzero
};

// What the coded stream says: geometry, rate structure, profile and level, block structure and
// the normative tool switches that the SPS, PPS and slice headers carry. The parameter-set
// writers read only this.
struct CodingConfig {
  // ---- picture geometry ----
  int width = 0;      // coded luma width (source padded up to a multiple of 8)
  int height = 0;     // coded luma height
  int src_width = 0;  // source (output, conformance-cropped) size
  int src_height = 0;
  int fps_num = 30;
  int fps_den = 1;
  double fps() const { return fps_den ? static_cast<double>(fps_num) / fps_den : 0.0; }
  int bit_depth = 10;         // internal (coded) bit depth
  int input_bit_depth = 8;    // source file bit depth
  int chroma_format_idc = 1;  // 4:2:0 only

  // ---- rate / structure ----
  int qp = 32;                   // base QP (slice QP of a picture = qp + its offset)
  std::vector<int> qp_offsets;   // per-picture offsets, cyclic over the coding order
  int init_qp = 26;              // pps_init_qp_minus26 + 26
  int intra_period = 1;          // 1: every picture is IDR
  int max_sublayers_minus1 = 0;  // 0 for all intra; random access uses 5
  int log2_max_poc_lsb = 8;      // log2_max_pic_order_cnt_lsb_minus4 + 4
  // dpb_parameters per sublayer (index = temporal id); the last entry is used for the
  // highest sublayer and for all when only one is given.
  std::vector<int> max_dec_pic_buffering_minus1 = {0};
  std::vector<int> max_num_reorder_pics = {0};
  std::vector<int> max_latency_increase_plus1 = {0};
  bool sublayer_dpb_params = false;  // signal dpb_parameters for every sublayer

  // ---- profile / level ----
  int profile_idc = 1;  // Main 10
  int tier = 0;
  int level_idc = 0;  // 0 = choose from picture size and rate (see choose_level_idc)

  // ---- block structure ----
  int log2_ctu = 7;     // CTU 128
  int log2_min_cb = 2;  // MinCb 4
  bool dual_tree_intra = true;
  PartitionLimits intra_luma{8, 3, 32, 32};
  PartitionLimits intra_chroma{8, 3, 64, 32};  // luma samples
  PartitionLimits inter{8, 3, 128, 64};
  bool max_tb_64 = true;  // sps_max_luma_transform_size_64_flag

  // ---- chroma QP mapping table (CTC), same table for Cb and Cr ----
  std::vector<int> chroma_qp_in = {17, 22, 34, 42};
  std::vector<int> chroma_qp_out = {17, 23, 35, 39};

  // ---- loop filters ----
  bool deblock = true;
  int deblock_beta_offset_div2 = 0;
  int deblock_tc_offset_div2 = 0;
  bool sao = false;
  bool alf = true;  // ALF (8.8.5), filter/alf_encoder.h; --no-alf
  bool ccalf = false;
  bool lmcs = false;

  // ---- transform / quantization / residual tools ----
  bool transform_skip = false;
  int log2_transform_skip_max_size = 2;
  bool bdpcm = false;
  bool mts = false;
  bool explicit_mts_intra = false;
  bool explicit_mts_inter = false;
  bool lfnst = false;
  bool joint_cbcr = false;
  bool scaling_lists = false;
  bool dep_quant = true;  // dependent quantization (transform/dep_quant.h); --no-dep-quant
  bool sign_hiding = false;
  bool cu_qp_delta = false;
  bool sbt = false;
  int min_qp_prime_ts = 0;  // signalled when transform skip or palette is on

  // ---- intra tools ----
  bool mip = false;
  bool isp = false;
  bool mrl = false;
  bool cclm = true;  // CCLM chroma intra modes 81..83 (intra/cclm.h); --no-cclm
  bool palette = false;
  bool ibc = false;
  int max_num_ibc_merge_cand = 6;

  // ---- inter tools ----
  bool temporal_mvp = false;
  bool sbtmvp = false;
  bool amvr = false;
  bool bdof = true;  // BDOF (8.5.6.5), inter/bdof.h; --no-bdof
  bool bdof_control_in_ph = false;
  bool smvd = false;
  bool dmvr = true;  // DMVR (8.5.3), inter/dmvr.h; --no-dmvr
  bool dmvr_control_in_ph = false;
  bool mmvd = false;
  bool mmvd_fullpel_only = false;
  int max_num_merge_cand = 6;
  bool affine = false;
  int max_num_subblock_merge_cand = 5;
  bool affine_6param = false;
  bool affine_amvr = false;
  bool prof = false;
  bool prof_control_in_ph = false;
  bool bcw = false;
  bool ciip = false;
  bool gpm = false;
  int max_num_gpm_cand = 6;
  int log2_parallel_merge_level = 2;
  bool weighted_pred = false;  // not supported by the writer: must stay false
  bool weighted_bipred = false;
  bool long_term_refs = false;  // not supported by the writer: must stay false

  // ---- chroma sample location ----
  bool chroma_horizontal_collocated = true;  // 4:2:0 with MPEG-2 siting (VTM default)
  bool chroma_vertical_collocated = false;

  int ctu_size() const { return 1 << log2_ctu; }
  int qp_bd_offset() const { return 6 * (bit_depth - 8); }
  // The QP of the picture at coding index idx: base QP plus its cyclic offset.
  int picture_qp(int idx) const;
};

// The encoder's configuration: the coded stream's parameters and what the encoder alone
// decides (no syntax rule depends on these).
struct EncoderConfig : CodingConfig {
  // ---- output / run control ----
  bool md5_sei = false;        // a decoded picture hash SEI after every picture
  std::string split_log_path;  // training-data split log ("" = none)
  // ---- source processing ----
  bool mctf = false;  // temporal pre-filter of key pictures (prefilter/temporal_filter.h)
  // Block importance mapping (prefilter/block_importance.h): QP offsets per picture and CTU
  // from the temporal filter's motion errors; needs mctf and cu_qp_delta; --bim 0.
  bool bim = false;
  // ---- the search's speed knobs ----
  SpeedSettings speed;
};

enum class SliceType : int { B = 0, P = 1, I = 2 };  // sh_slice_type values (Table 9)

// ALF fields of the slice header (7.3.7.1; pps_alf_info_in_ph_flag = 0, no CC-ALF), filled by
// the picture encoder's ALF stage (filter/alf_encoder.h), with the ALF APS to send before it.
struct SliceAlf {
  bool enabled = false;           // sh_alf_enabled_flag
  int num_aps_ids_luma = 0;       // sh_num_alf_aps_ids_luma (0 or 1 here)
  int aps_id_luma = 0;            // sh_alf_aps_id_luma[0]
  bool cb = false, cr = false;    // sh_alf_cb_enabled_flag, sh_alf_cr_enabled_flag
  int aps_id_chroma = 0;          // sh_alf_aps_id_chroma
  std::vector<uint8_t> aps_rbsp;  // ALF APS RBSP (PREFIX_APS_NUT) for this picture; empty: none
};

struct SliceParams {
  int poc = 0;
  int qp = 32;  // slice QP (QpY), no QpBdOffset
  SliceType slice_type = SliceType::I;
  NalType nal_type = NalType::IDR_N_LP;
  int temporal_id = 0;
  bool non_ref_pic = false;            // ph_non_ref_pic_flag
  bool inter_slice_allowed = false;    // ph_inter_slice_allowed_flag (0 for all-intra)
  bool intra_slice_allowed = true;     // ph_intra_slice_allowed_flag when inter is allowed
  RefPicList rpl[2];                   // written in the slice header for non-IDR pictures
  int num_ref_idx_active[2] = {0, 0};  // 0 = all entries (override when fewer)
  bool temporal_mvp = false;           // ph_temporal_mvp_enabled_flag (needs sps flag)
  bool collocated_from_l0 = true;
  int collocated_ref_idx = 0;
  bool mvd_l1_zero = false;
  SliceAlf alf;  // written when cfg.alf
};

// Level for the picture size and sample rate (H.266 Table A.1/A.2), level_idc = 16*major +
// 3*minor; returns cfg.level_idc if it is set.
int choose_level_idc(const CodingConfig& cfg);

// Checks the configuration against what the writers can signal and what the standard allows;
// returns "" when fine, otherwise a one-line description of the problem.
std::string validate_config(const EncoderConfig& cfg);

// RBSPs (without NAL header and emulation prevention); pass them to write_nal().
std::vector<uint8_t> write_sps(const CodingConfig& cfg);
std::vector<uint8_t> write_pps(const CodingConfig& cfg);
// Slice header RBSP with the picture header inside it, ending with byte_alignment(): append
// the slice data bytes (CABAC output incl. end_of_slice_segment_flag and its trailing bits).
std::vector<uint8_t> write_slice_header(const CodingConfig& cfg, const SliceParams& sp);

// QpC for chroma component cIdx (1 = Cb, 2 = Cr) from luma QpY per 8.7.1, using the SPS chroma
// QP mapping table (7.4.3.4). Both without QpBdOffset: range -QpBdOffset..63 (QpBdOffset 12).
// No PPS/slice/CU chroma offsets (all zero in our streams).
int chroma_qp(const CodingConfig& cfg, int qpY, int cIdx);

// The whole ChromaQpTable for one table index, indexed by qPi + QpBdOffset (qPi in
// -QpBdOffset..63).
std::vector<int> chroma_qp_table(const CodingConfig& cfg);

}  // namespace vvc
