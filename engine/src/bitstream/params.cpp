#include "bitstream/params.h"

#include <algorithm>
#include <cstdlib>

#include "bitstream/bit_writer.h"

namespace vvc {

namespace {

int ilog2(int v) {
  int n = 0;
  while ((1 << (n + 1)) <= v) ++n;
  return n;
}

bool is_pow2(int v) {
  return v > 0 && (v & (v - 1)) == 0;
}

template <typename T>
T per_sublayer(const std::vector<T>& v, int i) {
  if (v.empty()) return T{};
  return v[std::min<size_t>(static_cast<size_t>(i), v.size() - 1)];
}

// profile_tier_level(profileTierPresentFlag = 1, MaxNumSubLayersMinus1), 7.3.3.1.
void write_profile_tier_level(BitWriter& bw, const CodingConfig& cfg) {
  bw.write(static_cast<uint32_t>(cfg.profile_idc), 7);        // general_profile_idc
  bw.write_flag(cfg.tier != 0);                               // general_tier_flag
  bw.write(static_cast<uint32_t>(choose_level_idc(cfg)), 8);  // general_level_idc
  bw.write_flag(true);                                        // ptl_frame_only_constraint_flag
  bw.write_flag(false);                                       // ptl_multilayer_enabled_flag
  // general_constraints_info() 7.3.3.2: gci_present_flag = 0, then gci_alignment_zero_bit.
  bw.write_flag(false);
  bw.byte_align_zero();
  // ptl_sublayer_level_present_flag[i] for i = MaxNumSubLayersMinus1-1 .. 0: all 0 (the
  // sublayer levels are inferred equal to the general level).
  for (int i = cfg.max_sublayers_minus1 - 1; i >= 0; --i) bw.write_flag(false);
  bw.byte_align_zero();  // ptl_reserved_zero_bit
  bw.write(0, 8);        // ptl_num_sub_profiles
}

// dpb_parameters(MaxSubLayersMinus1, subLayerInfoFlag), 7.3.4.
void write_dpb_parameters(BitWriter& bw, const CodingConfig& cfg, bool subLayerInfo) {
  const int maxSub = cfg.max_sublayers_minus1;
  for (int i = subLayerInfo ? 0 : maxSub; i <= maxSub; ++i) {
    bw.write_ue(static_cast<uint32_t>(per_sublayer(cfg.max_dec_pic_buffering_minus1, i)));
    bw.write_ue(static_cast<uint32_t>(per_sublayer(cfg.max_num_reorder_pics, i)));
    bw.write_ue(static_cast<uint32_t>(per_sublayer(cfg.max_latency_increase_plus1, i)));
  }
}

// ref_pic_list_struct(listIdx, rplsIdx) for short-term entries only (no long-term pictures,
// no inter-layer references, no weighted prediction), 7.3.10.
void write_ref_pic_list_struct(BitWriter& bw, const RefPicList& rpl) {
  bw.write_ue(static_cast<uint32_t>(rpl.delta_poc.size()));  // num_ref_entries
  int prev = 0;
  for (int d : rpl.delta_poc) {
    // DeltaPocValSt[i] = entry - previous entry (relative to the current picture for i = 0);
    // without weighted prediction abs_delta_poc_st is coded minus 1 (7.4.11).
    const int delta = d - prev;
    prev = d;
    // AbsDeltaPocSt = abs_delta_poc_st + 1 > 0, so the sign is always present (1 = negative).
    bw.write_ue(static_cast<uint32_t>(std::max(std::abs(delta), 1) - 1));  // abs_delta_poc_st
    bw.write_flag(delta < 0);                                              // strp_entry_sign_flag
  }
}

struct Level {
  int idc;
  int64_t max_luma_ps;
  int64_t max_luma_sr;
};
// H.266 Table A.1 (MaxLumaPs) and Table A.2 (MaxLumaSr, Main tier).
constexpr Level kLevels[] = {
    {16, 36864, 552960},         {32, 122880, 3686400},      {35, 245760, 7372800},
    {48, 552960, 16588800},      {51, 983040, 33177600},     {64, 2228224, 66846720},
    {67, 2228224, 133693440},    {80, 8912896, 267386880},   {83, 8912896, 534773760},
    {86, 8912896, 1069547520},   {96, 35651584, 1069547520}, {99, 35651584, 2139095040},
    {102, 35651584, 4278190080},
};

}  // namespace

int CodingConfig::picture_qp(int idx) const {
  if (qp_offsets.empty()) return qp;
  return qp + qp_offsets[static_cast<size_t>(idx) % qp_offsets.size()];
}

int choose_level_idc(const CodingConfig& cfg) {
  if (cfg.level_idc > 0) return cfg.level_idc;
  const int64_t ps = static_cast<int64_t>(cfg.width) * cfg.height;
  const double sr = static_cast<double>(ps) * cfg.fps();
  for (const Level& l : kLevels) {
    // Also the per-dimension limit sqrt(MaxLumaPs * 8) (A.4.1).
    const int64_t maxDim2 = l.max_luma_ps * 8;
    const bool dimsOk = static_cast<int64_t>(cfg.width) * cfg.width <= maxDim2 &&
                        static_cast<int64_t>(cfg.height) * cfg.height <= maxDim2;
    if (ps <= l.max_luma_ps && dimsOk && sr <= static_cast<double>(l.max_luma_sr)) return l.idc;
  }
  return 102;  // 6.2: the largest defined general level below 15.5
}

std::string validate_config(const EncoderConfig& cfg) {
  if (cfg.chroma_format_idc != 1) return "only 4:2:0 (chroma_format_idc 1) is supported";
  if (cfg.bit_depth != 10) return "only 10-bit internal coding is supported";
  if (cfg.width <= 0 || cfg.height <= 0 || cfg.width % 8 || cfg.height % 8)
    return "coded width and height must be positive multiples of 8";
  if (cfg.src_width <= 0 || cfg.src_height <= 0 || cfg.src_width > cfg.width ||
      cfg.src_height > cfg.height || cfg.src_width % 2 || cfg.src_height % 2)
    return "source width/height must be even and not larger than the coded size";
  if (cfg.log2_ctu < 5 || cfg.log2_ctu > 7) return "CTU size must be 32, 64 or 128";
  if (cfg.max_sublayers_minus1 < 0 || cfg.max_sublayers_minus1 > 6)
    return "max_sublayers_minus1 must be 0..6";
  if (cfg.log2_max_poc_lsb < 4 || cfg.log2_max_poc_lsb > 16) return "POC lsb bits must be 4..16";
  for (const PartitionLimits* p : {&cfg.intra_luma, &cfg.intra_chroma, &cfg.inter}) {
    if (!is_pow2(p->min_qt) || !is_pow2(p->max_bt) || !is_pow2(p->max_tt))
      return "partition sizes must be powers of two";
    if (p->max_bt < p->min_qt || p->max_tt < p->min_qt)
      return "MaxBt/MaxTt must not be smaller than MinQt";
  }
  if (cfg.chroma_qp_in.size() != cfg.chroma_qp_out.size() || cfg.chroma_qp_in.size() < 2)
    return "chroma QP table needs at least two pivot points with equal in/out counts";
  if (cfg.chroma_qp_in[0] != cfg.chroma_qp_out[0])
    return "chroma QP table: the first pivot must map to itself (qpOutVal[0] = qpInVal[0])";
  for (size_t j = 1; j < cfg.chroma_qp_in.size(); ++j)
    if (cfg.chroma_qp_in[j] <= cfg.chroma_qp_in[j - 1] ||
        cfg.chroma_qp_out[j] < cfg.chroma_qp_out[j - 1])
      return "chroma QP table pivots must increase";
  if (cfg.weighted_pred || cfg.weighted_bipred) return "weighted prediction is not supported";
  if (cfg.long_term_refs) return "long-term reference pictures are not supported";
  if (cfg.max_num_merge_cand < 1 || cfg.max_num_merge_cand > 6)
    return "max_num_merge_cand must be 1..6";
  return "";
}

std::vector<uint8_t> write_sps(const CodingConfig& cfg) {
  BitWriter bw;
  const int minCb = cfg.log2_min_cb;
  bw.write(0, 4);  // sps_seq_parameter_set_id
  bw.write(0, 4);  // sps_video_parameter_set_id (0: no VPS)
  bw.write(static_cast<uint32_t>(cfg.max_sublayers_minus1), 3);
  bw.write(static_cast<uint32_t>(cfg.chroma_format_idc), 2);
  bw.write(static_cast<uint32_t>(cfg.log2_ctu - 5), 2);  // sps_log2_ctu_size_minus5
  bw.write_flag(true);                                   // sps_ptl_dpb_hrd_params_present_flag
  write_profile_tier_level(bw, cfg);
  bw.write_flag(false);                            // sps_gdr_enabled_flag
  bw.write_flag(false);                            // sps_ref_pic_resampling_enabled_flag
  bw.write_ue(static_cast<uint32_t>(cfg.width));   // sps_pic_width_max_in_luma_samples
  bw.write_ue(static_cast<uint32_t>(cfg.height));  // sps_pic_height_max_in_luma_samples
  const bool conf = cfg.src_width != cfg.width || cfg.src_height != cfg.height;
  bw.write_flag(conf);  // sps_conformance_window_flag
  if (conf) {
    // Offsets in chroma sample units (SubWidthC = SubHeightC = 2 for 4:2:0).
    bw.write_ue(0);                                                         // left
    bw.write_ue(static_cast<uint32_t>((cfg.width - cfg.src_width) / 2));    // right
    bw.write_ue(0);                                                         // top
    bw.write_ue(static_cast<uint32_t>((cfg.height - cfg.src_height) / 2));  // bottom
  }
  bw.write_flag(false);                                   // sps_subpic_info_present_flag
  bw.write_ue(static_cast<uint32_t>(cfg.bit_depth - 8));  // sps_bitdepth_minus8
  bw.write_flag(false);                                   // sps_entropy_coding_sync_enabled_flag
  bw.write_flag(false);                                   // sps_entry_point_offsets_present_flag
  bw.write(static_cast<uint32_t>(cfg.log2_max_poc_lsb - 4), 4);
  bw.write_flag(false);  // sps_poc_msb_cycle_flag
  bw.write(0, 2);        // sps_num_extra_ph_bytes
  bw.write(0, 2);        // sps_num_extra_sh_bytes
  // sps_ptl_dpb_hrd_params_present_flag == 1:
  const bool subDpb = cfg.max_sublayers_minus1 > 0 && cfg.sublayer_dpb_params;
  if (cfg.max_sublayers_minus1 > 0) bw.write_flag(subDpb);  // sps_sublayer_dpb_params_flag
  write_dpb_parameters(bw, cfg, subDpb);

  bw.write_ue(static_cast<uint32_t>(minCb - 2));  // sps_log2_min_luma_coding_block_size_minus2
  bw.write_flag(false);                           // sps_partition_constraints_override_enabled_flag
  // Intra slices, luma (or both components without dual tree).
  const int qtIntraY = ilog2(cfg.intra_luma.min_qt);
  bw.write_ue(static_cast<uint32_t>(qtIntraY - minCb));
  bw.write_ue(static_cast<uint32_t>(cfg.intra_luma.max_mtt_depth));
  if (cfg.intra_luma.max_mtt_depth != 0) {
    bw.write_ue(static_cast<uint32_t>(ilog2(cfg.intra_luma.max_bt) - qtIntraY));
    bw.write_ue(static_cast<uint32_t>(ilog2(cfg.intra_luma.max_tt) - qtIntraY));
  }
  bw.write_flag(cfg.dual_tree_intra);  // sps_qtbtt_dual_tree_intra_flag (chroma_format != 0)
  if (cfg.dual_tree_intra) {
    const int qtIntraC = ilog2(cfg.intra_chroma.min_qt);
    bw.write_ue(static_cast<uint32_t>(qtIntraC - minCb));
    bw.write_ue(static_cast<uint32_t>(cfg.intra_chroma.max_mtt_depth));
    if (cfg.intra_chroma.max_mtt_depth != 0) {
      bw.write_ue(static_cast<uint32_t>(ilog2(cfg.intra_chroma.max_bt) - qtIntraC));
      bw.write_ue(static_cast<uint32_t>(ilog2(cfg.intra_chroma.max_tt) - qtIntraC));
    }
  }
  const int qtInter = ilog2(cfg.inter.min_qt);
  bw.write_ue(static_cast<uint32_t>(qtInter - minCb));
  bw.write_ue(static_cast<uint32_t>(cfg.inter.max_mtt_depth));
  if (cfg.inter.max_mtt_depth != 0) {
    bw.write_ue(static_cast<uint32_t>(ilog2(cfg.inter.max_bt) - qtInter));
    bw.write_ue(static_cast<uint32_t>(ilog2(cfg.inter.max_tt) - qtInter));
  }
  if (cfg.log2_ctu > 5) bw.write_flag(cfg.max_tb_64);  // sps_max_luma_transform_size_64_flag

  bw.write_flag(cfg.transform_skip);
  if (cfg.transform_skip) {
    bw.write_ue(static_cast<uint32_t>(cfg.log2_transform_skip_max_size - 2));
    bw.write_flag(cfg.bdpcm);
  }
  bw.write_flag(cfg.mts);
  if (cfg.mts) {
    bw.write_flag(cfg.explicit_mts_intra);
    bw.write_flag(cfg.explicit_mts_inter);
  }
  bw.write_flag(cfg.lfnst);

  // chroma_format_idc != 0: joint CbCr and the chroma QP mapping table(s).
  bw.write_flag(cfg.joint_cbcr);
  bw.write_flag(true);  // sps_same_qp_table_for_chroma_flag: one table for Cb, Cr (and CbCr)
  {
    const auto& in = cfg.chroma_qp_in;
    const auto& out = cfg.chroma_qp_out;
    bw.write_se(in[0] - 26);                            // sps_qp_table_start_minus26
    bw.write_ue(static_cast<uint32_t>(in.size() - 2));  // sps_num_points_in_qp_table_minus1
    for (size_t j = 0; j + 1 < in.size(); ++j) {
      const int inMinus1 = in[j + 1] - in[j] - 1;  // sps_delta_qp_in_val_minus1
      const int deltaOut = out[j + 1] - out[j];
      bw.write_ue(static_cast<uint32_t>(inMinus1));
      bw.write_ue(static_cast<uint32_t>(inMinus1 ^ deltaOut));  // sps_delta_qp_diff_val
    }
  }

  bw.write_flag(cfg.sao);
  bw.write_flag(cfg.alf);
  if (cfg.alf) bw.write_flag(cfg.ccalf);
  bw.write_flag(cfg.lmcs);
  bw.write_flag(cfg.weighted_pred);
  bw.write_flag(cfg.weighted_bipred);
  bw.write_flag(cfg.long_term_refs);
  // sps_video_parameter_set_id == 0: no sps_inter_layer_prediction_enabled_flag.
  bw.write_flag(false);  // sps_idr_rpl_present_flag
  bw.write_flag(false);  // sps_rpl1_same_as_rpl0_flag
  bw.write_ue(0);        // sps_num_ref_pic_lists[0]: lists are sent in slice headers
  bw.write_ue(0);        // sps_num_ref_pic_lists[1]
  bw.write_flag(false);  // sps_ref_wraparound_enabled_flag
  bw.write_flag(cfg.temporal_mvp);
  if (cfg.temporal_mvp) bw.write_flag(cfg.sbtmvp);
  bw.write_flag(cfg.amvr);
  bw.write_flag(cfg.bdof);
  if (cfg.bdof) bw.write_flag(cfg.bdof_control_in_ph);
  bw.write_flag(cfg.smvd);
  bw.write_flag(cfg.dmvr);
  if (cfg.dmvr) bw.write_flag(cfg.dmvr_control_in_ph);
  bw.write_flag(cfg.mmvd);
  if (cfg.mmvd) bw.write_flag(cfg.mmvd_fullpel_only);
  bw.write_ue(
      static_cast<uint32_t>(6 - cfg.max_num_merge_cand));  // sps_six_minus_max_num_merge_cand
  bw.write_flag(cfg.sbt);
  bw.write_flag(cfg.affine);
  if (cfg.affine) {
    bw.write_ue(static_cast<uint32_t>(5 - cfg.max_num_subblock_merge_cand));
    bw.write_flag(cfg.affine_6param);
    if (cfg.amvr) bw.write_flag(cfg.affine_amvr);
    bw.write_flag(cfg.prof);
    if (cfg.prof) bw.write_flag(cfg.prof_control_in_ph);
  }
  bw.write_flag(cfg.bcw);
  bw.write_flag(cfg.ciip);
  if (cfg.max_num_merge_cand >= 2) {
    bw.write_flag(cfg.gpm);
    if (cfg.gpm && cfg.max_num_merge_cand >= 3)
      bw.write_ue(static_cast<uint32_t>(cfg.max_num_merge_cand - cfg.max_num_gpm_cand));
  }
  bw.write_ue(static_cast<uint32_t>(cfg.log2_parallel_merge_level - 2));
  bw.write_flag(cfg.isp);
  bw.write_flag(cfg.mrl);
  bw.write_flag(cfg.mip);
  bw.write_flag(cfg.cclm);  // chroma_format_idc != 0
  // chroma_format_idc == 1:
  bw.write_flag(cfg.chroma_horizontal_collocated);
  bw.write_flag(cfg.chroma_vertical_collocated);
  bw.write_flag(cfg.palette);
  // sps_act_enabled_flag only for 4:4:4.
  if (cfg.transform_skip || cfg.palette) bw.write_ue(static_cast<uint32_t>(cfg.min_qp_prime_ts));
  bw.write_flag(cfg.ibc);
  if (cfg.ibc) bw.write_ue(static_cast<uint32_t>(6 - cfg.max_num_ibc_merge_cand));
  bw.write_flag(false);              // sps_ladf_enabled_flag
  bw.write_flag(cfg.scaling_lists);  // sps_explicit_scaling_list_enabled_flag
  if (cfg.lfnst && cfg.scaling_lists)
    bw.write_flag(false);  // sps_scaling_matrix_for_lfnst_disabled_flag
  bw.write_flag(cfg.dep_quant);
  bw.write_flag(cfg.sign_hiding);
  bw.write_flag(false);  // sps_virtual_boundaries_enabled_flag
  bw.write_flag(false);  // sps_timing_hrd_params_present_flag
  bw.write_flag(false);  // sps_field_seq_flag
  bw.write_flag(false);  // sps_vui_parameters_present_flag
  bw.write_flag(false);  // sps_extension_flag
  bw.rbsp_trailing_bits();
  return bw.bytes();
}

std::vector<uint8_t> write_pps(const CodingConfig& cfg) {
  BitWriter bw;
  bw.write(0, 6);                                  // pps_pic_parameter_set_id
  bw.write(0, 4);                                  // pps_seq_parameter_set_id
  bw.write_flag(false);                            // pps_mixed_nalu_types_in_pic_flag
  bw.write_ue(static_cast<uint32_t>(cfg.width));   // pps_pic_width_in_luma_samples
  bw.write_ue(static_cast<uint32_t>(cfg.height));  // pps_pic_height_in_luma_samples
  // Equal to the SPS maximum: the window is inferred from the SPS (and must not be sent).
  bw.write_flag(false);  // pps_conformance_window_flag
  bw.write_flag(false);  // pps_scaling_window_explicit_signalling_flag
  bw.write_flag(false);  // pps_output_flag_present_flag
  bw.write_flag(true);   // pps_no_pic_partition_flag: one tile, one slice
  bw.write_flag(false);  // pps_subpic_id_mapping_present_flag
  bw.write_flag(false);  // pps_cabac_init_present_flag
  bw.write_ue(0);        // pps_num_ref_idx_default_active_minus1[0]
  bw.write_ue(0);        // pps_num_ref_idx_default_active_minus1[1]
  bw.write_flag(false);  // pps_rpl1_idx_present_flag
  bw.write_flag(cfg.weighted_pred);
  bw.write_flag(cfg.weighted_bipred);
  bw.write_flag(false);            // pps_ref_wraparound_enabled_flag
  bw.write_se(cfg.init_qp - 26);   // pps_init_qp_minus26
  bw.write_flag(cfg.cu_qp_delta);  // pps_cu_qp_delta_enabled_flag
  bw.write_flag(false);            // pps_chroma_tool_offsets_present_flag (all chroma offsets 0)
  bw.write_flag(true);             // pps_deblocking_filter_control_present_flag
  bw.write_flag(false);            // pps_deblocking_filter_override_enabled_flag
  bw.write_flag(!cfg.deblock);     // pps_deblocking_filter_disabled_flag
  // pps_no_pic_partition_flag == 1: no pps_dbf_info_in_ph_flag.
  if (cfg.deblock) {
    bw.write_se(cfg.deblock_beta_offset_div2);  // pps_luma_beta_offset_div2
    bw.write_se(cfg.deblock_tc_offset_div2);    // pps_luma_tc_offset_div2
    // No chroma tool offsets: the Cb/Cr offsets are inferred equal to the luma ones.
  }
  // pps_no_pic_partition_flag == 1: no *_info_in_ph flags (all inferred 0).
  bw.write_flag(false);  // pps_picture_header_extension_present_flag
  bw.write_flag(false);  // pps_slice_header_extension_present_flag
  bw.write_flag(false);  // pps_extension_flag
  bw.rbsp_trailing_bits();
  return bw.bytes();
}

std::vector<uint8_t> write_slice_header(const CodingConfig& cfg, const SliceParams& sp) {
  BitWriter bw;
  const bool irap = sp.nal_type == NalType::IDR_W_RADL || sp.nal_type == NalType::IDR_N_LP ||
                    sp.nal_type == NalType::CRA;
  const bool idr = sp.nal_type == NalType::IDR_W_RADL || sp.nal_type == NalType::IDR_N_LP;
  const bool gdr = sp.nal_type == NalType::GDR;
  bw.write_flag(true);  // sh_picture_header_in_slice_header_flag

  // ---- picture_header_structure() 7.3.2.7 ----
  bw.write_flag(irap || gdr);           // ph_gdr_or_irap_pic_flag
  bw.write_flag(sp.non_ref_pic);        // ph_non_ref_pic_flag
  if (irap || gdr) bw.write_flag(gdr);  // ph_gdr_pic_flag
  const bool interAllowed = sp.inter_slice_allowed;
  const bool intraAllowed = interAllowed ? sp.intra_slice_allowed : true;
  bw.write_flag(interAllowed);                    // ph_inter_slice_allowed_flag
  if (interAllowed) bw.write_flag(intraAllowed);  // ph_intra_slice_allowed_flag
  bw.write_ue(0);                                 // ph_pic_parameter_set_id
  const uint32_t pocLsb = static_cast<uint32_t>(sp.poc) & ((1u << cfg.log2_max_poc_lsb) - 1);
  bw.write(pocLsb, cfg.log2_max_poc_lsb);  // ph_pic_order_cnt_lsb
  if (gdr) bw.write_ue(0);                 // ph_recovery_poc_cnt
  // No extra PH bits, no POC msb cycle; ALF info is in the slice header (pps_alf_info_in_ph
  // = 0). Tools enabled in the SPS are switched off for the picture until their owners land.
  if (cfg.lmcs) bw.write_flag(false);           // ph_lmcs_enabled_flag
  if (cfg.scaling_lists) bw.write_flag(false);  // ph_explicit_scaling_list_enabled_flag
  // No virtual boundaries, no pic_output_flag, RPLs in the slice header (pps_rpl_info_in_ph
  // = 0), no partition constraint override.
  if (intraAllowed) {
    // ph_cu_qp_delta_subdiv_intra_slice when cu_qp_delta: max subdivision (every CU).
    if (cfg.cu_qp_delta) bw.write_ue(0);
  }
  if (interAllowed) {
    if (cfg.cu_qp_delta) bw.write_ue(0);                   // ph_cu_qp_delta_subdiv_inter_slice
    if (cfg.temporal_mvp) bw.write_flag(sp.temporal_mvp);  // ph_temporal_mvp_enabled_flag
    if (cfg.mmvd && cfg.mmvd_fullpel_only) bw.write_flag(false);  // ph_mmvd_fullpel_only_flag
    // pps_rpl_info_in_ph_flag == 0:
    bw.write_flag(sp.mvd_l1_zero);                                 // ph_mvd_l1_zero_flag
    if (cfg.bdof && cfg.bdof_control_in_ph) bw.write_flag(false);  // ph_bdof_disabled_flag
    if (cfg.dmvr && cfg.dmvr_control_in_ph) bw.write_flag(false);  // ph_dmvr_disabled_flag
    if (cfg.affine && cfg.prof && cfg.prof_control_in_ph)
      bw.write_flag(false);  // ph_prof_disabled_flag
  }
  if (cfg.joint_cbcr) bw.write_flag(false);  // ph_joint_cbcr_sign_flag
  // SAO/deblocking info is not in the PH (pps_*_info_in_ph_flag = 0), no PH extension.

  // ---- slice_header() 7.3.7.1 ----
  // Single slice, no subpictures: no sh_subpic_id, sh_slice_address, extra bits or tile count.
  if (interAllowed) bw.write_ue(static_cast<uint32_t>(sp.slice_type));  // sh_slice_type
  if (irap || gdr) bw.write_flag(false);  // sh_no_output_of_prior_pics_flag
  if (cfg.alf) {
    bw.write_flag(sp.alf.enabled);  // sh_alf_enabled_flag
    if (sp.alf.enabled) {
      bw.write(static_cast<uint32_t>(sp.alf.num_aps_ids_luma), 3);  // sh_num_alf_aps_ids_luma
      for (int i = 0; i < sp.alf.num_aps_ids_luma; ++i)
        bw.write(static_cast<uint32_t>(sp.alf.aps_id_luma), 3);  // sh_alf_aps_id_luma[i]
      bw.write_flag(sp.alf.cb);  // sh_alf_cb_enabled_flag (ChromaArrayType != 0)
      bw.write_flag(sp.alf.cr);  // sh_alf_cr_enabled_flag
      if (sp.alf.cb || sp.alf.cr) bw.write(static_cast<uint32_t>(sp.alf.aps_id_chroma), 3);
      // sps_ccalf_enabled_flag = 0: no CC-ALF fields.
    }
  }
  // ref_pic_lists(): for non-IDR pictures (sps_idr_rpl_present_flag = 0), rpl_sps_flag is
  // inferred 0 (no lists in the SPS), so each list is coded explicitly.
  int numActive[2] = {0, 0};
  if (!idr) {
    for (int i = 0; i < 2; ++i) write_ref_pic_list_struct(bw, sp.rpl[i]);
    const int n0 = static_cast<int>(sp.rpl[0].delta_poc.size());
    const int n1 = static_cast<int>(sp.rpl[1].delta_poc.size());
    const bool isB = sp.slice_type == SliceType::B;
    const bool isP = sp.slice_type == SliceType::P;
    auto wanted = [&](int i, int n) {
      const int a = sp.num_ref_idx_active[i];
      return (a <= 0 || a > n) ? n : a;
    };
    if ((sp.slice_type != SliceType::I && n0 > 1) || (isB && n1 > 1)) {
      // Default active count is min(entries, pps default 1); override to use them all.
      const bool override = true;
      bw.write_flag(override);  // sh_num_ref_idx_active_override_flag
      for (int i = 0; i < (isB ? 2 : 1); ++i) {
        const int n = i == 0 ? n0 : n1;
        if (n > 1) bw.write_ue(static_cast<uint32_t>(wanted(i, n) - 1));
      }
    }
    // With the override flag inferred 1 when not sent, sh_num_ref_idx_active_minus1 is 0.
    if (isB || isP) numActive[0] = n0 > 1 ? wanted(0, n0) : std::min(n0, 1);
    if (isB) numActive[1] = n1 > 1 ? wanted(1, n1) : std::min(n1, 1);
  }
  if (sp.slice_type != SliceType::I) {
    // pps_cabac_init_present_flag = 0: no sh_cabac_init_flag.
    if (cfg.temporal_mvp && sp.temporal_mvp) {
      const bool fromL0 = sp.slice_type == SliceType::B ? sp.collocated_from_l0 : true;
      if (sp.slice_type == SliceType::B) bw.write_flag(fromL0);  // sh_collocated_from_l0_flag
      if ((fromL0 && numActive[0] > 1) || (!fromL0 && numActive[1] > 1))
        bw.write_ue(static_cast<uint32_t>(sp.collocated_ref_idx));  // sh_collocated_ref_idx
    }
    // No weighted prediction: no pred_weight_table().
  }
  bw.write_se(sp.qp - cfg.init_qp);  // sh_qp_delta (pps_qp_delta_info_in_ph_flag = 0)
  // No slice chroma QP offsets, no CU chroma QP offsets.
  if (cfg.sao) {
    bw.write_flag(false);  // sh_sao_luma_used_flag
    bw.write_flag(false);  // sh_sao_chroma_used_flag
  }
  // Deblocking override disabled: no sh_deblocking_params_present_flag.
  // Dependent quantization: the SPS enables it and every slice uses it (cfg.dep_quant).
  if (cfg.dep_quant) bw.write_flag(true);  // sh_dep_quant_used_flag
  // SDH and the TS residual switch are only present when the slice does not use DQ.
  if (cfg.sign_hiding && !cfg.dep_quant) bw.write_flag(false);  // sh_sign_data_hiding_used_flag
  if (cfg.transform_skip && !cfg.dep_quant && !cfg.sign_hiding)
    bw.write_flag(false);  // sh_ts_residual_coding_disabled_flag
  // No range extension, no slice header extension, no entry points.
  bw.byte_alignment();
  return bw.bytes();
}

std::vector<int> chroma_qp_table(const CodingConfig& cfg) {
  // ChromaQpTable construction of 7.4.3.4 (sps_same_qp_table_for_chroma_flag = 1).
  const int off = cfg.qp_bd_offset();
  const auto& in = cfg.chroma_qp_in;
  const auto& out = cfg.chroma_qp_out;
  std::vector<int> t(static_cast<size_t>(64 + off), 0);
  auto at = [&](int k) -> int& { return t[static_cast<size_t>(k + off)]; };
  at(in[0]) = out[0];
  for (int k = in[0] - 1; k >= -off; --k) at(k) = std::clamp(at(k + 1) - 1, -off, 63);
  for (size_t j = 0; j + 1 < in.size(); ++j) {
    const int inMinus1 = in[j + 1] - in[j] - 1;
    const int sh = (inMinus1 + 1) >> 1;
    for (int k = in[j] + 1, m = 1; k <= in[j + 1]; ++k, ++m)
      at(k) = at(in[j]) + ((out[j + 1] - out[j]) * m + sh) / (inMinus1 + 1);
  }
  for (int k = in.back() + 1; k <= 63; ++k) at(k) = std::clamp(at(k - 1) + 1, -off, 63);
  return t;
}

int chroma_qp(const CodingConfig& cfg, int qpY, int cIdx) {
  (void)cIdx;  // one table for Cb and Cr, no chroma QP offsets
  // Cache the table for the last configuration seen (the deblocking filter calls this often).
  thread_local std::vector<int> cachedIn, cachedOut, table;
  thread_local int cachedDepth = -1;
  if (cachedDepth != cfg.bit_depth || cachedIn != cfg.chroma_qp_in ||
      cachedOut != cfg.chroma_qp_out) {
    table = chroma_qp_table(cfg);
    cachedIn = cfg.chroma_qp_in;
    cachedOut = cfg.chroma_qp_out;
    cachedDepth = cfg.bit_depth;
  }
  const int off = cfg.qp_bd_offset();
  const int qPi = std::clamp(qpY, -off, 63);  // + pps/sh/cu offsets, all 0
  return table[static_cast<size_t>(qPi + off)];
}

}  // namespace vvc
