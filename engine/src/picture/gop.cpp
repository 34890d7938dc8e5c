#include "picture/gop.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace vvc {

namespace {

// encoder_randomaccess_vtm.cfg Frame1..Frame32 (VTM CTC; VVenC vvencCfg.cpp has the same
// table as its "AddGOP32refPics" GOP): POC, QPoffset, QPOffsetModelOff, QPOffsetModelScale,
// QPfactor, temporal_id, #active L0, L0 deltas, #active L1, L1 deltas.
const std::vector<GopEntry> kRandomAccess32 = {
    {32, -1, 0.0, 0.0, 1.0, 0, {2, 1}, {{32, 64, 48, 40, 36}, {32, 48}}},
    {16, 0, -4.9309, 0.2265, 1.0, 1, {3, 1}, {{16, 32, 48, 24, 20}, {-16}}},
    {8, 1, -4.5, 0.19, 1.0, 2, {4, 2}, {{8, 24, 16, 40, 12}, {-8, -24}}},
    {4, 3, -5.4095, 0.2571, 1.0, 3, {3, 3}, {{4, 8, 20}, {-4, -12, -28}}},
    {2, 5, -4.4895, 0.1947, 1.0, 4, {3, 4}, {{2, 6, 18}, {-2, -6, -14, -30}}},
    {1, 6, -5.4429, 0.2429, 1.0, 5, {1, 2}, {{1}, {-1, -3, -7, -15, -31}}},
    {3, 6, -5.4429, 0.2429, 1.0, 5, {2, 2}, {{1, 3}, {-1, -5, -13, -29}}},
    {6, 5, -4.4895, 0.1947, 1.0, 4, {3, 3}, {{2, 4, 6}, {-2, -10, -26}}},
    {5, 6, -5.4429, 0.2429, 1.0, 5, {2, 2}, {{1, 5}, {-1, -3, -11, -27}}},
    {7, 6, -5.4429, 0.2429, 1.0, 5, {2, 2}, {{1, 3, 7}, {-1, -9, -25}}},
    {12, 3, -5.4095, 0.2571, 1.0, 3, {3, 2}, {{4, 8, 12, 6}, {-4, -20}}},
    {10, 5, -4.4895, 0.1947, 1.0, 4, {4, 3}, {{2, 4, 6, 10}, {-2, -6, -22}}},
    {9, 6, -5.4429, 0.2429, 1.0, 5, {2, 2}, {{1, 5, 9}, {-1, -3, -7, -23}}},
    {11, 6, -5.4429, 0.2429, 1.0, 5, {2, 2}, {{1, 3, 11}, {-1, -5, -21}}},
    {14, 5, -4.4895, 0.1947, 1.0, 4, {4, 2}, {{2, 4, 6, 14}, {-2, -18}}},
    {13, 6, -5.4429, 0.2429, 1.0, 5, {2, 2}, {{1, 5, 13}, {-1, -3, -19}}},
    {15, 6, -5.4429, 0.2429, 1.0, 5, {2, 2}, {{1, 3, 7, 15}, {-1, -17}}},
    {24, 1, -4.5, 0.19, 1.0, 2, {3, 1}, {{8, 16, 24}, {-8}}},
    {20, 3, -5.4095, 0.2571, 1.0, 3, {3, 2}, {{4, 12, 20}, {-4, -12}}},
    {18, 5, -4.4895, 0.1947, 1.0, 4, {3, 3}, {{2, 10, 18}, {-2, -6, -14}}},
    {17, 6, -5.4429, 0.2429, 1.0, 5, {2, 2}, {{1, 9, 17}, {-1, -3, -7, -15}}},
    {19, 6, -5.4429, 0.2429, 1.0, 5, {2, 2}, {{1, 3, 19}, {-1, -5, -13}}},
    {22, 5, -4.4895, 0.1947, 1.0, 4, {3, 3}, {{2, 6, 22}, {-2, -10, 4}}},
    {21, 6, -5.4429, 0.2429, 1.0, 5, {2, 2}, {{1, 5, 21}, {-1, -3, -11}}},
    {23, 6, -5.4429, 0.2429, 1.0, 5, {2, 2}, {{1, 3, 7, 23}, {-1, -9}}},
    {28, 3, -5.4095, 0.2571, 1.0, 3, {4, 1}, {{4, 8, 12, 28}, {-4}}},
    {26, 5, -4.4895, 0.1947, 1.0, 4, {4, 2}, {{2, 6, 10, 26}, {-2, -6}}},
    {25, 6, -5.4429, 0.2429, 1.0, 5, {2, 2}, {{1, 5, 9, 25}, {-1, -3, -7}}},
    {27, 6, -5.4429, 0.2429, 1.0, 5, {2, 2}, {{1, 3, 11, 27}, {-1, -5}}},
    {30, 5, -4.4895, 0.1947, 1.0, 4, {4, 1}, {{2, 6, 14, 30}, {-2}}},
    {29, 6, -5.4429, 0.2429, 1.0, 5, {2, 2}, {{1, 5, 13, 29}, {-1, -3}}},
    {31, 6, -5.4429, 0.2429, 1.0, 5, {2, 1}, {{1, 3, 7, 15, 31}, {-1}}},
};

// encoder_lowdelay_vtm.cfg Frame1..Frame8 (VVenC's GOP-8 table is the same).
const std::vector<GopEntry> kLowDelay8 = {
    {1, 5, -6.5, 0.2590, 1.0, 0, {4, 4}, {{1, 9, 17, 25}, {1, 9, 17, 25}}},
    {2, 4, -6.5, 0.2590, 1.0, 0, {4, 4}, {{1, 2, 10, 18}, {1, 2, 10, 18}}},
    {3, 5, -6.5, 0.2590, 1.0, 0, {4, 4}, {{1, 3, 11, 19}, {1, 3, 11, 19}}},
    {4, 4, -6.5, 0.2590, 1.0, 0, {4, 4}, {{1, 4, 12, 20}, {1, 4, 12, 20}}},
    {5, 5, -6.5, 0.2590, 1.0, 0, {4, 4}, {{1, 5, 13, 21}, {1, 5, 13, 21}}},
    {6, 4, -6.5, 0.2590, 1.0, 0, {4, 4}, {{1, 6, 14, 22}, {1, 6, 14, 22}}},
    {7, 5, -6.5, 0.2590, 1.0, 0, {4, 4}, {{1, 7, 15, 23}, {1, 7, 15, 23}}},
    {8, 1, 0.0, 0.0, 1.0, 0, {4, 4}, {{1, 8, 16, 24}, {1, 8, 16, 24}}},
};

const std::vector<GopEntry> kNone;

// Skeleton of a plan before the lists: POC, entry and the picture's IRAP context.
struct Slot {
  int poc;
  int entry;  // -1: intra
  bool irap;
  int assoc_irap = 0;  // POC of the last IRAP in coding order up to and including this one
  int prev_irap = -1;  // for an IRAP: POC of the IRAP before it (-1: none)
};

// The output process of C.5.2 for the plan with DPB size dpbSize (max_dec_pic_buffering_minus1
// + 1) and reorder limit: before each picture, pictures neither listed by its RPL nor waiting
// for output leave the DPB, then pictures are "bumped" (smallest POC first) while more than
// `reorder` wait or the DPB is full; after it, while more than `reorder` wait. Returns false
// when the DPB cannot make room (only references left) or the output is not in POC order.
bool simulate_output(const std::vector<PicturePlan>& pics, int dpbSize, int reorder,
                     std::string* why) {
  std::set<int> waiting, refs;
  int lastOut = -1 << 30;
  auto bump = [&]() {
    const int poc = *waiting.begin();
    waiting.erase(waiting.begin());
    if (poc <= lastOut) return false;
    lastOut = poc;
    return true;
  };
  for (const PicturePlan& pic : pics) {
    refs.clear();
    for (int l = 0; l < 2; ++l) refs.insert(pic.rpl[l].begin(), pic.rpl[l].end());
    std::set<int> held(waiting);
    held.insert(refs.begin(), refs.end());
    while (static_cast<int>(waiting.size()) > reorder || static_cast<int>(held.size()) >= dpbSize) {
      if (waiting.empty()) {
        if (why) *why = "POC " + std::to_string(pic.poc) + ": DPB full of reference pictures";
        return false;
      }
      const int poc = *waiting.begin();
      if (!bump()) {
        if (why) *why = "POC " + std::to_string(poc) + " output out of order";
        return false;
      }
      if (!refs.count(poc)) held.erase(poc);
    }
    if (pic.poc <= lastOut) {
      if (why) *why = "POC " + std::to_string(pic.poc) + " decoded after a later POC was output";
      return false;
    }
    waiting.insert(pic.poc);
    while (static_cast<int>(waiting.size()) > reorder)
      if (!bump()) {
        if (why) *why = "output out of order";
        return false;
      }
  }
  while (!waiting.empty())
    if (!bump()) {
      if (why) *why = "output out of order at the end";
      return false;
    }
  return true;
}

// May picture s (coding index) list reference POC r in any entry (8.3.2 constraints)?
bool static_allowed(const Slot& s, int r) {
  if (s.irap) return s.prev_irap < 0 ? false : r >= s.prev_irap;
  if (s.poc > s.assoc_irap) return r >= s.assoc_irap;  // trailing picture
  return true;                                         // leading (RASL) picture
}

}  // namespace

