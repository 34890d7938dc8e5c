// ALF unit tests: classification and filtering against independent, literal implementations
// of H.266 8.8.5.2-8.8.5.4 (per-CTB gradient arrays, Table 45's r1/r2/r3 rows at the virtual
// boundary, picture padding by clamping), known answers for the boundary rounding, the APS
// writer read back by a bit parser, the deferred CABAC (BinRecorder) replay byte-identical to
// direct coding, and inserted ALF CTU syntax decoded back by the test CABAC decoder.
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "cabac/bin_recorder.h"
#include "cabac/cabac_encoder.h"
#include "cabac_test_decoder.h"
#include "check.h"
#include "filter/alf.h"
#include "filter/alf_encoder.h"

using namespace vvc;

namespace {

Plane random_plane(int w, int h, uint32_t seed, int smooth) {
  std::mt19937 rng(seed);
  Plane p(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      // Mix of structure (gradients, stripes) and noise so that all classes occur.
      int v = (x * 7 + y * 3) % 1024;
      if ((x / 16 + y / 16) % 3 == 0) v = (y % 4 < 2) ? 200 : 800;
      if ((x / 16 + y / 16) % 3 == 1) v = (x % 6 < 3) ? 300 : 700;
      v += static_cast<int>(rng() % (2 * smooth + 1)) - smooth;
      p.at(x, y) = clip_pel(v);
    }
  return p;
}

int P(const Plane& p, int x, int y) {
  return p.at(std::clamp(x, 0, p.width - 1), std::clamp(y, 0, p.height - 1));
}

// Literal 8.8.5.3: per CTB, filtH/V/D0/D1 on x, y = -2..CtbSizeY+1 where x and y are both even
// or both odd (relative to the CTB), sums over the block window limited at the virtual boundary.
void ref_classify(const Plane& p, int ctbLog2, std::vector<int>& cls, std::vector<int>& tr) {
  const int ctb = 1 << ctbLog2, W = p.width, H = p.height;
  const int w4 = W / 4;
  cls.assign(static_cast<size_t>(w4) * (H / 4), -1);
  tr.assign(cls.size(), -1);
  const int n = ctb + 4;
  std::vector<int> fH(n * n), fV(n * n), fD0(n * n), fD1(n * n);
  for (int yCtb = 0; yCtb < H; yCtb += ctb)
    for (int xCtb = 0; xCtb < W; xCtb += ctb) {
      for (int y = -2; y < ctb + 2; ++y)
        for (int x = -2; x < ctb + 2; ++x) {
          const int i = (y + 2) * n + (x + 2);
          fH[i] = fV[i] = fD0[i] = fD1[i] = 0;
          if (((x & 1) != 0) != ((y & 1) != 0)) continue;
          const int hx = xCtb + x, vy = yCtb + y;
          // The row across the virtual boundary (CtbSizeY - 4) is replaced by the current row.
          const int vyUp = (y == ctb - 4) ? vy : vy - 1;
          const int vyDn = (y == ctb - 5) ? vy : vy + 1;
          const int c = P(p, hx, vy) << 1;
          fH[i] = std::abs(c - P(p, hx - 1, vy) - P(p, hx + 1, vy));
          fV[i] = std::abs(c - P(p, hx, vyUp) - P(p, hx, vyDn));
          fD0[i] = std::abs(c - P(p, hx - 1, vyUp) - P(p, hx + 1, vyDn));
          fD1[i] = std::abs(c - P(p, hx + 1, vyUp) - P(p, hx - 1, vyDn));
        }
      for (int y4 = 0; y4 < ctb && yCtb + y4 < H; y4 += 4)
        for (int x4 = 0; x4 < ctb && xCtb + x4 < W; x4 += 4) {
          int minY = -2, maxY = 5, ac = 2;
          if (y4 == ctb - 8) {
            maxY = 3;
            ac = 3;
          } else if (y4 == ctb - 4) {
            minY = 0;
            ac = 3;
          }
          long sH = 0, sV = 0, sD0 = 0, sD1 = 0;
          for (int j = minY; j <= maxY; ++j)
            for (int i = -2; i <= 5; ++i) {
              const int k = (y4 + j + 2) * n + (x4 + i + 2);
              sH += fH[k];
              sV += fV[k];
              sD0 += fD0[k];
              sD1 += fD1[k];
            }
          long hv1, hv0, d1, d0;
          int dirHV, dirD;
          if (sV > sH) {
            hv1 = sV, hv0 = sH, dirHV = 0;
          } else {
            hv1 = sH, hv0 = sV, dirHV = 1;
          }
          if (sD0 > sD1) {
            d1 = sD0, d0 = sD1, dirD = 0;
          } else {
            d1 = sD1, d0 = sD0, dirD = 1;
          }
          const bool hvMain = d1 * hv0 <= hv1 * d0;
          const long a1 = hvMain ? hv1 : d1, a0 = hvMain ? hv0 : d0;
          const int dirS = (a1 * 2 > 9 * a0) ? 2 : (a1 > 2 * a0 ? 1 : 0);
          static const int varTab[16] = {0, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4};
          const long act = std::clamp<long>(((sH + sV) * ac) >> 9, 0, 15);
          int f = varTab[act];
          if (dirS) f += ((hvMain ? 2 : 0) + dirS) * 5;
          const size_t idx = static_cast<size_t>((yCtb + y4) / 4) * w4 + (xCtb + x4) / 4;
          cls[idx] = f;
          tr[idx] = dirD * 2 + dirHV;
        }
    }
}

// Table 45 (r1, r2, r3 by the row in the CTB; applyAlfLineBufBoundary = 1).
void table45(int y, int ctb, int r[4], bool luma) {
  r[0] = 0;
  if (luma) {
    if (y == ctb - 5 || y == ctb - 4)
      r[1] = r[2] = r[3] = 0;
    else if (y == ctb - 6 || y == ctb - 3)
      r[1] = r[2] = r[3] = 1;
    else if (y == ctb - 7 || y == ctb - 2)
      r[1] = 1, r[2] = r[3] = 2;
    else
      r[1] = 1, r[2] = 2, r[3] = 3;
  } else {
    if (y == ctb - 3 || y == ctb - 2)
      r[1] = r[2] = 0;
    else if (y == ctb - 4 || y == ctb - 1)
      r[1] = r[2] = 1;
    else
      r[1] = 1, r[2] = 2;
  }
}

int ref_clip(int d, int c) {
  return std::clamp(d, -c, c);
}

// Literal 8.8.5.2 for one luma CTB with per-class coefficient sets (classToFilter identity).
void ref_filter_luma(const Plane& src, Plane& dst, int xCtb, int yCtb, int ctb,
                     const std::vector<int>& cls, const std::vector<int>& tr,
                     const int16_t coeff[][12], const uint8_t clipIdx[][12]) {
  for (int y = 0; y < ctb && yCtb + y < src.height; ++y)
    for (int x = 0; x < ctb && xCtb + x < src.width; ++x) {
      const int hx = xCtb + x, vy = yCtb + y;
      const size_t b = static_cast<size_t>(vy / 4) * (src.width / 4) + hx / 4;
      const int t = tr[b];
      int f[12], c[12];
      for (int j = 0; j < 12; ++j) {
        f[j] = coeff[cls[b]][kAlfTransposeIdx[t][j]];
        c[j] = alf_clip_value(clipIdx[cls[b]][kAlfTransposeIdx[t][j]]);
      }
      int r[4];
      table45(y, ctb, r, true);
      const int cur = P(src, hx, vy);
      auto d = [&](int dx, int dy, int j) {
        return ref_clip(P(src, hx + dx, vy + dy) - cur, c[j]);
      };
      int sum = f[0] * (d(0, r[3], 0) + d(0, -r[3], 0)) + f[1] * (d(1, r[2], 1) + d(-1, -r[2], 1)) +
                f[2] * (d(0, r[2], 2) + d(0, -r[2], 2)) + f[3] * (d(-1, r[2], 3) + d(1, -r[2], 3)) +
                f[4] * (d(2, r[1], 4) + d(-2, -r[1], 4)) +
                f[5] * (d(1, r[1], 5) + d(-1, -r[1], 5)) + f[6] * (d(0, r[1], 6) + d(0, -r[1], 6)) +
                f[7] * (d(-1, r[1], 7) + d(1, -r[1], 7)) +
                f[8] * (d(-2, r[1], 8) + d(2, -r[1], 8)) + f[9] * (d(3, 0, 9) + d(-3, 0, 9)) +
                f[10] * (d(2, 0, 10) + d(-2, 0, 10)) + f[11] * (d(1, 0, 11) + d(-1, 0, 11));
      const bool nearVb = y == ctb - 5 || y == ctb - 4;
      sum = nearVb ? (sum + 512) >> 10 : (sum + 64) >> 7;
      dst.at(hx, vy) = clip_pel(cur + sum);
    }
}

void test_classification() {
  // 256x136: two CTB rows, the second partial (virtual boundary only in the first).
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    const Plane p = random_plane(256 + 32 * static_cast<int>(seed), 136 + 128 * (seed == 3), seed,
                                 seed == 2 ? 4 : 20);
    AlfClasses got;
    alf_classify(p, 7, got);
    std::vector<int> cls, tr;
    ref_classify(p, 7, cls, tr);
    int mismatches = 0, classesSeen = 0;
    bool seen[25] = {};
    for (size_t i = 0; i < cls.size(); ++i) {
      mismatches += got.cls[i] != cls[i] || got.transpose[i] != tr[i];
      seen[cls[i]] = true;
    }
    for (bool s : seen) classesSeen += s;
    CHECK_EQ(mismatches, 0);
    std::printf("seed %u: %d classes\n", seed, classesSeen);
    CHECK(classesSeen >= 8);
  }
  // Known answers: flat -> class 0 / transpose 3; horizontal stripes -> strong HV class.
  Plane flat(64, 64);
  for (auto& v : flat.data) v = 512;
  AlfClasses c;
  alf_classify(flat, 7, c);
  CHECK_EQ(c.at(3, 3), 0);
  CHECK_EQ(c.tr(3, 3), 3);
  Plane stripes(64, 64);
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x) stripes.at(x, y) = static_cast<Pel>(y % 2 ? 900 : 100);
  alf_classify(stripes, 7, c);
  CHECK_EQ(c.at(5, 5), 24);  // activity 4, strong, HV main direction: 4 + (2 + 2) * 5
  CHECK_EQ(c.tr(5, 5), 2);   // vertical gradients dominate (dirHV 0), D1 >= D0
}

