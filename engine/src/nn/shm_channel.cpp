#include "nn/shm_channel.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>

namespace vvc {

namespace shm {

namespace {
constexpr size_t align(size_t n, size_t a) {
  return (n + a - 1) / a * a;
}

// "vtm-accel-<digits>-<tag>" -> pid, else 0.
uint32_t owner_pid(const char* name) {
  constexpr char kPrefix[] = "vtm-accel-";
  if (std::strncmp(name, kPrefix, sizeof(kPrefix) - 1) != 0) return 0;
  const char* p = name + sizeof(kPrefix) - 1;
  uint64_t pid = 0;
  int digits = 0;
  while (*p >= '0' && *p <= '9' && digits < 10) pid = pid * 10 + uint64_t(*p++ - '0'), ++digits;
  if (!digits || *p != '-' || p[1] == '\0' || pid > 0x7fffffff) return 0;
  return static_cast<uint32_t>(pid);
}
}  // namespace

Layout Layout::for_ctus(int maxCtus) {
  Layout l;
  l.max_ctus = maxCtus;
  const size_t plane = size_t(kCtuSize) * kCtuSize * 2;
  l.origins = kOffData;
  l.luma = align(l.origins + 8 * size_t(maxCtus), 64);
  l.cue = align(l.luma + plane * maxCtus, 64);
  l.maps = align(l.cue + plane * maxCtus, 64);
  l.total = align(l.maps + size_t(kNumMaps) * kMapSize * kMapSize * maxCtus, 4096);
  return l;
}

bool pid_alive(uint32_t pid) {
  if (pid == 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

int cleanup_stale_segments() {
  DIR* d = ::opendir("/dev/shm");
  if (!d) return 0;
  int removed = 0;
  while (const dirent* e = ::readdir(d)) {
    const uint32_t pid = owner_pid(e->d_name);
    if (pid && !pid_alive(pid)) {
      const std::string name = std::string("/") + e->d_name;
      if (::shm_unlink(name.c_str()) == 0) ++removed;
    }
  }
  ::closedir(d);
  return removed;
}

uint32_t read_service_pid(const std::string& name, std::string& err) {
  const std::string path = "/" + (name.empty() || name[0] != '/' ? name : name.substr(1));
  const int fd = ::shm_open(path.c_str(), O_RDONLY, 0);
  if (fd < 0) {
    err = "no predictor service segment '" + name + "': " + std::strerror(errno);
    return 0;
  }
  uint8_t hdr[kServiceSegmentBytes] = {};
  const ssize_t n = ::pread(fd, hdr, sizeof(hdr), 0);
  ::close(fd);
  uint32_t version = 0, kind = 0, pid = 0;
  if (n == ssize_t(sizeof(hdr))) {
    std::memcpy(&version, hdr + kOffVersion, 4);
    std::memcpy(&kind, hdr + kOffKind, 4);
    std::memcpy(&pid, hdr + kOffServicePid, 4);
  }
  if (n != ssize_t(sizeof(hdr)) || std::memcmp(hdr, kMagic, 8) != 0 || kind != kKindService) {
    err = "'" + name + "' is not a predictor service segment";
    return 0;
  }
  if (version != kVersion) {
    err = "the service speaks protocol version " + std::to_string(version) + ", the engine " +
          std::to_string(kVersion);
    return 0;
  }
  if (!pid_alive(pid)) {
    err = "the service of '" + name + "' (pid " + std::to_string(pid) + ") is gone";
    return 0;
  }
  return pid;
}

}  // namespace shm

using namespace shm;

uint32_t ShmChannel::load32(size_t off) const {
  return std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(base_ + off))
      .load(std::memory_order_acquire);
}
void ShmChannel::store32(size_t off, uint32_t v) {
  std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(base_ + off))
      .store(v, std::memory_order_release);
}
uint64_t ShmChannel::load64(size_t off) const {
  return std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(base_ + off))
      .load(std::memory_order_acquire);
}
void ShmChannel::store64(size_t off, uint64_t v) {
  std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(base_ + off))
      .store(v, std::memory_order_release);
}

