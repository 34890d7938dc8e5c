#include "encoder/decision_chain.h"

namespace vvc {

DecisionChain::DecisionChain(const std::string& splitLog, const PredictorConfig& service,
                             const NnSpeed& speed, int picWidth, int picHeight) {
  if (!splitLog.empty()) {
    auto logger = std::make_unique<LoggingOracle>(splitLog);
    if (!logger->ok()) error_ = "cannot write the split log '" + splitLog + "'";
    base_ = std::move(logger);
  } else {
    base_ = std::make_unique<AllSplitsOracle>();
  }
  if (!service.model.empty() || !service.attach.empty()) {
    nn_ = std::make_unique<NnOracle>(service, speed, picWidth, picHeight, *base_);
    if (speed.level > 0) nn_->start();
  }
  counter_ = std::make_unique<CountingOracle>(nn_ ? static_cast<SplitOracle&>(*nn_) : *base_);
}

}  // namespace vvc