void test_filter_luma() {
  const int W = 256, H = 264;  // three CTB rows; the last partial
  const Plane src = random_plane(W, H, 7, 60);
  AlfClasses cls;
  alf_classify(src, 7, cls);
  std::vector<int> rc, rt;
  ref_classify(src, 7, rc, rt);
  std::mt19937 rng(5);
  int16_t coeff[25][12];
  uint8_t clipIdx[25][12];
  uint8_t map[25];
  for (int f = 0; f < 25; ++f) {
    map[f] = static_cast<uint8_t>(f);
    for (int j = 0; j < 12; ++j) {
      coeff[f][j] = static_cast<int16_t>(static_cast<int>(rng() % 41) - 20);
      clipIdx[f][j] = static_cast<uint8_t>(rng() % 4);
    }
  }
  Plane got(W, H), want(W, H);
  for (int y = 0; y < H; y += 128)
    for (int x = 0; x < W; x += 128) {
      alf_filter_luma_ctb(src, got, x, y, 7, cls, map, coeff, clipIdx);
      ref_filter_luma(src, want, x, y, 128, rc, rt, coeff, clipIdx);
    }
  int diff = 0;
  for (size_t i = 0; i < got.data.size(); ++i) diff += got.data[i] != want.data[i];
  CHECK_EQ(diff, 0);

  // Virtual boundary: rows above it (124 in the first CTB row) never read rows below it.
  Plane src2 = src;
  for (int y = 124; y < 128; ++y)
    for (int x = 0; x < W; ++x) src2.at(x, y) = static_cast<Pel>(1023 - src2.at(x, y));
  Plane got2(W, H);
  AlfClasses cls2;
  alf_classify(src2, 7, cls2);
  alf_filter_luma_ctb(src2, got2, 0, 0, 7, cls2, map, coeff, clipIdx);
  int changed = 0;
  for (int y = 0; y < 124; ++y)
    for (int x = 0; x < 128; ++x) changed += got2.at(x, y) != got.at(x, y);
  CHECK_EQ(changed, 0);

  // Rounding next to the boundary: a bright column 3 samples to the left, coefficient 64.
  Plane col(128, 128);
  for (int y = 0; y < 128; ++y) col.at(10, y) = 512;
  int16_t c64[25][12] = {};
  uint8_t noClip[25][12] = {};
  for (int f = 0; f < 25; ++f) c64[f][0] = c64[f][9] = 64;  // taps (0,+-3) and (+-3,0)
  AlfClasses cc;
  alf_classify(col, 7, cc);
  Plane out(128, 128);
  alf_filter_luma_ctb(col, out, 0, 0, 7, cc, map, c64, noClip);
  CHECK_EQ(out.at(13, 40), 256);  // (64 * 512 + 64) >> 7
  CHECK_EQ(out.at(13, 123), 32);  // row vb - 1: (64 * 512 + 512) >> 10
  CHECK_EQ(out.at(13, 124), 32);  // row vb
  CHECK_EQ(out.at(13, 125), 256);
}

