#include "nn/nn_oracle.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

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

NnOracle::NnOracle(const NnConfig& cfg, int picWidth, int picHeight, SplitOracle& inner)
    : cfg_(cfg),
      width_(picWidth),
      height_(picHeight),
      ctusX_((picWidth + kNnCtuSize - 1) / kNnCtuSize),
      ctusY_((picHeight + kNnCtuSize - 1) / kNnCtuSize),
      inner_(inner) {
  // Tuning knob (not for production runs): VTM_ACCEL_NN_THRESHOLDS="L1,L2,...,L5", each level
  // "t/tt/m/n" (t_tt, margin m and none-skip n optional: t_tt = t, m = 1, n = 2 = off), replaces
  // the compiled tables of levels 1..5 for intra and inter pictures;
  // VTM_ACCEL_NN_THRESHOLDS_INTER, when set, replaces them for inter pictures only.
  for (int k = 0; k < 2; ++k) {
    thresholds_[k] = nn_level_thresholds(cfg_.level, k == 1);
    const char* env = std::getenv("VTM_ACCEL_NN_THRESHOLDS");
    if (const char* e = std::getenv("VTM_ACCEL_NN_THRESHOLDS_INTER"); k == 1 && e && *e) env = e;
    if (!env || !*env || cfg_.level <= 0) continue;
    const char* p = env;
    for (int l = 1; l <= kNnMaxLevel && *p; ++l) {
      char* end = nullptr;
      double v[4] = {std::strtod(p, &end), 0, 1.0, 2.0};
      v[1] = v[0];
      for (int f = 1; f < 4 && *end == '/'; ++f) v[f] = std::strtod(end + 1, &end);
      if (l == cfg_.level) {
        thresholds_[k] = {v[0], v[1], v[2], v[3]};
        overridden_ = true;
      }
      p = *end == ',' ? end + 1 : end;
    }
  }
}

NnOracle::~NnOracle() {
  if (channel_) channel_->set_closing();  // the service leaves the channel (and exits)
  proc_.stop(failed_ ? 200 : 5000);       // reap it: its CPU time counts as ours
  channel_.reset();                       // unmap and unlink
  g_channel_path[0] = '\0';
}

void NnOracle::fall_back(const std::string& why) {
  if (failed_) return;
  failed_ = true;
  haveMaps_ = false;
  std::fprintf(stderr, "nn: %s; falling back to exhaustive search for the rest of the encode\n",
               why.c_str());
  if (channel_) channel_->set_closing();
}

bool NnOracle::start() {
  started_ = true;
  shm::cleanup_stale_segments();
  std::string err;
  if (!cfg_.attach.empty()) {
    servicePid_ = shm::read_service_pid(cfg_.attach, err);
    if (!servicePid_) {
      fall_back("cannot attach to the predictor service: " + err);
      return false;
    }
  }
  channel_ = ShmChannel::create(ctusX_ * ctusY_, servicePid_, err);
  if (!channel_) {
    fall_back(err);
    return false;
  }
  install_cleanup(channel_->name());
  if (cfg_.attach.empty()) {
    std::string python = cfg_.python;
    if (python.empty())
      if (const char* env = std::getenv("VTM_ACCEL_PYTHON"); env && *env) python = env;
    if (python.empty()) python = "python3";
    const std::vector<std::string> argv = {python,
                                           "-m",
                                           "vtm_accel.predictors.service",
                                           "--model",
                                           cfg_.model,
                                           "--device",
                                           cfg_.device,
                                           "--channel",
                                           channel_->name(),
                                           "--parent-pid",
                                           std::to_string(::getpid())};
    if (!proc_.spawn(argv, err)) {
      fall_back("cannot start the predictor service: " + err);
      return false;
    }
    servicePid_ = static_cast<uint32_t>(proc_.pid());
  }
  return true;
}

bool NnOracle::service_alive() {
  return cfg_.attach.empty() ? proc_.alive() : shm::pid_alive(servicePid_);
}

