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

#include "encoder/speed_settings.h"
#include "nn/predictor_client.h"
#include "nn/split_rule.h"
#include "partition/split_oracle.h"

namespace vvc {

class NnOracle : public SplitOracle {
 public:
  // inner: the oracle whose answer is intersected with the rule's and that receives
  // record_tree/end_picture (the split logger, or the exhaustive oracle); not owned.
  // service: the predictor service's settings (--nn, --nn-python, --nn-attach, --nn-device,
  // --nn-timeout-ms, --nn-first-timeout-ms); speed: the rule's level.
  NnOracle(const PredictorConfig& service, const NnSpeed& speed, int picWidth, int picHeight,
           SplitOracle& inner);
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
  int pictures_predicted() const { return client_.pictures_predicted(); }

 private:
  bool request_picture(const SplitQuery& q);
  void fall_back(const std::string& why);

  int level_;
  int width_, height_, ctusX_, ctusY_;
  SplitOracle& inner_;
  PredictorClient client_;
  bool failed_ = false;
  bool started_ = false;
  bool haveMaps_ = false;
  int curPoc_ = 0;
  const Picture* curPic_ = nullptr;
  // The level's parameters for intra [0] and inter [1] pictures: split_rule.h's tables, or
  // VTM_ACCEL_NN_THRESHOLDS[_INTER] (tuning only).
  NnThresholds thresholds_[2];
  bool overridden_ = false;
};

}  // namespace vvc
