// The CNN split oracle: asks the predictor service for the boundary-probability maps of every
// CTU of a picture (one request per picture, on the picture's first query) and answers each
// node with the decision rule of nn/split_rule.h. The encoder never depends on the service
// for correctness: on a timeout, a dead service or an error answer it says so on stderr once
// and answers the wrapped oracle's set (exhaustive search) for the rest of the encode.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/service_process.h"
#include "nn/shm_channel.h"
#include "nn/split_rule.h"
#include "partition/split_oracle.h"

namespace vvc {

struct NnConfig {
  std::string model;           // --nn MODEL (for a spawned service)
  int level = 2;               // --nn-level 0..5
  std::string python;          // --nn-python, else $VTM_ACCEL_PYTHON, else python3
  std::string attach;          // --nn-attach NAME: use a running shared service
  std::string device = "cpu";  // --nn-device, passed to a spawned service
  // --nn-timeout-ms, per picture; 0 = 2000 + 50 per CTU (on a loaded machine a 1080p picture
  // took 2-2.7 s wall, 0.3 s CPU).
  int timeout_ms = 0;
  int first_timeout_ms = 30000;  // --nn-first-timeout-ms: first picture (model load)
};

class NnOracle : public SplitOracle {
 public:
  // inner: the oracle whose answer is intersected with the rule's and that receives
  // record_tree/end_picture (the split logger, or the exhaustive oracle); not owned.
  NnOracle(const NnConfig& cfg, int picWidth, int picHeight, SplitOracle& inner);
  ~NnOracle() override;
  NnOracle(const NnOracle&) = delete;
  NnOracle& operator=(const NnOracle&) = delete;

  // Cleans stale segments, creates the channel, spawns (or attaches to) the service. On
  // failure it prints why and falls back; returns false then.
  bool start();

  SplitMask splits_to_try(const SplitQuery& q) override;
  void record_tree(const CtuTreeRecord& rec) override { inner_.record_tree(rec); }
  void end_picture() override { inner_.end_picture(); }

  bool fell_back() const { return failed_; }
  int pictures_predicted() const { return predicted_; }

 private:
  bool request_picture(const SplitQuery& q);
  void fall_back(const std::string& why);
  bool service_alive();

  NnConfig cfg_;
  int width_, height_, ctusX_, ctusY_;
  SplitOracle& inner_;
  std::unique_ptr<ShmChannel> channel_;
  ServiceProcess proc_;
  uint32_t servicePid_ = 0;
  bool failed_ = false;
  bool started_ = false;
  bool haveMaps_ = false;
  int curPoc_ = 0;
  const Picture* curPic_ = nullptr;
  int predicted_ = 0;
  // The level's parameters for intra [0] and inter [1] pictures: split_rule.h's tables, or
  // VTM_ACCEL_NN_THRESHOLDS[_INTER] (tuning only).
  NnThresholds thresholds_[2];
  bool overridden_ = false;
};

}  // namespace vvc
