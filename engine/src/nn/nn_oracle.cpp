#include "nn/nn_oracle.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "nn/ctu_input.h"
#include "nn/split_rule.h"

namespace vvc {

namespace {

// The channel's path for the signal handler below (async-signal-safe: a fixed buffer).
char g_channel_path[128] = {};

// SIGINT/SIGTERM/SIGHUP: remove the channel, then die of the signal as before. (SIGKILL and
// crashes leave it behind; the next start removes it as stale.)
void on_fatal_signal(int sig) {
  if (g_channel_path[0]) ::unlink(g_channel_path);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_cleanup(const std::string& name) {
  std::snprintf(g_channel_path, sizeof(g_channel_path), "/dev/shm/%s", name.c_str());
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old = {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_DFL)
      ::signal(sig, on_fatal_signal);
  }
}

}  // namespace

NnOracle::NnOracle(const PredictorConfig& service, const NnSpeed& speed, int picWidth,
                   int picHeight, SplitOracle& inner)
    : level_(speed.level),
      width_(picWidth),
      height_(picHeight),
      ctusX_((picWidth + kNnCtuSize - 1) / kNnCtuSize),
      ctusY_((picHeight + kNnCtuSize - 1) / kNnCtuSize),
      inner_(inner),
      client_(service) {
  // Tuning knob (not for production runs): VTM_ACCEL_NN_THRESHOLDS="L1,L2,...,L5", each level
  // "t/tt/m/n" (t_tt, margin m and none-skip n optional: t_tt = t, m = 1, n = 2 = off), replaces
  // the compiled tables of levels 1..5 for intra and inter pictures;
  // VTM_ACCEL_NN_THRESHOLDS_INTER, when set, replaces them for inter pictures only.
  for (int k = 0; k < 2; ++k) {
    thresholds_[k] = nn_level_thresholds(level_, k == 1);
    const char* env = std::getenv("VTM_ACCEL_NN_THRESHOLDS");
    if (const char* e = std::getenv("VTM_ACCEL_NN_THRESHOLDS_INTER"); k == 1 && e && *e) env = e;
    if (!env || !*env || level_ <= 0) continue;
    const char* p = env;
    for (int l = 1; l <= kNnMaxLevel && *p; ++l) {
      char* end = nullptr;
      double v[4] = {std::strtod(p, &end), 0, 1.0, 2.0};
      v[1] = v[0];
      for (int f = 1; f < 4 && *end == '/'; ++f) v[f] = std::strtod(end + 1, &end);
      if (l == level_) {
        thresholds_[k] = {v[0], v[1], v[2], v[3]};
        overridden_ = true;
      }
      p = *end == ',' ? end + 1 : end;
    }
  }
}

NnOracle::~NnOracle() {
  client_.close();  // the service exits and is reaped: its CPU time counts as ours
  g_channel_path[0] = '\0';
}

void NnOracle::fall_back(const std::string& why) {
  if (failed_) return;
  failed_ = true;
  haveMaps_ = false;
  std::fprintf(stderr, "nn: %s; falling back to exhaustive search for the rest of the encode\n",
               why.c_str());
}

bool NnOracle::start() {
  started_ = true;
  if (!client_.start(ctusX_ * ctusY_)) {
    fall_back(client_.why());
    return false;
  }
  install_cleanup(client_.channel()->name());
  return true;
}

bool NnOracle::request_picture(const SplitQuery& q) {
  ShmChannel& ch = *client_.channel();
  const Plane& y = q.orig->comp[kY];
  const int w = std::min(width_, y.width), h = std::min(height_, y.height);
  const LumaPlane src{y.data.data(), y.stride, y.width, y.height};
  const int n = fill_ctu_luma(ch, src, w, h);
  // Inter pictures: the temporal cue |orig - nearest reference| per co-located luma sample.
  const bool hasCue = q.ref != nullptr && q.slice_type != SliceType::I;
  if (hasCue) {
    const Plane& ry = q.ref->comp[kY];
    const LumaPlane ref{ry.data.data(), ry.stride, ry.width, ry.height};
    fill_ctu_cue(ch, n, src, ref, std::min(w, ry.width), std::min(h, ry.height));
  }
  const auto r =
      client_.request(q.poc, static_cast<int>(q.slice_type), q.qp, n, hasCue, w, h, q.temporal_id);
  if (r == PredictorClient::Result::kOk) return true;
  fall_back(client_.why());
  return false;
}

SplitMask NnOracle::splits_to_try(const SplitQuery& q) {
  const SplitMask base = inner_.splits_to_try(q);
  if (failed_ || !q.orig || level_ <= 0) return base;
  if (!started_ && !start()) return base;
  if (!haveMaps_ || q.poc != curPoc_ || q.orig != curPic_) {
    curPoc_ = q.poc;
    curPic_ = q.orig;
    haveMaps_ = request_picture(q);
    if (!haveMaps_) return base;
  }
  if (q.tree == TreeType::kDualChroma && level_ < kNnChromaMinLevel) return base;
  const int cx = q.x / kNnCtuSize, cy = q.y / kNnCtuSize;
  const CtuMaps maps{client_.channel()->maps(cy * ctusX_ + cx)};
  const bool inter = q.slice_type != SliceType::I;
  const int lx = q.x % kNnCtuSize, ly = q.y % kNnCtuSize;
  NnThresholds th = thresholds_[inter];
  const double f = nn_qp_scale(q.qp, inter);  // the override is QP-scaled like the tables
  th.split *= f;
  th.tt *= f;
  const SplitMask rule =
      overridden_
          ? nn_splits_to_try(maps, lx, ly, q.w, q.h, q.tree, q.allowed, th)
          : nn_splits_to_try(maps, lx, ly, q.w, q.h, q.tree, q.allowed, level_, inter, q.qp);
  const SplitMask both = static_cast<SplitMask>(rule & base);
  return both ? both : base;
}

}  // namespace vvc