bool parse_gop_config(const std::string& name, GopConfig& out) {
  if (name == "ai")
    out = GopConfig::AllIntra;
  else if (name == "ra")
    out = GopConfig::RandomAccess;
  else if (name == "ldb")
    out = GopConfig::LowDelayB;
  else
    return false;
  return true;
}

const char* gop_config_name(GopConfig c) {
  switch (c) {
    case GopConfig::AllIntra:
      return "ai";
    case GopConfig::RandomAccess:
      return "ra";
    case GopConfig::LowDelayB:
      return "ldb";
  }
  return "?";
}

const std::vector<GopEntry>& gop_entries(GopConfig c) {
  if (c == GopConfig::RandomAccess) return kRandomAccess32;
  if (c == GopConfig::LowDelayB) return kLowDelay8;
  return kNone;
}

int gop_size(GopConfig c) {
  return c == GopConfig::AllIntra ? 1 : static_cast<int>(gop_entries(c).size());
}

int intra_qp_offset(GopConfig c) {
  if (c == GopConfig::RandomAccess) return -3;
  if (c == GopConfig::LowDelayB) return -1;
  return 0;
}

int default_intra_period(double fps) {
  if (fps > 55) return 64;
  if (fps > 35) return 48;
  return 32;
}

int picture_qp(int baseQp, const GopEntry* entry, bool intra, GopConfig c) {
  int qp = baseQp;
  if (intra || !entry) {
    qp += intra_qp_offset(c);
  } else {
    qp += entry->qp_offset;
    const double d = qp * entry->qp_model_scale + entry->qp_model_offset + 0.5;
    qp += static_cast<int>(std::floor(std::clamp(d, 0.0, 3.0)));
  }
  return std::clamp(qp, -12, 63);
}

