// The predictor's C API (include/vtm_accel_predictor.h) without a real service: argument errors,
// every way the service can fail to answer (cannot attach, cannot start, exits, never answers)
// and what the handle does afterwards (falls back for good, removes its channel, reaps the
// child), and the decision rule it exports against the engine's. The real service is the
// capi_example_real_service test and tests/test_predictor_capi.py.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "nn/split_rule.h"
#include "vtm_accel_predictor.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

bool contains(const char* text, const char* part) {
  return text && std::strstr(text, part) != nullptr;
}

// Channels of this process in /dev/shm.
int own_channels() {
  const std::string prefix = "vtm-accel-" + std::to_string(::getpid()) + "-";
  int n = 0;
  if (DIR* d = ::opendir("/dev/shm")) {
    while (const dirent* e = ::readdir(d))
      n += std::strncmp(e->d_name, prefix.c_str(), prefix.size()) == 0;
    ::closedir(d);
  }
  return n;
}

// A "python" that starts and lives but never answers: no service answers the channel.
std::string silent_python() {
  char path[] = "/tmp/vtma-silent-XXXXXX";
  const int fd = ::mkstemp(path);
  const char script[] = "#!/bin/sh\nexec sleep 30\n";
  CHECK(fd >= 0 && ::write(fd, script, sizeof(script) - 1) == ssize_t(sizeof(script) - 1));
  ::close(fd);
  ::chmod(path, 0700);
  return path;
}

struct Picture {
  int w = 200, h = 130;
  std::vector<int16_t> luma = std::vector<int16_t>(size_t(w) * h, 512);
  vtma_picture pic() {
    vtma_picture p = {};
    p.luma = luma.data();
    p.luma_stride = w;
    p.width = w;
    p.height = h;
    p.bit_depth = 10;
    p.slice_type = VTMA_SLICE_I;
    p.qp = 32;
    return p;
  }
};

vtma_options options() {
  vtma_options o;
  vtma_options_init(&o);
  o.max_width = 200;
  o.max_height = 130;
  return o;
}

void test_open_arguments() {
  vtma_predictor* p = reinterpret_cast<vtma_predictor*>(1);
  CHECK_EQ(vtma_open(nullptr, &p), VTMA_ERR_ARGUMENT);
  CHECK(p == nullptr);
  CHECK(contains(vtma_last_error(nullptr), "no options"));
  vtma_options o = options();
  CHECK_EQ(vtma_open(&o, &p), VTMA_ERR_ARGUMENT);  // neither model nor attach
  CHECK(contains(vtma_last_error(nullptr), "either model or attach"));
  o.model = "m.pt";
  o.attach = "x";
  CHECK_EQ(vtma_open(&o, &p), VTMA_ERR_ARGUMENT);  // both
  o.attach = nullptr;
  o.max_width = 0;
  CHECK_EQ(vtma_open(&o, &p), VTMA_ERR_ARGUMENT);
  CHECK(p == nullptr);
  CHECK_EQ(vtma_api_version(), VTMA_API_VERSION);
}

// A start failure: the handle exists, has fallen back, and answers at once from then on.
void check_fell_back_at_start(vtma_options o, const char* why) {
  vtma_predictor* p = nullptr;
  CHECK_EQ(vtma_open(&o, &p), VTMA_ERR_START);
  CHECK(p != nullptr);
  CHECK(vtma_fell_back(p));
  CHECK(contains(vtma_last_error(p), why));
  Picture pic;
  const vtma_picture vp = pic.pic();
  const auto t0 = Clock::now();
  CHECK_EQ(vtma_predict_picture(p, &vp), VTMA_FALLEN_BACK);
  CHECK(ms_since(t0) < 100);
  CHECK(vtma_ctu_maps(p, 0) == nullptr);
  CHECK_EQ(vtma_pictures_predicted(p), 0);
  vtma_close(p);
  CHECK_EQ(own_channels(), 0);
}

void test_start_failures() {
  vtma_options o = options();
  o.attach = "vtm-accel-1-svcdeadbeef";  // no such service segment
  check_fell_back_at_start(o, "cannot attach to the predictor service: no predictor service");
  o = options();
  o.model = "m.pt";
  o.python = "/nonexistent/python3";
  check_fell_back_at_start(o, "cannot start the predictor service: cannot start");
}

