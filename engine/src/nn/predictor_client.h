// The client end of the predictor service, independent of any encoder: creates the channel,
// spawns the service as a child (or attaches to a shared one), sends one picture's CTUs and
// waits for the maps with the protocol's timeouts. The first failure (start, timeout, dead
// service, error answer) is final: the client sets its channel's closing flag, keeps the reason
// and answers every later request with kFellBack, so the encoder searches exhaustively from then
// on. Used by the engine's NnOracle and by the C API (include/vtm_accel_predictor.h).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "nn/service_process.h"
#include "nn/shm_channel.h"

namespace vvc {

struct PredictorConfig {
  std::string model;           // spawn a service for this model (--nn MODEL)
  std::string python;          // its interpreter; "" = $VTM_ACCEL_PYTHON, else python3
  std::string attach;          // or use this running shared service (--nn-attach NAME)
  std::string device = "cpu";  // passed to a spawned service
  // Per picture; 0 = 2000 + 50 per CTU (on a loaded machine a 1080p picture took 2-2.7 s wall,
  // 0.3 s CPU).
  int timeout_ms = 0;
  int first_timeout_ms = 30000;  // the first picture (the model loads then)
};

class PredictorClient {
 public:
  enum class Result { kOk, kTimeout, kDead, kError, kStartFailed, kFellBack };

  explicit PredictorClient(const PredictorConfig& cfg) : cfg_(cfg) {}
  ~PredictorClient() { close(); }
  PredictorClient(const PredictorClient&) = delete;
  PredictorClient& operator=(const PredictorClient&) = delete;

  // Removes stale segments, creates a channel for up to maxCtus CTUs per picture, spawns (or
  // attaches to) the service. false: failed() with why() ("cannot start the predictor
  // service: ..."). Does not wait for the model to load: the first request does.
  bool start(int maxCtus);

  // The channel's request arrays, to fill before request(); nullptr before a successful start.
  ShmChannel* channel() { return channel_.get(); }

  // Publishes the request for the first numCtus CTUs of the channel and waits for the answer
  // (first picture: max(first_timeout_ms, the per-picture timeout)). kOk: the maps are in
  // channel()->maps(). Anything else but kFellBack is the failure that ends the predictor.
  Result request(int64_t pictureId, int sliceType, int qp, int numCtus, bool hasCue, int picW,
                 int picH, int temporalId);

  // The wait for a picture of numCtus CTUs (the first picture's when none was predicted yet).
  int timeout_ms(int numCtus) const;
  bool failed() const { return failed_; }
  // Why it failed, in the engine's words ("service timed out after 2000 ms (picture 7)").
  const std::string& why() const { return why_; }
  int pictures_predicted() const { return predicted_; }
  uint32_t service_pid() const { return servicePid_; }

  // Sets the closing flag, reaps a spawned service (its CPU time is the caller's; grace 5 s, or
  // 200 ms after a failure, then SIGTERM, SIGKILL), unmaps and unlinks the channel. Idempotent.
  void close();

 private:
  bool fail(const std::string& why);
  bool service_alive();

  PredictorConfig cfg_;
  std::unique_ptr<ShmChannel> channel_;
  ServiceProcess proc_;
  uint32_t servicePid_ = 0;
  bool failed_ = false;
  int predicted_ = 0;
  std::string why_;
};

}  // namespace vvc