double picture_lambda(int qp, SliceType st, int temporalId, int bitDepth) {
  (void)st;          // LambdaFromQpEnable: QPFactor 0.57 for every slice type
  (void)temporalId;  // no LambdaModifier lines in the CTC cfgs (all 1.0)
  const double qpTemp = qp + 6 * (bitDepth - 8) - 12;
  return 0.57 * std::pow(2.0, qpTemp / 3.0);
}

namespace {

// kFirstGop: the IRAP closes one GOP, or the part of the intra period beyond whole GOPs, cut
// to the largest power of two the sequence holds (a dyadic hierarchy of leading pictures); at
// most 128 pictures so that the IDR's POC fits in the slice's POC LSBs (8 bits).
int first_gop_irap_poc(const GopParams& p) {
  const int gop = gop_size(p.config);
  const int period = p.intra_period > 0 ? p.intra_period : gop;
  const int len = std::min({period % gop ? period % gop : gop, p.num_frames, 128});
  int pow2 = 1;
  while (pow2 * 2 <= len) pow2 *= 2;
  return pow2 - 1;
}

}  // namespace

int irap_count(const GopParams& p, int first) {
  if (first >= p.num_frames) return 0;
  return p.intra_period > 0 ? 1 + (p.num_frames - 1 - first) / p.intra_period : 1;
}

int first_irap_poc(const GopParams& p) {
  if (p.config != GopConfig::RandomAccess || p.num_frames <= 1) return 0;
  if (p.first_irap == FirstIrap::kPoc0) return 0;
  const int closing = first_gop_irap_poc(p);
  if (p.first_irap == FirstIrap::kFirstGop) return closing;
  return irap_count(p, 0) <= irap_count(p, closing) ? 0 : closing;
}