bool NnOracle::request_picture(const SplitQuery& q) {
  const Plane& y = q.orig->comp[kY];
  const int w = std::min(width_, y.width), h = std::min(height_, y.height);
  uint32_t* origins = channel_->origins();
  int n = 0;
  for (int cy = 0; cy < ctusY_; ++cy) {
    for (int cx = 0; cx < ctusX_; ++cx, ++n) {
      const int x0 = cx * kNnCtuSize, y0 = cy * kNnCtuSize;
      origins[2 * n] = static_cast<uint32_t>(x0);
      origins[2 * n + 1] = static_cast<uint32_t>(y0);
      uint16_t* dst = channel_->luma(n);
      // The CTU's samples, edge-replicated beyond the picture.
      for (int r = 0; r < kNnCtuSize; ++r) {
        const Pel* src = y.row(std::min(y0 + r, h - 1));
        uint16_t* d = dst + r * kNnCtuSize;
        const int inside = std::clamp(w - x0, 0, kNnCtuSize);
        for (int c = 0; c < inside; ++c) d[c] = static_cast<uint16_t>(src[x0 + c]);
        for (int c = inside; c < kNnCtuSize; ++c) d[c] = static_cast<uint16_t>(src[w - 1]);
      }
    }
  }
  // Inter pictures: the temporal cue |orig - nearest reference| per co-located luma sample,
  // laid out like the luma (edge-replicated beyond the picture).
  const bool hasCue = q.ref != nullptr && q.slice_type != SliceType::I;
  if (hasCue) {
    const Plane& ry = q.ref->comp[kY];
    const int rw = std::min(w, ry.width), rh = std::min(h, ry.height);
    for (int k = 0; k < n; ++k) {
      const int x0 = static_cast<int>(origins[2 * k]), y0 = static_cast<int>(origins[2 * k + 1]);
      int16_t* dst = channel_->cue(k);
      for (int r = 0; r < kNnCtuSize; ++r) {
        const Pel* a = y.row(std::min(y0 + r, rh - 1));
        const Pel* b = ry.row(std::min(y0 + r, rh - 1));
        int16_t* d = dst + r * kNnCtuSize;
        for (int c = 0; c < kNnCtuSize; ++c) {
          const int xc = std::min(x0 + c, rw - 1);
          d[c] = static_cast<int16_t>(std::abs(a[xc] - b[xc]));
        }
      }
    }
  }
  const int64_t pictureId = q.poc;
  const uint64_t seq = channel_->submit(pictureId, static_cast<int>(q.slice_type), q.qp, n, hasCue,
                                        w, h, q.temporal_id);
  const int perPicture = cfg_.timeout_ms > 0 ? cfg_.timeout_ms : 2000 + 50 * n;
  const int timeout = predicted_ == 0 ? std::max(cfg_.first_timeout_ms, perPicture) : perPicture;
  std::string msg;
  switch (channel_->wait(seq, pictureId, n, timeout, [this] { return service_alive(); }, msg)) {
    case ShmChannel::Wait::kOk:
      ++predicted_;
      return true;
    case ShmChannel::Wait::kTimeout:
      fall_back("service timed out after " + std::to_string(timeout) + " ms (picture " +
                std::to_string(q.poc) + ")");
      return false;
    case ShmChannel::Wait::kDead:
      fall_back("service is gone (" +
                (cfg_.attach.empty() ? proc_.exit_reason()
                                     : std::string("pid ") + std::to_string(servicePid_)) +
                ", picture " + std::to_string(q.poc) + ")");
      return false;
    case ShmChannel::Wait::kError:
      fall_back("service error: " + msg);
      return false;
  }
  return false;
}

SplitMask NnOracle::splits_to_try(const SplitQuery& q) {
  const SplitMask base = inner_.splits_to_try(q);
  if (failed_ || !q.orig || cfg_.level <= 0) return base;
  if (!started_ && !start()) return base;
  if (!haveMaps_ || q.poc != curPoc_ || q.orig != curPic_) {
    curPoc_ = q.poc;
    curPic_ = q.orig;
    haveMaps_ = request_picture(q);
    if (!haveMaps_) return base;
  }
  if (q.tree == TreeType::kDualChroma && cfg_.level < kNnChromaMinLevel) return base;
  const int cx = q.x / kNnCtuSize, cy = q.y / kNnCtuSize;
  const CtuMaps maps{channel_->maps(cy * ctusX_ + cx)};
  const bool inter = q.slice_type != SliceType::I;
  const int lx = q.x % kNnCtuSize, ly = q.y % kNnCtuSize;
  NnThresholds th = thresholds_[inter];
  const double f = nn_qp_scale(q.qp, inter);  // the override is QP-scaled like the tables
  th.split *= f;
  th.tt *= f;
  const SplitMask rule =
      overridden_
          ? nn_splits_to_try(maps, lx, ly, q.w, q.h, q.tree, q.allowed, th)
          : nn_splits_to_try(maps, lx, ly, q.w, q.h, q.tree, q.allowed, cfg_.level, inter, q.qp);
  const SplitMask both = static_cast<SplitMask>(rule & base);
  return both ? both : base;
}

}  // namespace vvc