void test_filter_chroma() {
  const int W = 96, H = 136;
  const Plane src = random_plane(W, H, 11, 80);
  int16_t coeff[6] = {-7, 12, 30, 9, -3, 25};
  uint8_t clip[6] = {0, 1, 2, 3, 0, 1};
  Plane got(W, H), want(W, H);
  for (int yC = 0; yC < H; yC += 64)
    for (int xC = 0; xC < W; xC += 64) {
      alf_filter_chroma_ctb(src, got, xC, yC, 6, coeff, clip);
      for (int y = 0; y < 64 && yC + y < H; ++y)
        for (int x = 0; x < 64 && xC + x < W; ++x) {
          const int hx = xC + x, vy = yC + y;
          int r[4];
          table45(y, 64, r, false);
          const int cur = P(src, hx, vy);
          auto d = [&](int dx, int dy, int j) {
            return ref_clip(P(src, hx + dx, vy + dy) - cur, alf_clip_value(clip[j]));
          };
          int sum = coeff[0] * (d(0, r[2], 0) + d(0, -r[2], 0)) +
                    coeff[1] * (d(1, r[1], 1) + d(-1, -r[1], 1)) +
                    coeff[2] * (d(0, r[1], 2) + d(0, -r[1], 2)) +
                    coeff[3] * (d(-1, r[1], 3) + d(1, -r[1], 3)) +
                    coeff[4] * (d(2, 0, 4) + d(-2, 0, 4)) + coeff[5] * (d(1, 0, 5) + d(-1, 0, 5));
          const bool nearVb = y == 61 || y == 62;
          sum = nearVb ? (sum + 512) >> 10 : (sum + 64) >> 7;
          want.at(hx, vy) = clip_pel(cur + sum);
        }
    }
  int diff = 0;
  for (size_t i = 0; i < got.data.size(); ++i) diff += got.data[i] != want.data[i];
  CHECK_EQ(diff, 0);
}