SequencePlan plan_sequence(const GopParams& p) {
  SequencePlan plan;
  plan.config = p.config;
  const int n = p.num_frames;
  if (n <= 0) return plan;

  if (p.config == GopConfig::AllIntra) {
    for (int i = 0; i < n; ++i) {
      PicturePlan pic;
      pic.poc = i;
      pic.coding_index = i;
      pic.nal_type = NalType::IDR_N_LP;
      pic.slice_type = SliceType::I;
      pic.qp = picture_qp(p.base_qp, nullptr, true, p.config);
      pic.lambda = picture_lambda(pic.qp, SliceType::I, 0);
      plan.pictures.push_back(pic);
    }
    return plan;
  }

  const std::vector<GopEntry>& entries = gop_entries(p.config);
  const int gop = static_cast<int>(entries.size());
  const int ip = p.intra_period;
  const int first = first_irap_poc(p);  // POC of the first IRAP (coded first)
  auto is_irap_poc = [&](int poc) {
    return poc == first || (ip > 0 && poc > first && (poc - first) % ip == 0);
  };
  // The IRAP after POC `start` (or n - 1 when none follows before the end).
  auto next_irap = [&](int start) {
    if (start < first) return first;
    if (ip <= 0) return n - 1;
    return first + ((start - first) / ip + 1) * ip;
  };

  // 1. Coding order. The first IRAP first, then GOPs of `gop` pictures: from POC 0 when the
  // first IRAP is POC 0, otherwise from the virtual POC -1, so that the first IRAP closes an
  // intra period like every later one. A GOP ends early at an
  // IRAP (the IRAP is the GOP's last picture in output order) and at the end of the
  // sequence (entries beyond it are skipped, as VTM does for the last GOP).
  std::vector<Slot> slots;
  slots.push_back({first, -1, true, first, -1});
  for (int start = first == 0 ? 0 : -1; start < n - 1;) {
    const int end = std::min({start + gop, n - 1, next_irap(start)});
    const int len = end - start;
    for (int e = 0; e < gop; ++e) {
      const int poc = start + entries[static_cast<size_t>(e)].poc;
      if (entries[static_cast<size_t>(e)].poc > len || poc == first) continue;
      slots.push_back({poc, is_irap_poc(poc) ? -1 : e, is_irap_poc(poc)});
    }
    start = end;
  }
  int lastIrap = -1;
  for (Slot& s : slots) {
    if (s.irap) {
      s.prev_irap = lastIrap;
      lastIrap = s.poc;
    }
    s.assoc_irap = lastIrap;
  }
  const int count = static_cast<int>(slots.size());
  std::map<int, int> codedAt;  // POC -> coding index
  for (int i = 0; i < count; ++i) codedAt[slots[static_cast<size_t>(i)].poc] = i;

  // Temporal IDs and QPs.
  plan.pictures.resize(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    const Slot& s = slots[static_cast<size_t>(i)];
    PicturePlan& pic = plan.pictures[static_cast<size_t>(i)];
    pic.poc = s.poc;
    pic.coding_index = i;
    pic.gop_entry = s.entry;
    const GopEntry* ge = s.entry >= 0 ? &entries[static_cast<size_t>(s.entry)] : nullptr;
    pic.temporal_id = ge ? ge->temporal_id : 0;
    // The first IRAP is an IDR when it has leading pictures: those of a CRA that starts the
    // bitstream would be RASL pictures, which a decoder starting there does not output.
    const bool idr = s.poc == first && first > 0;
    if (s.irap)
      pic.nal_type = idr ? NalType::IDR_W_RADL : NalType::CRA;
    else if (s.poc < s.assoc_irap)
      pic.nal_type = s.assoc_irap == first && first > 0 ? NalType::RADL : NalType::RASL;
    else
      pic.nal_type = NalType::TRAIL;
    pic.slice_type = s.irap ? SliceType::I : SliceType::B;
    pic.qp = picture_qp(p.base_qp, ge, s.irap, p.config);
  }

  // 2. Availability: r coded before i and allowed in the lists of every picture from r's
  // successor up to i (otherwise some picture in between had to drop it from the DPB).
  auto available = [&](int i, int r) {
    auto it = codedAt.find(r);
    if (it == codedAt.end() || it->second >= i) return false;
    for (int z = it->second + 1; z <= i; ++z)
      if (!static_allowed(slots[static_cast<size_t>(z)], r)) return false;
    return true;
  };

  // 3. Active lists from the cfg candidates.
  for (int i = 0; i < count; ++i) {
    PicturePlan& pic = plan.pictures[static_cast<size_t>(i)];
    if (pic.slice_type == SliceType::I) continue;
    const GopEntry& ge = entries[static_cast<size_t>(pic.gop_entry)];
    std::vector<int> cand[2];
    for (int l = 0; l < 2; ++l)
      for (int d : ge.ref_delta[l]) {
        const int r = pic.poc - d;
        if (!available(i, r)) continue;
        if (plan.pictures[static_cast<size_t>(codedAt[r])].temporal_id > pic.temporal_id) continue;
        if (std::find(cand[l].begin(), cand[l].end(), r) == cand[l].end()) cand[l].push_back(r);
      }
    // Fill a short list from the other one (VTM: the lists reach their active counts).
    std::vector<int> filled[2] = {cand[0], cand[1]};
    for (int l = 0; l < 2; ++l)
      for (int r : cand[1 - l])
        if (static_cast<int>(filled[l].size()) < ge.num_active[l] &&
            std::find(filled[l].begin(), filled[l].end(), r) == filled[l].end())
          filled[l].push_back(r);
    for (int l = 0; l < 2; ++l) {
      pic.num_active[l] = std::min(ge.num_active[l], static_cast<int>(filled[l].size()));
      pic.rpl[l].assign(filled[l].begin(), filled[l].begin() + pic.num_active[l]);
    }
    if (pic.num_active[0] == 0 && pic.num_active[1] == 0) {
      // None of the cfg's references exists (the leading pictures of a first IRAP that is
      // not POC 0 miss the GOP's left end): the nearest available pictures, both lists.
      std::vector<int> near;
      for (const auto& [r, at] : codedAt)
        if (available(i, r) &&
            plan.pictures[static_cast<size_t>(at)].temporal_id <= pic.temporal_id)
          near.push_back(r);
      std::sort(near.begin(), near.end(), [&](int a, int b) {
        const int da = std::abs(a - pic.poc), db = std::abs(b - pic.poc);
        return da != db ? da < db : a < b;
      });
      for (int l = 0; l < 2; ++l) {
        pic.num_active[l] = std::min(ge.num_active[l], static_cast<int>(near.size()));
        pic.rpl[l].assign(near.begin(), near.begin() + pic.num_active[l]);
      }
    }
    if (pic.num_active[0] == 0 && pic.num_active[1] == 0) {
      pic.slice_type = SliceType::I;  // nothing to predict from: intra in a non-IRAP picture
    } else if (pic.num_active[1] == 0) {
      pic.rpl[1] = pic.rpl[0];  // B slices need an L1 entry: mirror L0
      pic.num_active[1] = pic.num_active[0];
    } else if (pic.num_active[0] == 0) {
      pic.rpl[0] = pic.rpl[1];
      pic.num_active[0] = pic.num_active[1];
    }
  }

  // 4. Inactive entries: everything coded earlier that a later picture uses actively.
  std::vector<std::set<int>> usedBy(static_cast<size_t>(count));  // active refs per picture
  for (int i = 0; i < count; ++i)
    for (int l = 0; l < 2; ++l) {
      const PicturePlan& pic = plan.pictures[static_cast<size_t>(i)];
      for (int k = 0; k < pic.num_active[l]; ++k)
        usedBy[static_cast<size_t>(i)].insert(pic.rpl[l][static_cast<size_t>(k)]);
    }
  for (int i = 0; i < count; ++i) {
    PicturePlan& pic = plan.pictures[static_cast<size_t>(i)];
    std::set<int> keep;
    for (int j = i + 1; j < count; ++j)
      for (int r : usedBy[static_cast<size_t>(j)])
        if (codedAt[r] < i) keep.insert(r);
    // Nearest first, so that the deltas stay small.
    std::vector<int> extra;
    for (int r : keep)
      if (std::find(pic.rpl[0].begin(), pic.rpl[0].end(), r) == pic.rpl[0].end() &&
          std::find(pic.rpl[1].begin(), pic.rpl[1].end(), r) == pic.rpl[1].end())
        extra.push_back(r);
    std::sort(extra.begin(), extra.end(), [&](int a, int b) {
      const int da = std::abs(a - pic.poc), db = std::abs(b - pic.poc);
      return da != db ? da < db : a > b;
    });
    pic.rpl[0].insert(pic.rpl[0].end(), extra.begin(), extra.end());
  }

  // 5. TMVP: the collocated picture is the first active entry of the list whose first entry
  // has the lower QP (VVenC EncGOP: colFromL0 = QP(L0[0]) > QP(L1[0])... as written there).
  for (PicturePlan& pic : plan.pictures) {
    pic.lambda = picture_lambda(pic.qp, pic.slice_type, pic.temporal_id);
    if (pic.slice_type == SliceType::I) continue;
    pic.temporal_mvp = p.temporal_mvp;
    const int q0 = plan.pictures[static_cast<size_t>(codedAt[pic.rpl[0][0]])].qp;
    const int q1 = plan.pictures[static_cast<size_t>(codedAt[pic.rpl[1][0]])].qp;
    pic.collocated_from_l0 = q0 > q1;
    pic.collocated_ref_idx = 0;
  }

  // 6. DPB parameters. Reorder: the most pictures that precede any picture in coding order
  // and follow it in output order (sps_max_num_reorder_pics semantics).
  int maxTid = 0;
  for (const PicturePlan& pic : plan.pictures) maxTid = std::max(maxTid, pic.temporal_id);
  plan.max_sublayers_minus1 = p.config == GopConfig::RandomAccess ? 5 : maxTid;
  int reorder = 0;
  for (int i = 0; i < count; ++i) {
    int k = 0;
    for (int j = 0; j < i; ++j)
      if (plan.pictures[static_cast<size_t>(j)].poc > plan.pictures[static_cast<size_t>(i)].poc)
        ++k;
    reorder = std::max(reorder, k);
  }
  // DPB size. A decoder may "bump" (output the smallest POC waiting) whenever its DPB is
  // full; that is harmless when the smallest waiting picture is ready (no picture still to be
  // decoded has a smaller POC). Pictures not ready yet are always waiting, so the DPB must
  // hold the references plus the not-ready pictures with room to spare: before a picture is
  // decoded (C.5.2.2: fullness >= size bumps) and, for decoders that check after storing the
  // current picture (VTM's DecApp: fullness > size), after it.
  std::vector<int> minFuture(static_cast<size_t>(count) + 1, 1 << 30);
  for (int i = count - 1; i >= 0; --i)
    minFuture[static_cast<size_t>(i)] =
        std::min(minFuture[static_cast<size_t>(i) + 1], plan.pictures[static_cast<size_t>(i)].poc);
  int dpbSize = reorder + 1;
  for (int i = 0; i < count; ++i) {
    const PicturePlan& pic = plan.pictures[static_cast<size_t>(i)];
    std::set<int> held;
    for (int l = 0; l < 2; ++l) held.insert(pic.rpl[l].begin(), pic.rpl[l].end());
    for (int j = 0; j < i; ++j)
      if (plan.pictures[static_cast<size_t>(j)].poc > minFuture[static_cast<size_t>(i)])
        held.insert(plan.pictures[static_cast<size_t>(j)].poc);
    dpbSize = std::max(dpbSize, static_cast<int>(held.size()) + 1);
    held.clear();
    for (int l = 0; l < 2; ++l) held.insert(pic.rpl[l].begin(), pic.rpl[l].end());
    held.insert(pic.poc);  // the current picture is a reference until the next marking
    for (int j = 0; j <= i; ++j)
      if (plan.pictures[static_cast<size_t>(j)].poc > minFuture[static_cast<size_t>(i) + 1])
        held.insert(plan.pictures[static_cast<size_t>(j)].poc);
    dpbSize = std::max(dpbSize, static_cast<int>(held.size()));
  }
  plan.max_num_reorder_pics = reorder;
  plan.max_dec_pic_buffering_minus1 = dpbSize - 1;
  return plan;
}

