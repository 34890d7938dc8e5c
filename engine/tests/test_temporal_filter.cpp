// Temporal pre-filter (MCTF) tests: the schedule (which POCs, which strengths), the block
// motion estimation finding a known shift, identical frames passing unchanged, a noisy moving
// sequence getting closer to its clean version, the neighbour gathering at the sequence ends
// and the source window reading every frame once.
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "check.h"
#include "common/picture.h"
#include "prefilter/source_window.h"
#include "prefilter/temporal_filter.h"

using namespace vvc;

namespace {

// A smooth random texture (box-blurred noise around mid grey), large enough to crop moving
// windows from.
Plane make_canvas(int w, int h, uint32_t seed, int amplitude) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(-amplitude, amplitude);
  std::vector<int> v(static_cast<size_t>(w) * h);
  for (int& x : v) x = dist(rng);
  for (int pass = 0; pass < 2; ++pass) {  // 3x3 box blur, twice: detail at a few samples
    std::vector<int> t(v.size());
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        int s = 0;
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx)
            s += v[static_cast<size_t>(std::clamp(y + dy, 0, h - 1)) * w +
                   std::clamp(x + dx, 0, w - 1)];
        t[static_cast<size_t>(y) * w + x] = s / 3;  // /9 * 3: keep the contrast up
      }
    v.swap(t);
  }
  Plane p(w, h);
  for (size_t i = 0; i < v.size(); ++i) p.data[i] = clip_pel(512 + v[i]);
  return p;
}

// Crops a w x h picture whose luma starts at (x0, y0) of the luma canvas (chroma from the
// chroma canvases at half the position).
Picture crop(const Plane canvas[3], int x0, int y0, int w, int h) {
  Picture p(w, h);
  for (int c = 0; c < 3; ++c) {
    const int cx = c ? x0 / 2 : x0, cy = c ? y0 / 2 : y0;
    for (int y = 0; y < p.comp[c].height; ++y)
      for (int x = 0; x < p.comp[c].width; ++x) p.comp[c].at(x, y) = canvas[c].at(cx + x, cy + y);
  }
  return p;
}

void add_noise(Picture& p, double sigma, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> n(0.0, sigma);
  for (int c = 0; c < 3; ++c)
    for (Pel& s : p.comp[c].data) s = clip_pel(s + static_cast<int>(std::lround(n(rng))));
}

double mse(const Plane& a, const Plane& b) {
  double s = 0;
  for (size_t i = 0; i < a.data.size(); ++i) {
    const double d = a.data[i] - b.data[i];
    s += d * d;
  }
  return s / static_cast<double>(a.data.size());
}

void test_schedule() {
  MctfParams p;
  p.gop_size = 32;
  p.base_qp = 32;  // 3 levels: multiples of 8, 16, 32
  CHECK(std::fabs(mctf_strength(p, 0) - 1.5) < 1e-9);
  CHECK(std::fabs(mctf_strength(p, 32) - 1.5) < 1e-9);
  CHECK(std::fabs(mctf_strength(p, 16) - 1.0) < 1e-9);
  CHECK(std::fabs(mctf_strength(p, 8) - 2.0 / 3.0) < 1e-9);
  CHECK(mctf_strength(p, 4) == 0);
  CHECK(mctf_strength(p, 3) == 0);
  CHECK_EQ(mctf_range(p, 0), 4);  // the two top levels: range 4
  CHECK_EQ(mctf_range(p, 16), 4);
  CHECK_EQ(mctf_range(p, 8), 2);  // below them: 2
  CHECK_EQ(mctf_range(p, 3), 0);
  CHECK_EQ(mctf_first_needed(p, 16), 12);
  CHECK_EQ(mctf_first_needed(p, 8), 6);
  CHECK_EQ(mctf_first_needed(p, 2), 2);  // not filtered
  CHECK_EQ(mctf_first_needed(p, 3), 3);
  p.base_qp = 22;  // 4 levels: multiples of 4 too, (22 - 4) / 8 clipped to 2, over 4
  CHECK(std::fabs(mctf_strength(p, 4) - 0.5) < 1e-9);
  CHECK(std::fabs(mctf_strength(p, 8) - 2.0 / 3.0) < 1e-9);
  CHECK(std::fabs(mctf_strength(p, 0) - 1.5) < 1e-9);
  CHECK(mctf_strength(p, 2) == 0);
  p.gop_size = 8;  // low delay GOP 8, QP 37: one level, multiples of 8
  p.base_qp = 37;
  CHECK(std::fabs(mctf_strength(p, 8) - 1.5) < 1e-9);
  CHECK(mctf_strength(p, 4) == 0);
}

void test_motion_known_shift() {
  const Plane canvas = make_canvas(200, 160, 7, 300);
  const int w = 128, h = 96, x0 = 30, y0 = 30;
  const int sx = 13, sy = -7;  // ref shows the content (sx, sy) further on
  Plane cur(w, h), ref(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      cur.at(x, y) = canvas.at(x0 + x, y0 + y);
      ref.at(x, y) = canvas.at(x0 + sx + x, y0 + sy + y);
    }
  // cur(x, y) = ref(x - sx, y - sy): the MV is (-sx, -sy) samples = (-208, 112) in 1/16.
  for (int unit : {8, 16}) {
    const MvGrid g = estimate_filter_motion(cur, ref, unit);
    CHECK_EQ(g.cols, w / unit);
    CHECK_EQ(g.rows, h / unit);
    int checked = 0, exact = 0;
    for (int by = 0; by < g.rows; ++by)
      for (int bx = 0; bx < g.cols; ++bx) {
        const int x = bx * unit - sx, y = by * unit - sy;  // matched area inside ref?
        if (x < 0 || y < 0 || x + unit > w || y + unit > h) continue;
        ++checked;
        const FilterMv& m = g.at(bx, by);
        exact += m.x == -16 * sx && m.y == -16 * sy;
      }
    CHECK(checked > 20);
    CHECK_EQ(exact, checked);
  }
}

