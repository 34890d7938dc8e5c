#include "encoder/sequence_encoder.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <stdexcept>
#include <utility>

#include "bitstream/nal.h"
#include "bitstream/sei.h"

namespace vvc {

SequenceEncoder::SequenceEncoder(const EncoderConfig& cfg, const GopParams& gop,
                                 DecisionChain& decisions, FrameReader readFrame, bool interAsIntra)
    : cfg_(cfg),
      structure_(gop.config),
      plan_(plan_sequence(gop)),
      inter_as_intra_(interAsIntra),
      decisions_(decisions),
      sources_(cfg.width, cfg.height, std::move(readFrame)) {
  if (structure_ != GopConfig::AllIntra) {
    apply_plan_to_config(plan_, cfg_);
    plan_error_ = check_plan(plan_);
  }
  // Source frames are read once and kept while a picture still to code (or the temporal
  // pre-filter of one: up to its range of neighbours) needs them.
  mctf_.base_qp = cfg_.qp;
  mctf_.gop_size = gop_size(structure_);
  if (gop.intra_period > 0) mctf_.gop_size = std::min(mctf_.gop_size, gop.intra_period);
  mctf_.future_refs = structure_ == GopConfig::RandomAccess;
  mctf_.num_frames = gop.num_frames;
  mctf_.width = cfg_.src_width;
  mctf_.height = cfg_.src_height;
  mctf_.gop_position.assign(static_cast<size_t>(gop.num_frames), 0);
  for (const PicturePlan& pic : plan_.pictures)
    if (pic.gop_entry >= 0)
      mctf_.gop_position[static_cast<size_t>(pic.poc)] =
          gop_entries(structure_)[static_cast<size_t>(pic.gop_entry)].poc;
  first_needed_.assign(plan_.pictures.size() + 1, INT_MAX);
  for (size_t k = plan_.pictures.size(); k-- > 0;) {
    const int poc = plan_.pictures[k].poc;
    first_needed_[k] =
        std::min(first_needed_[k + 1], cfg_.mctf ? mctf_first_needed(mctf_, poc) : poc);
  }
}

const Picture& SequenceEncoder::source(int poc) {
  std::string err;
  const Picture* p = sources_.get(poc, err);
  if (!p) throw SourceError(err);
  return *p;
}

const Picture& SequenceEncoder::coding_input(const PicturePlan& pic, const Picture& orig,
                                             QpOffsetMap& bim) {
  const auto t0 = std::chrono::steady_clock::now();
  if (cfg_.mctf && filter_source(
                       mctf_, pic.poc, [this](int poc) -> const Picture& { return source(poc); },
                       filtered_, cfg_.bim ? &bim : nullptr, cfg_.ctu_size())) {
    ++mctf_pictures_;
    mctf_secs_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return filtered_;
  }
  if (cfg_.bim && pic.slice_type != SliceType::I) {
    auto m0 = bim_maps_.find(pic.rpl[0][0]), m1 = bim_maps_.find(pic.rpl[1][0]);
    if (m0 != bim_maps_.end() && m1 != bim_maps_.end())
      bim = bim_from_references(m0->second, m1->second);
  }
  return orig;
}

PictureCoding SequenceEncoder::describe(const PicturePlan& pic, const QpOffsetMap& bim) {
  const bool allIntra = structure_ == GopConfig::AllIntra;
  PictureCoding pc;
  pc.slice = slice_params_for(pic);
  SliceParams& sp = pc.slice;
  if (allIntra) sp.qp = std::clamp(cfg_.picture_qp(pic.poc), -cfg_.qp_bd_offset(), 63);
  // All intra uses the QP's own lambda; the other structures the plan's picture lambda.
  pc.lambda = allIntra ? 0 : pic.lambda;
  if (bim.valid()) {
    sp.qp = std::clamp(sp.qp + bim.picture, -cfg_.qp_bd_offset(), 63);
    if (!allIntra) {
      pc.lambda = picture_lambda(sp.qp, sp.slice_type, pic.temporal_id);
      pc.ctu_qp_offset = bim.ctu;
    }
    bim_maps_[pic.poc] = bim;
  }
  if (inter_as_intra_ && sp.slice_type != SliceType::I) {
    sp.slice_type = SliceType::I;
    sp.inter_slice_allowed = false;
    sp.temporal_mvp = false;
  }
  if (sp.slice_type != SliceType::I)
    for (int l = 0; l < 2; ++l)
      for (int k = 0; k < pic.num_active[l]; ++k) {
        const int r = pic.rpl[l][static_cast<size_t>(k)];
        DpbPicture& d = *dpb_.at(r);
        if (!d.padded) {
          d.padded = std::make_unique<PaddedPicture>();
          d.padded->build(d.recon);
        }
        RefPicture rp;
        rp.poc = r;
        rp.recon = &d.recon;
        rp.motion = d.motion.get();
        rp.padded = d.padded.get();
        rp.qp = d.qp;
        rp.temporal_id = d.temporal_id;
        pc.ref[l].push_back(rp);
      }
  return pc;
}

bool SequenceEncoder::encode_next(CodedPicture& out) {
  if (coding_index_ >= plan_.pictures.size()) return false;
  const PicturePlan& pic = plan_.pictures[coding_index_];
  const bool allIntra = structure_ == GopConfig::AllIntra;
  const Picture& orig = source(pic.poc);
  const auto t0 = std::chrono::steady_clock::now();
  // The encoder codes the filtered source of key pictures; PSNR stays against orig.
  QpOffsetMap bim;  // block importance: QP offsets of the picture and its CTUs
  const Picture& input = coding_input(pic, orig, bim);
  PictureCoding pc = describe(pic, bim);

  // DPB marking of the decoder (8.3.3): keep what the current lists name (and what still
  // waits for output).
  for (auto it = dpb_.begin(); it != dpb_.end();) {
    const int r = it->first;
    const bool listed = std::find(pic.rpl[0].begin(), pic.rpl[0].end(), r) != pic.rpl[0].end() ||
                        std::find(pic.rpl[1].begin(), pic.rpl[1].end(), r) != pic.rpl[1].end();
    if (!listed && !it->second->output_pending)
      it = dpb_.erase(it);
    else
      ++it;
  }

  auto cur = std::make_unique<DpbPicture>();
  cur->recon = Picture(cfg_.width, cfg_.height);
  cur->qp = pc.slice.qp;
  cur->temporal_id = pic.temporal_id;
  if (!allIntra) {  // all-intra pictures are never referenced
    cur->motion = std::make_unique<MotionField>();
    pc.motion_out = cur->motion.get();
  }
  Picture& rec = cur->recon;

  std::vector<uint8_t>& au = out.au;
  au.clear();
  if (pic.coding_index == 0 || (!allIntra && pic.irap())) {
    // Parameter sets at the start and before every IRAP picture (random access points).
    write_nal(au, NalType::SPS, 0, write_sps(cfg_));
    write_nal(au, NalType::PPS, 0, write_pps(cfg_));
  }
  // Slice data first: its ALF stage (filter/alf_encoder.h) decides the slice header's ALF
  // fields and the ALF APS, which is sent before the slice.
  SliceAlf alf;
  pc.alf_out = &alf;
  pc.alf_store = &alf_store_;
  out.cu = CuStats{};
  pc.stats_out = &out.cu;
  const std::vector<uint8_t> data = encode_picture(cfg_, input, rec, pc, decisions_.oracle());
  SliceParams& sp = pc.slice;
  sp.alf = alf;
  if (!alf.aps_rbsp.empty()) write_nal(au, NalType::PREFIX_APS, sp.temporal_id, alf.aps_rbsp);
  std::vector<uint8_t> slice = write_slice_header(cfg_, sp);
  slice.insert(slice.end(), data.begin(), data.end());
  write_nal(au, sp.nal_type, sp.temporal_id, slice);
  if (cfg_.md5_sei)
    write_nal(au, NalType::SUFFIX_SEI, sp.temporal_id, write_md5_sei(rec, rec.width, rec.height));

  FrameStats& st = out.stats;
  st = FrameStats{};
  st.poc = pic.poc;
  st.slice_type = sp.slice_type == SliceType::I ? 'I' : sp.slice_type == SliceType::P ? 'P' : 'B';
  st.qp = sp.qp;
  st.bits = static_cast<uint64_t>(au.size()) * 8;
  for (int c = 0; c < 3; ++c) {
    const int w = c ? cfg_.src_width / 2 : cfg_.src_width;
    const int h = c ? cfg_.src_height / 2 : cfg_.src_height;
    st.psnr[c] = plane_psnr(orig.comp[c], rec.comp[c], w, h);
  }
  st.time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  st.cu = &out.cu;
  st.area = static_cast<uint64_t>(cfg_.width) * static_cast<uint64_t>(cfg_.height);
  st.nodes = static_cast<int64_t>(decisions_.take_nodes());
  if (!allIntra) {
    st.temporal_id = pic.temporal_id;
    st.nal = nal_type_name(pic.nal_type);
  }

  sources_.release_before(first_needed_[++coding_index_]);  // orig may go now

  // Store the picture, then hand out every picture that is next in output order.
  if (allIntra) dpb_.clear();  // IDR pictures: nothing kept
  dpb_[pic.poc] = std::move(cur);
  out.output.clear();
  for (auto it = dpb_.find(next_output_); it != dpb_.end() && it->second->output_pending;
       it = dpb_.find(next_output_)) {
    out.output.push_back(&it->second->recon);
    it->second->output_pending = false;
    ++next_output_;
  }
  return true;
}

}  // namespace vvc