void apply_plan_to_config(const SequencePlan& plan, EncoderConfig& cfg) {
  cfg.max_sublayers_minus1 = plan.max_sublayers_minus1;
  cfg.sublayer_dpb_params = false;  // lower sublayers inherit the highest one's values
  cfg.max_dec_pic_buffering_minus1 = {plan.max_dec_pic_buffering_minus1};
  cfg.max_num_reorder_pics = {plan.max_num_reorder_pics};
  cfg.max_latency_increase_plus1 = {0};
  bool anyTmvp = false;
  for (const PicturePlan& pic : plan.pictures) anyTmvp |= pic.temporal_mvp;
  cfg.temporal_mvp = anyTmvp;
}

SliceParams slice_params_for(const PicturePlan& pic) {
  SliceParams sp;
  sp.poc = pic.poc;
  sp.qp = pic.qp;
  sp.slice_type = pic.slice_type;
  sp.nal_type = pic.nal_type;
  sp.temporal_id = pic.temporal_id;
  sp.non_ref_pic = false;
  sp.inter_slice_allowed = pic.slice_type != SliceType::I;
  sp.intra_slice_allowed = true;
  for (int l = 0; l < 2; ++l) {
    sp.rpl[l].delta_poc.clear();
    for (int r : pic.rpl[l]) sp.rpl[l].delta_poc.push_back(r - pic.poc);
    sp.num_ref_idx_active[l] = pic.num_active[l];
  }
  sp.temporal_mvp = pic.temporal_mvp;
  sp.collocated_from_l0 = pic.collocated_from_l0;
  sp.collocated_ref_idx = pic.collocated_ref_idx;
  sp.mvd_l1_zero = false;
  return sp;
}