// Minimal RBSP reader for the APS read-back.
struct Bits {
  const std::vector<uint8_t>& b;
  size_t pos = 0;
  uint32_t u(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i, ++pos) v = (v << 1) | ((b[pos / 8] >> (7 - pos % 8)) & 1u);
    return v;
  }
  uint32_t ue() {
    int lz = 0;
    while (!u(1)) ++lz;
    return (1u << lz) - 1 + u(lz);
  }
};

void test_aps_writer() {
  AlfApsData a;
  a.aps_id = 5;
  a.luma = true;
  a.num_luma_filters = 3;
  for (int c = 0; c < 25; ++c) a.class_to_filter[c] = static_cast<uint8_t>(c % 3);
  for (int f = 0; f < 3; ++f)
    for (int j = 0; j < 12; ++j) a.luma_coeff[f][j] = static_cast<int16_t>((f * 12 + j) % 9 - 4);
  a.luma_coeff[2][11] = -128;
  a.chroma = true;
  a.num_chroma_alts = 2;
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 6; ++j) a.chroma_coeff[k][j] = static_cast<int16_t>(j * 5 - 10 + k);
  const std::vector<uint8_t> rbsp = write_alf_aps(a);
  Bits r{rbsp};
  CHECK_EQ(r.u(3), 0u);  // ALF_APS
  CHECK_EQ(r.u(5), 5u);
  CHECK_EQ(r.u(1), 1u);  // aps_chroma_present_flag
  CHECK_EQ(r.u(1), 1u);  // luma signal
  CHECK_EQ(r.u(1), 1u);  // chroma signal
  CHECK_EQ(r.u(2), 0u);  // no CC-ALF
  CHECK_EQ(r.u(1), 0u);  // luma clip flag
  CHECK_EQ(r.ue(), 2u);  // num filters - 1
  int bad = 0;
  for (int c = 0; c < 25; ++c) bad += r.u(2) != static_cast<uint32_t>(c % 3);
  auto coeff = [&r]() {
    const int m = static_cast<int>(r.ue());
    return m && r.u(1) ? -m : m;
  };
  for (int f = 0; f < 3; ++f)
    for (int j = 0; j < 12; ++j) bad += coeff() != a.luma_coeff[f][j];
  CHECK_EQ(r.u(1), 0u);  // chroma clip flag
  CHECK_EQ(r.ue(), 1u);  // alts - 1
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 6; ++j) bad += coeff() != a.chroma_coeff[k][j];
  CHECK_EQ(bad, 0);
  CHECK_EQ(r.u(1), 0u);  // aps_extension_flag
  CHECK_EQ(r.u(1), 1u);  // rbsp_stop_one_bit
  CHECK_EQ(r.pos % 8 == 0 ? r.pos : (r.pos + 7) / 8 * 8, rbsp.size() * 8);
}

