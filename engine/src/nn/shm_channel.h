// The engine's end of the shared-memory channel to the predictor service. The byte layout is
// specified in docs/predictor-protocol.md and mirrored by vtm_accel/predictors/protocol.py.
//
// A channel is one POSIX shared-memory segment, /vtm-accel-<pid>-<16 hex>, mode 0600, created
// by the encoder: a 256-byte header (magic "VTMACCEL", version, sizes, the sequence words),
// then the request arrays (CTU origins, 128x128 luma samples, optional temporal cue) and the
// response maps. The encoder writes a request and publishes it by storing request_seq
// (release); the service answers and publishes response_seq = request_seq (release). Both
// sides poll; the engine spins briefly, then sleeps with a backoff of up to 1 ms.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace vvc {

namespace shm {
constexpr char kMagic[8] = {'V', 'T', 'M', 'A', 'C', 'C', 'E', 'L'};
constexpr uint32_t kVersion = 2;  // 2: temporal_id in the request, the cue sent for inter
constexpr uint32_t kKindChannel = 1;
constexpr uint32_t kKindService = 2;
constexpr uint32_t kHeaderBytes = 256;
constexpr uint32_t kCtuSize = 128;
constexpr uint32_t kMapSize = 32;
constexpr uint32_t kNumMaps = 4;
constexpr size_t kServiceSegmentBytes = 128;

// Byte offsets of the header fields.
constexpr size_t kOffMagic = 0, kOffVersion = 8, kOffKind = 12, kOffHeaderBytes = 16,
                 kOffCtuSize = 20, kOffMapSize = 24, kOffNumMaps = 28, kOffMaxCtus = 32,
                 kOffOwnerPid = 36, kOffSegmentBytes = 40, kOffServicePid = 48, kOffFlags = 52,
                 kOffRequestSeq = 56, kOffResponseSeq = 64, kOffHeartbeatNs = 72, kOffRequest = 128,
                 kOffResponse = 192, kOffData = 256;

constexpr uint32_t kFlagReady = 1;    // channel header complete
constexpr uint32_t kFlagClosing = 2;  // the client is done
constexpr uint32_t kStateReady = 2;   // service segment: model loaded
constexpr uint32_t kStatusOk = 0;

struct Layout {
  int max_ctus = 0;
  size_t origins = 0, luma = 0, cue = 0, maps = 0, total = 0;
  static Layout for_ctus(int maxCtus);
};

// Removes /dev/shm/vtm-accel-<pid>-* segments whose owner pid is dead; returns how many.
int cleanup_stale_segments();
// The pid of a shared service from its service segment (--nn-attach NAME); 0 and err set when
// the segment is missing, not a service segment or of another protocol version.
uint32_t read_service_pid(const std::string& name, std::string& err);
bool pid_alive(uint32_t pid);
}  // namespace shm

class ShmChannel {
 public:
  enum class Wait { kOk, kTimeout, kDead, kError };

  // Creates a channel for pictures of up to maxCtus CTUs; servicePid is written into the
  // service_pid word (0: the service that is spawned for it claims it). nullptr + err on failure.
  static std::unique_ptr<ShmChannel> create(int maxCtus, uint32_t servicePid, std::string& err);
  ~ShmChannel();  // sets the closing flag, unmaps and unlinks
  ShmChannel(const ShmChannel&) = delete;
  ShmChannel& operator=(const ShmChannel&) = delete;

  const std::string& name() const { return name_; }  // without the leading '/'
  int max_ctus() const { return layout_.max_ctus; }

  uint32_t* origins() { return reinterpret_cast<uint32_t*>(base_ + layout_.origins); }
  uint16_t* luma(int ctu) {
    return reinterpret_cast<uint16_t*>(base_ + layout_.luma) +
           size_t(ctu) * shm::kCtuSize * shm::kCtuSize;
  }
  int16_t* cue(int ctu) {
    return reinterpret_cast<int16_t*>(base_ + layout_.cue) +
           size_t(ctu) * shm::kCtuSize * shm::kCtuSize;
  }
  const uint8_t* maps(int ctu) const {
    return base_ + layout_.maps + size_t(ctu) * shm::kNumMaps * shm::kMapSize * shm::kMapSize;
  }

  // Writes the request block and publishes it; returns its sequence number.
  uint64_t submit(int64_t pictureId, int sliceType, int qp, int numCtus, bool hasCue, int picW,
                  int picH, int temporalId = 0);
  // Polls for the response to `seq` for up to timeoutMs; `alive` is asked every ~10 ms whether
  // the service still exists. msg says what went wrong for kError.
  Wait wait(uint64_t seq, int64_t pictureId, int numCtus, int timeoutMs,
            const std::function<bool()>& alive, std::string& msg);
  void set_closing();

 private:
  ShmChannel() = default;
  uint32_t load32(size_t off) const;
  void store32(size_t off, uint32_t v);
  uint64_t load64(size_t off) const;
  void store64(size_t off, uint64_t v);

  std::string name_;
  uint8_t* base_ = nullptr;
  shm::Layout layout_;
  uint64_t seq_ = 0;
};

}  // namespace vvc
