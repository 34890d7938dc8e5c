#include "nn/predictor_client.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace vvc {

bool PredictorClient::fail(const std::string& why) {
  if (!failed_) {
    failed_ = true;
    why_ = why;
    if (channel_) channel_->set_closing();
  }
  return false;
}

bool PredictorClient::start(int maxCtus) {
  if (failed_ || channel_) return !failed_;
  shm::cleanup_stale_segments();
  std::string err;
  if (!cfg_.attach.empty()) {
    servicePid_ = shm::read_service_pid(cfg_.attach, err);
    if (!servicePid_) return fail("cannot attach to the predictor service: " + err);
  }
  channel_ = ShmChannel::create(maxCtus, servicePid_, err);
  if (!channel_) return fail(err);
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
    if (!proc_.spawn(argv, err)) return fail("cannot start the predictor service: " + err);
    servicePid_ = static_cast<uint32_t>(proc_.pid());
  }
  return true;
}

bool PredictorClient::service_alive() {
  return cfg_.attach.empty() ? proc_.alive() : shm::pid_alive(servicePid_);
}

int PredictorClient::timeout_ms(int numCtus) const {
  const int perPicture = cfg_.timeout_ms > 0 ? cfg_.timeout_ms : 2000 + 50 * numCtus;
  return predicted_ == 0 ? std::max(cfg_.first_timeout_ms, perPicture) : perPicture;
}

PredictorClient::Result PredictorClient::request(int64_t pictureId, int sliceType, int qp,
                                                 int numCtus, bool hasCue, int picW, int picH,
                                                 int temporalId) {
  if (failed_) return Result::kFellBack;
  if (!channel_) {
    fail("the predictor client was not started");
    return Result::kStartFailed;
  }
  const uint64_t seq =
      channel_->submit(pictureId, sliceType, qp, numCtus, hasCue, picW, picH, temporalId);
  const int timeout = timeout_ms(numCtus);
  std::string msg;
  const std::string picture = std::to_string(pictureId);
  switch (
      channel_->wait(seq, pictureId, numCtus, timeout, [this] { return service_alive(); }, msg)) {
    case ShmChannel::Wait::kOk:
      ++predicted_;
      return Result::kOk;
    case ShmChannel::Wait::kTimeout:
      fail("service timed out after " + std::to_string(timeout) + " ms (picture " + picture + ")");
      return Result::kTimeout;
    case ShmChannel::Wait::kDead:
      fail("service is gone (" +
           (cfg_.attach.empty() ? proc_.exit_reason()
                                : std::string("pid ") + std::to_string(servicePid_)) +
           ", picture " + picture + ")");
      return Result::kDead;
    case ShmChannel::Wait::kError:
      fail("service error: " + msg);
      return Result::kError;
  }
  return Result::kError;
}

void PredictorClient::close() {
  if (channel_) channel_->set_closing();  // the service leaves the channel (and exits)
  proc_.stop(failed_ ? 200 : 5000);       // reap it: its CPU time counts as the caller's
  channel_.reset();                       // unmap and unlink
}

}  // namespace vvc