std::unique_ptr<ShmChannel> ShmChannel::create(int maxCtus, uint32_t servicePid, std::string& err) {
  if (maxCtus < 1) {
    err = "a channel needs room for at least one CTU";
    return nullptr;
  }
  const Layout lay = Layout::for_ctus(maxCtus);
  std::random_device rd;
  std::mt19937_64 rng((uint64_t(rd()) << 32) ^ rd() ^ uint64_t(::getpid()));
  int fd = -1;
  std::string name;
  for (int attempt = 0; attempt < 8 && fd < 0; ++attempt) {
    char tag[17];
    std::snprintf(tag, sizeof(tag), "%016llx", static_cast<unsigned long long>(rng()));
    name = "vtm-accel-" + std::to_string(::getpid()) + "-" + tag;
    fd = ::shm_open(("/" + name).c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    err = std::string("cannot create a shared-memory segment: ") + std::strerror(errno);
    return nullptr;
  }
  ::fchmod(fd, 0600);  // whatever the umask
  if (::ftruncate(fd, static_cast<off_t>(lay.total)) != 0) {
    err = std::string("cannot size the shared-memory segment: ") + std::strerror(errno);
    ::close(fd);
    ::shm_unlink(("/" + name).c_str());
    return nullptr;
  }
  void* p = ::mmap(nullptr, lay.total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) {
    err = std::string("cannot map the shared-memory segment: ") + std::strerror(errno);
    ::shm_unlink(("/" + name).c_str());
    return nullptr;
  }
  std::unique_ptr<ShmChannel> ch(new ShmChannel());
  ch->name_ = name;
  ch->base_ = static_cast<uint8_t*>(p);
  ch->layout_ = lay;
  uint8_t* b = ch->base_;
  auto put32 = [b](size_t off, uint32_t v) { std::memcpy(b + off, &v, 4); };
  std::memcpy(b + kOffMagic, kMagic, 8);
  put32(kOffVersion, kVersion);
  put32(kOffKind, kKindChannel);
  put32(kOffHeaderBytes, kHeaderBytes);
  put32(kOffCtuSize, kCtuSize);
  put32(kOffMapSize, kMapSize);
  put32(kOffNumMaps, kNumMaps);
  put32(kOffMaxCtus, static_cast<uint32_t>(maxCtus));
  put32(kOffOwnerPid, static_cast<uint32_t>(::getpid()));
  const uint64_t total = lay.total;
  std::memcpy(b + kOffSegmentBytes, &total, 8);
  put32(kOffServicePid, servicePid);
  ch->store32(kOffFlags, kFlagReady);  // last: the header is complete
  return ch;
}

ShmChannel::~ShmChannel() {
  if (base_) {
    set_closing();
    ::munmap(base_, layout_.total);
    ::shm_unlink(("/" + name_).c_str());
  }
}

void ShmChannel::set_closing() {
  if (base_) store32(kOffFlags, kFlagReady | kFlagClosing);
}

uint64_t ShmChannel::submit(int64_t pictureId, int sliceType, int qp, int numCtus, bool hasCue,
                            int picW, int picH, int temporalId) {
  uint8_t* r = base_ + kOffRequest;
  const uint32_t v[7] = {static_cast<uint32_t>(sliceType), static_cast<uint32_t>(qp),
                         static_cast<uint32_t>(numCtus),   hasCue ? 1u : 0u,
                         static_cast<uint32_t>(picW),      static_cast<uint32_t>(picH),
                         static_cast<uint32_t>(temporalId)};
  std::memcpy(r, &pictureId, 8);
  std::memcpy(r + 8, v, sizeof(v));
  store64(kOffRequestSeq, ++seq_);  // release: the request data is visible before the number
  return seq_;
}

ShmChannel::Wait ShmChannel::wait(uint64_t seq, int64_t pictureId, int numCtus, int timeoutMs,
                                  const std::function<bool()>& alive, std::string& msg) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  auto lastAlive = t0;
  long sleepNs = 0;
  for (int spins = 0;; ++spins) {
    if (load64(kOffResponseSeq) == seq) break;
    const auto now = Clock::now();
    if (now - t0 >= std::chrono::milliseconds(timeoutMs)) return Wait::kTimeout;
    if (now - lastAlive >= std::chrono::milliseconds(10)) {
      lastAlive = now;
      if (alive && !alive()) {
        // One last look: the answer may have landed just before the service exited.
        if (load64(kOffResponseSeq) == seq) break;
        return Wait::kDead;
      }
    }
    if (spins < 200) continue;                                    // a short spin for fast answers
    sleepNs = sleepNs ? std::min(sleepNs * 2, 1000000L) : 1000L;  // backoff up to 1 ms
    const timespec ts{0, sleepNs};
    ::nanosleep(&ts, nullptr);
  }
  const uint8_t* r = base_ + kOffResponse;
  int64_t pid = 0;
  uint32_t status = 0, n = 0;
  std::memcpy(&pid, r, 8);
  std::memcpy(&status, r + 8, 4);
  std::memcpy(&n, r + 12, 4);
  if (status != kStatusOk || pid != pictureId || n != static_cast<uint32_t>(numCtus)) {
    char text[49] = {};
    std::memcpy(text, r + 16, 48);
    msg = status != kStatusOk ? std::string(text)
                              : "the answer does not match the request (picture " +
                                    std::to_string(pid) + ", " + std::to_string(n) + " CTUs)";
    return Wait::kError;
  }
  return Wait::kOk;
}

}  // namespace vvc
