// The coding-tree search through the split oracle: the logged trees are complete pre-order
// partitions that obey the normative split rules, a restricting oracle is obeyed, and the
// encoder is deterministic. (Bit-exactness against a decoder: tests/test_engine_conformance.py.)
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "check.h"
#include "partition/allowed_splits.h"
#include "partition/split_oracle.h"
#include "picture/encode_picture.h"

using namespace vvc;

namespace {

// A smooth picture with some texture so that the search splits somewhere.
Picture make_picture(int w, int h) {
  Picture p(w, h);
  for (int c = 0; c < 3; ++c) {
    Plane& pl = p.comp[c];
    for (int y = 0; y < pl.height; ++y)
      for (int x = 0; x < pl.width; ++x) {
        const double v = 512 + 300 * std::sin(x * 0.11 + c) * std::cos(y * 0.07) +
                         ((x / 8 + y / 8) % 2 ? 80 : -80) * (x > pl.width / 2);
        pl.at(x, y) = clip_pel(static_cast<int>(v));
      }
  }
  return p;
}

// Collects the records instead of writing a file.
class CollectingOracle : public SplitOracle {
 public:
  SplitMask restrict_to = kAllSplits;
  int queries = 0;
  std::vector<CtuTreeRecord> records;
  SplitMask splits_to_try(const SplitQuery& q) override {
    ++queries;
    return static_cast<SplitMask>(q.allowed & restrict_to);
  }
  void record_tree(const CtuTreeRecord& rec) override { records.push_back(rec); }
};

// Walks a logged pre-order split list from node n; marks covered 4x4 units; returns false on
// a split that the rules do not allow there.
bool walk(const TreeNode& n, const SplitLimits& l, const std::vector<uint8_t>& s, size_t& i,
          std::vector<int>& cover, int w4) {
  if (i >= s.size()) return false;
  const SplitMode m = static_cast<SplitMode>(s[i++]);
  if (!(choosable_modes(n, l) & split_bit(m))) return false;
  if (m == SplitMode::kNone) {
    for (int y = n.y / 4; y < (n.y + n.h) / 4; ++y)
      for (int x = n.x / 4; x < (n.x + n.w) / 4; ++x) ++cover[y * w4 + x];
    return true;
  }
  TreeNode kids[4];
  const int k = split_children(n, m, l, kids);
  for (int j = 0; j < k; ++j)
    if (!walk(kids[j], l, s, i, cover, w4)) return false;
  return true;
}

void check_trees(const EncoderConfig& cfg, const std::vector<CtuTreeRecord>& recs) {
  const int ctus = ((cfg.width + 127) / 128) * ((cfg.height + 127) / 128);
  CHECK_EQ(recs.size(), static_cast<size_t>(2 * ctus));
  const int w4 = cfg.width / 4, h4 = cfg.height / 4;
  std::vector<int> cover[2] = {std::vector<int>(w4 * h4, 0), std::vector<int>(w4 * h4, 0)};
  for (const CtuTreeRecord& r : recs) {
    const int t = r.tree == TreeType::kDualChroma ? 1 : 0;
    const SplitLimits l = split_limits(cfg, SliceType::I, r.tree);
    CHECK(!r.splits.empty() && r.splits[0] == static_cast<uint8_t>(SplitMode::kQt));
    size_t i = 1;
    for (int q = 0; q < 4; ++q) {
      TreeNode n;
      n.x = r.x + (q % 2) * 64;
      n.y = r.y + (q / 2) * 64;
      if (n.x >= cfg.width || n.y >= cfg.height) continue;
      n.w = n.h = 64;
      n.qt_depth = 1;
      n.part_idx = q;
      n.tree = r.tree;
      CHECK(walk(n, l, r.splits, i, cover[t], w4));
    }
    CHECK_EQ(i, r.splits.size());
  }
  // Every 4x4 unit of the picture is covered by exactly one CU per tree.
  for (int t = 0; t < 2; ++t) {
    int bad = 0;
    for (int v : cover[t]) bad += v != 1;
    CHECK_EQ(bad, 0);
  }
}

void test_exhaustive_trees() {
  EncoderConfig cfg;
  cfg.width = cfg.src_width = 136;  // crosses the right CTU boundary at an 8-sample offset
  cfg.height = cfg.src_height = 72;
  const Picture orig = make_picture(cfg.width, cfg.height);
  Picture rec;
  CollectingOracle o;
  PictureCoding pc;
  pc.slice.qp = 27;
  const std::vector<uint8_t> bytes = encode_picture(cfg, orig, rec, pc, o);
  CHECK(bytes.size() > 10);
  CHECK(o.queries > 100);
  check_trees(cfg, o.records);
  bool anyMtt = false;
  for (const auto& r : o.records)
    for (uint8_t s : r.splits) anyMtt |= s >= 2;
  CHECK(anyMtt);
  // Reconstruction quality is sane (PSNR > 30 dB at QP 27).
  double se = 0;
  for (int y = 0; y < cfg.height; ++y)
    for (int x = 0; x < cfg.width; ++x) {
      const double d = orig.comp[0].at(x, y) - rec.comp[0].at(x, y);
      se += d * d;
    }
  const double psnr = 10 * std::log10(1023.0 * 1023.0 * cfg.width * cfg.height / (se + 1e-9));
  CHECK(psnr > 30);

  // Deterministic.
  Picture rec2;
  CollectingOracle o2;
  CHECK(encode_picture(cfg, orig, rec2, pc, o2) == bytes);
  CHECK(rec2.comp[1].data == rec.comp[1].data);
}

void test_restricting_oracle() {
  EncoderConfig cfg;
  cfg.width = cfg.src_width = 128;
  cfg.height = cfg.src_height = 64;
  const Picture orig = make_picture(cfg.width, cfg.height);
  Picture rec;
  CollectingOracle o;
  o.restrict_to = split_bit(SplitMode::kNone) | split_bit(SplitMode::kQt);
  PictureCoding pc;
  pc.slice.qp = 32;
  encode_picture(cfg, orig, rec, pc, o);
  check_trees(cfg, o.records);
  for (const auto& r : o.records)
    for (uint8_t s : r.splits) CHECK(s <= 1);
}

void test_logging_oracle_file() {
  const std::string path = "test_partition_search_split_log.jsonl";
  EncoderConfig cfg;
  cfg.width = cfg.src_width = 136;
  cfg.height = cfg.src_height = 64;
  const Picture orig = make_picture(cfg.width, cfg.height);
  {
    LoggingOracle log(path);
    CHECK(log.ok());
    Picture rec;
    PictureCoding pc;
    pc.slice.poc = 5;
    pc.slice.qp = 37;
    encode_picture(cfg, orig, rec, pc, log);
    CHECK_EQ(log.records_written(), 4u);  // 2 CTUs x (luma, chroma)
  }
  std::FILE* f = std::fopen(path.c_str(), "r");
  CHECK(f != nullptr);
  if (!f) return;
  char line[65536];
  int n = 0;
  while (std::fgets(line, sizeof line, f)) {
    const std::string s(line);
    CHECK(s.rfind("{\"poc\":5,\"x\":", 0) == 0);
    CHECK(s.find("\"qp\":37,\"slice_type\":\"I\",\"tree\":\"") != std::string::npos);
    CHECK(s.find("\"splits\":[1,") != std::string::npos);
    ++n;
  }
  std::fclose(f);
  std::remove(path.c_str());
  CHECK_EQ(n, 4);
}

}  // namespace

int main() {
  test_exhaustive_trees();
  test_restricting_oracle();
  test_logging_oracle_file();
  TEST_MAIN_END();
}