void test_identical_frames_unchanged() {
  const Plane canvas[3] = {make_canvas(96, 96, 1, 400), make_canvas(48, 48, 2, 200),
                           make_canvas(48, 48, 3, 200)};
  const Picture cur = crop(canvas, 0, 0, 96, 96);
  std::vector<FilterNeighbour> nb;
  for (int d : {-2, -1, 1, 2}) nb.push_back({&cur, d});
  for (int qp : {22, 37}) {
    FilterSettings s;
    s.strength = 1.5;
    s.base_qp = qp;
    const Picture out = temporal_filter(cur, nb, s);
    for (int c = 0; c < 3; ++c) CHECK(out.comp[c].data == cur.comp[c].data);
  }
}

void test_noisy_moving_sequence() {
  const Plane canvas[3] = {make_canvas(200, 160, 11, 250), make_canvas(100, 80, 12, 120),
                           make_canvas(100, 80, 13, 120)};
  const int w = 128, h = 96, frames = 9, key = 4;
  std::vector<Picture> clean, noisy;
  for (int i = 0; i < frames; ++i) {  // pan: 2 luma samples right, 2 down per frame
    clean.push_back(crop(canvas, 10 + 2 * i, 10 + 2 * i, w, h));
    noisy.push_back(clean.back());
    add_noise(noisy.back(), 12.0, 100 + static_cast<uint32_t>(i));
  }
  MctfParams p;
  p.base_qp = 37;
  p.gop_size = 4;  // key (POC 4) filtered at the top strength 1.5
  p.num_frames = frames;
  p.width = w;
  p.height = h;
  std::set<int> asked;
  auto frame = [&](int poc) -> const Picture& {
    asked.insert(poc);
    return noisy[static_cast<size_t>(poc)];
  };
  Picture out;
  CHECK(filter_source(p, key, frame, out));
  CHECK_EQ(static_cast<int>(asked.size()), 9);  // POC 0..8: range 4 on both sides
  for (int c = 0; c < 3; ++c) {
    const double before = mse(noisy[key].comp[c], clean[key].comp[c]);
    const double after = mse(out.comp[c], clean[key].comp[c]);
    std::printf("component %d: MSE to the clean frame %.1f -> %.1f\n", c, before, after);
    CHECK(after < 0.6 * before);
  }
  // POC 3 is not a key picture: not filtered, out untouched.
  Picture untouched;
  CHECK(!filter_source(p, 3, frame, untouched));
  CHECK_EQ(untouched.width, 0);
}

void test_neighbours_at_sequence_ends() {
  const Plane canvas[3] = {make_canvas(64, 64, 5, 200), make_canvas(32, 32, 6, 100),
                           make_canvas(32, 32, 7, 100)};
  std::vector<Picture> pics(3, crop(canvas, 0, 0, 64, 64));
  MctfParams p;
  p.base_qp = 32;
  p.gop_size = 8;
  p.num_frames = 3;
  p.width = p.height = 64;
  std::set<int> asked;
  auto frame = [&](int poc) -> const Picture& {
    asked.insert(poc);
    return pics.at(static_cast<size_t>(poc));
  };
  Picture out;
  CHECK(filter_source(p, 0, frame, out));  // POC 0 of random access: future neighbours 1, 2
  CHECK(asked == (std::set<int>{0, 1, 2}));
  p.future_refs = false;  // low delay: POC 0 has no past neighbour, nothing to filter
  CHECK(!filter_source(p, 0, frame, out));
}

void test_source_window_reads_once() {
  int reads = 0;
  SourceWindow win(16, 16, [&](int poc, Picture& pic) -> std::string {
    if (poc > 9) return "past the end";
    ++reads;
    pic.comp[0].at(0, 0) = static_cast<Pel>(poc);
    return "";
  });
  std::string err;
  for (int poc : {0, 8, 4, 2, 1, 3, 6, 5, 7}) {
    for (int q = std::max(0, poc - 4); q <= poc; ++q) {  // like a filter looking back
      const Picture* p = win.get(q, err);
      CHECK(p != nullptr);
      if (p) CHECK_EQ(p->comp[0].at(0, 0), q);
    }
  }
  CHECK_EQ(reads, 9);
  CHECK_EQ(win.reads(), 9);
  win.release_before(5);
  CHECK_EQ(static_cast<int>(win.size()), 4);  // 5..8 kept
  CHECK(win.get(12, err) == nullptr);
  CHECK(err == "past the end");
}

}  // namespace

int main() {
  test_schedule();
  test_motion_known_shift();
  test_identical_frames_unchanged();
  test_noisy_moving_sequence();
  test_neighbours_at_sequence_ends();
  test_source_window_reads_once();
  TEST_MAIN_END();
}