// Random CTU syntax: the same bins coded directly and recorded + replayed give the same bytes;
// replay with ALF syntax inserted decodes back to the ALF flags and the original bins.
void test_bin_recorder() {
  std::mt19937 rng(3);
  struct B {
    int kind, ctx, n;
    uint32_t v;
  };
  const int numCtus = 12;
  std::vector<std::vector<B>> ctus(numCtus);
  for (auto& c : ctus) {
    const int n = 50 + static_cast<int>(rng() % 300);
    for (int i = 0; i < n; ++i) {
      B b{};
      b.kind = rng() % 5 == 0 ? 1 : 0;
      b.ctx = kCtxSplitCuFlag + static_cast<int>(rng() % (kNumCtx - kCtxSplitCuFlag));
      b.n = 1 + static_cast<int>(rng() % 20);
      b.v = rng() & ((1u << b.n) - 1);
      if (!b.kind) b.v = (rng() % 4) != 0 ? (b.ctx & 1) : !(b.ctx & 1);  // skewed bins
      c.push_back(b);
    }
  }
  ContextSet init;
  init.init(32, 2);
  ContextSet direct = init;
  CabacEncoder enc;
  enc.start();
  ContextSet recCtx = init;
  BinRecorder rec(recCtx);
  rec.start();
  for (const auto& c : ctus) {
    rec.mark_ctu();
    for (const B& b : c) {
      if (b.kind) {
        enc.encode_bins_ep(b.v, b.n);
        rec.encode_bins_ep(b.v, b.n);
      } else {
        enc.encode_bin(direct[b.ctx], b.v);
        rec.encode_bin(recCtx[b.ctx], b.v);
      }
    }
  }
  enc.encode_bin_trm(1);
  rec.encode_bin_trm(1);
  enc.finish();
  const std::vector<uint8_t> replayed = rec.replay(init, {});
  CHECK(replayed == enc.bytes());
  CHECK_EQ(rec.num_ctus(), static_cast<size_t>(numCtus));

  // With ALF syntax: 4x3 CTBs, random flags, two chroma alternatives.
  AlfPictureDecision d;
  d.luma = true;
  d.chroma[0] = d.chroma[1] = true;
  d.aps.num_chroma_alts = 2;
  d.ctbs_x = 4;
  d.ctbs_y = 3;
  for (int c = 0; c < 3; ++c) {
    d.flag[c].resize(numCtus);
    for (auto& f : d.flag[c]) f = static_cast<uint8_t>(rng() % 2);
  }
  for (int c = 0; c < 2; ++c) {
    d.alt[c].resize(numCtus);
    for (auto& a : d.alt[c]) a = static_cast<uint8_t>(rng() % 2);
  }
  const std::vector<uint8_t> withAlf =
      rec.replay(init, [&d](size_t i, CabacEncoder& e, ContextSet& ctx) {
        alf_code_ctu(e, ctx, d, static_cast<int>(i));
      });
  vvc_test::CabacTestDecoder dec(withAlf.data(), withAlf.size());
  ContextSet dctx = init;
  int bad = 0;
  for (int i = 0; i < numCtus; ++i) {
    const int rx = i % 4, ry = i / 4;
    for (int c = 0; c < 3; ++c) {
      int inc = 3 * c;
      if (rx) inc += d.flag[c][static_cast<size_t>(i - 1)];
      if (ry) inc += d.flag[c][static_cast<size_t>(i - 4)];
      const unsigned f = dec.decode_bin(dctx[kCtxAlfCtbFlag + inc]);
      bad += f != d.flag[c][static_cast<size_t>(i)];
      if (!f) continue;
      if (c == 0) {
        bad += dec.decode_bin(dctx[kCtxAlfUseApsFlag]) != 1;
      } else {
        const unsigned a = dec.decode_bin(dctx[kCtxAlfCtbFilterAltIdx + c - 1]);
        bad += a != d.alt[c - 1][static_cast<size_t>(i)];
      }
    }
    for (const B& b : ctus[static_cast<size_t>(i)])
      bad += (b.kind ? dec.decode_bypass_bins(b.n) : dec.decode_bin(dctx[b.ctx])) != b.v;
  }
  CHECK_EQ(dec.decode_terminate(), 1u);
  CHECK_EQ(bad, 0);
}