void test_service_exits() {
  vtma_options o = options();
  o.model = "m.pt";
  o.python = "/bin/false";
  vtma_predictor* p = nullptr;
  CHECK_EQ(vtma_open(&o, &p), VTMA_OK);
  Picture pic;
  vtma_picture vp = pic.pic();
  vp.poc = 5;
  CHECK_EQ(vtma_predict_picture(p, &vp), VTMA_ERR_SERVICE_GONE);
  CHECK(contains(vtma_last_error(p), "service is gone (exit status 1, picture 5)"));
  CHECK(vtma_fell_back(p));
  CHECK_EQ(vtma_predict_picture(p, &vp), VTMA_FALLEN_BACK);
  vtma_close(p);
  CHECK_EQ(own_channels(), 0);
}

void test_no_service_answers() {
  const std::string python = silent_python();
  vtma_options o = options();
  o.model = "m.pt";
  o.python = python.c_str();
  o.first_timeout_ms = 300;  // the first picture waits max(first, per-picture timeout)
  o.timeout_ms = 300;
  vtma_predictor* p = nullptr;
  CHECK_EQ(vtma_open(&o, &p), VTMA_OK);
  CHECK_EQ(own_channels(), 1);
  Picture pic;
  vtma_picture vp = pic.pic();
  // Bad arguments are the caller's mistake: nothing is sent and the predictor stays on.
  vp.luma_stride = 100;
  CHECK_EQ(vtma_predict_picture(p, &vp), VTMA_ERR_ARGUMENT);
  vp = pic.pic();
  vp.width = 300;  // more CTUs than the handle was opened for
  CHECK_EQ(vtma_predict_picture(p, &vp), VTMA_ERR_ARGUMENT);
  vp = pic.pic();
  vp.bit_depth = 4;
  CHECK_EQ(vtma_predict_picture(p, &vp), VTMA_ERR_ARGUMENT);
  CHECK(!vtma_fell_back(p));
  vp = pic.pic();
  auto t0 = Clock::now();
  CHECK_EQ(vtma_predict_picture(p, &vp), VTMA_ERR_TIMEOUT);
  const double waited = ms_since(t0);
  CHECK(waited >= 300 && waited < 3000);
  CHECK(contains(vtma_last_error(p), "service timed out after 300 ms (picture 0)"));
  CHECK(vtma_fell_back(p));
  t0 = Clock::now();
  CHECK_EQ(vtma_predict_picture(p, &vp), VTMA_FALLEN_BACK);
  CHECK(ms_since(t0) < 100);
  CHECK(vtma_maps_at(p, 0, 0) == nullptr);
  t0 = Clock::now();
  vtma_close(p);  // the child that never answered is stopped (SIGTERM) and reaped
  CHECK(ms_since(t0) < 3000);
  CHECK_EQ(own_channels(), 0);
  ::unlink(python.c_str());
}

// The exported rule is the engine's, on random maps at every node size, level, kind of picture.
void test_rule_is_the_engines() {
  std::mt19937 rng(7);
  std::vector<uint8_t> maps(VTMA_NUM_MAPS * VTMA_MAP_SIZE * VTMA_MAP_SIZE);
  int checked = 0;
  for (int round = 0; round < 20; ++round) {
    for (uint8_t& v : maps) v = static_cast<uint8_t>(rng() % 256);
    const vvc::CtuMaps cm{maps.data()};
    for (int size = 8; size <= 128; size *= 2)
      for (int tree = 0; tree < 3; ++tree)
        for (int level = 0; level <= VTMA_MAX_LEVEL; ++level)
          for (int inter = 0; inter < 2; ++inter) {
            const int x = size < 128 ? size : 0, y = size < 64 ? 2 * size : 0;
            const unsigned allowed = rng() % 64;
            const int qp = 22 + int(rng() % 20);
            const auto t = static_cast<vvc::TreeType>(tree);
            CHECK_EQ(vtma_splits_to_try(maps.data(), tree, x, y, size, size / 2, allowed, level,
                                        inter, qp),
                     vvc::nn_splits_to_try(cm, x, y, size, size / 2, t, vvc::SplitMask(allowed),
                                           level, inter != 0, qp));
            for (int s = 0; s < 6; ++s)
              CHECK(vtma_split_score(maps.data(), tree, x, y, size, size, s) ==
                    vvc::nn_split_score(cm, x, y, size, size, t, vvc::SplitMode(s)));
            ++checked;
          }
  }
  CHECK(checked > 1000);
  CHECK_EQ(vtma_splits_to_try(nullptr, 0, 0, 0, 64, 64, 0x3f, 5, 1, 32), 0x3fu);
}

}  // namespace

int main() {
  test_open_arguments();
  test_start_failures();
  test_service_exits();
  test_no_service_answers();
  test_rule_is_the_engines();
  TEST_MAIN_END();
}