std::string check_plan(const SequencePlan& plan) {
  std::set<int> dpb;  // POCs marked as reference
  std::map<int, const PicturePlan*> byPoc;
  int lastIrap = -1, prevIrap = -1;
  for (const PicturePlan& pic : plan.pictures) {
    const std::string where = "POC " + std::to_string(pic.poc) + ": ";
    if (byPoc.count(pic.poc)) return where + "coded twice";
    if (pic.nal_type == NalType::IDR_N_LP || pic.nal_type == NalType::IDR_W_RADL) dpb.clear();
    if (pic.irap()) {
      prevIrap = lastIrap;
      lastIrap = pic.poc;
      if (pic.temporal_id != 0) return where + "IRAP with TemporalId > 0";
      if (pic.slice_type != SliceType::I) return where + "IRAP not intra";
    } else if (pic.poc < lastIrap && pic.nal_type != NalType::RASL &&
               pic.nal_type != NalType::RADL) {
      return where + "leading picture not RASL/RADL";
    } else if (pic.poc > lastIrap && pic.nal_type != NalType::TRAIL &&
               pic.nal_type != NalType::STSA) {
      return where + "trailing picture with a leading NAL type";
    }
    std::set<int> listed;
    for (int l = 0; l < 2; ++l) {
      if (pic.num_active[l] > static_cast<int>(pic.rpl[l].size())) return where + "active > size";
      if (pic.slice_type == SliceType::B && pic.num_active[l] < 1) return where + "empty list";
      if (pic.slice_type == SliceType::I && pic.num_active[l] != 0) return where + "I active";
      for (size_t k = 0; k < pic.rpl[l].size(); ++k) {
        const int r = pic.rpl[l][k];
        if (r == pic.poc) return where + "lists itself";
        if (!dpb.count(r)) return where + "lists POC " + std::to_string(r) + " not in DPB";
        if (pic.irap() && r < prevIrap) return where + "CRA lists a picture before prev IRAP";
        if (!pic.irap() && pic.poc > lastIrap && r < lastIrap)
          return where + "trailing picture lists a picture before its IRAP";
        if (static_cast<int>(k) < pic.num_active[l] && byPoc[r]->temporal_id > pic.temporal_id)
          return where + "active reference with a higher TemporalId";
        if (pic.nal_type == NalType::TRAIL && byPoc[r]->nal_type == NalType::RASL)
          return where + "trailing picture lists a RASL picture";
        if (pic.nal_type == NalType::RADL && static_cast<int>(k) < pic.num_active[l] &&
            (byPoc[r]->nal_type == NalType::RASL || r > lastIrap))
          return where + "RADL picture references a RASL picture or one after its IRAP";
        listed.insert(r);
      }
    }
    if (pic.temporal_mvp && pic.slice_type != SliceType::I) {
      const int l = pic.collocated_from_l0 ? 0 : 1;
      if (pic.collocated_ref_idx >= pic.num_active[l]) return where + "collocated_ref_idx";
    }
    // Marking (8.3.3): pictures not listed become unused for reference.
    dpb = listed;
    dpb.insert(pic.poc);
    byPoc[pic.poc] = &pic;
  }
  std::string why;
  if (!simulate_output(plan.pictures, plan.max_dec_pic_buffering_minus1 + 1,
                       plan.max_num_reorder_pics, &why))
    return "output process (C.5.2): " + why;
  if (plan.max_num_reorder_pics > plan.max_dec_pic_buffering_minus1)
    return "max_num_reorder_pics > max_dec_pic_buffering_minus1";
  return "";
}

}  // namespace vvc