// The encoder on a noisy picture: ALF must pay (enabled) and lower the luma SSE.
void test_encoder_gain() {
  const int W = 128, H = 128;
  Picture orig(W, H), rec(W, H);
  orig.comp[0] = random_plane(W, H, 21, 0);
  std::mt19937 rng(9);
  for (int c = 0; c < 3; ++c) {
    if (c) orig.comp[c] = random_plane(W / 2, H / 2, 30 + c, 0);
    rec.comp[c] = orig.comp[c];
    // Blur + noise as a stand-in for coding loss.
    for (int y = 0; y < rec.comp[c].height; ++y)
      for (int x = 1; x + 1 < rec.comp[c].width; ++x)
        rec.comp[c].at(x, y) = clip_pel((orig.comp[c].at(x - 1, y) + 2 * orig.comp[c].at(x, y) +
                                         orig.comp[c].at(x + 1, y) + 2) /
                                            4 +
                                        static_cast<int>(rng() % 9) - 4);
  }
  auto sse = [](const Plane& a, const Plane& b) {
    long s = 0;
    for (size_t i = 0; i < a.data.size(); ++i)
      s += long(a.data[i] - b.data[i]) * (a.data[i] - b.data[i]);
    return s;
  };
  const long before = sse(orig.comp[0], rec.comp[0]);
  const Picture deblocked = rec;
  const double lambda[3] = {50, 50, 50};
  const AlfPictureDecision d = alf_encode_picture(orig, rec, 7, lambda);
  CHECK(d.luma);
  CHECK(sse(orig.comp[0], rec.comp[0]) < before * 9 / 10);
  // The in-place result equals the decoder-side application of the decision.
  Picture again(W, H);
  alf_apply(deblocked, again, d, 7);
  int diff = 0;
  for (int c = 0; c < 3; ++c)
    for (size_t i = 0; i < again.comp[c].data.size(); ++i)
      diff += again.comp[c].data[i] != rec.comp[c].data[i];
  CHECK_EQ(diff, 0);
}

}  // namespace

int main() {
  test_classification();
  test_filter_luma();
  test_filter_chroma();
  test_aps_writer();
  test_bin_recorder();
  test_encoder_gain();
  TEST_MAIN_END();
}
