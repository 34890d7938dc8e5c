// The predictor service as a child process of the engine: started with posix_spawn, reaped
// with waitpid before the engine exits, so that its CPU time is part of the engine's process
// tree CPU time (the harness measures the engine with wait4).
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

namespace vvc {

class ServiceProcess {
 public:
  ServiceProcess() = default;
  ~ServiceProcess() { stop(5000); }
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  // Runs argv[0] (looked up in PATH) with argv; false + err when it cannot be started.
  bool spawn(const std::vector<std::string>& argv, std::string& err);
  // True while the child runs (reaps it, without blocking, once it has exited).
  bool alive();
  pid_t pid() const { return pid_; }
  // How the child ended ("exit status 1", "killed by signal 9"); "" while it runs.
  const std::string& exit_reason() const { return exitReason_; }
  // Waits up to graceMs for the child to exit by itself, then SIGTERM (1 s), then SIGKILL;
  // always reaps it.
  void stop(int graceMs);

 private:
  void reaped(int status);
  pid_t pid_ = -1;
  bool running_ = false;
  std::string exitReason_;
};

}  // namespace vvc
