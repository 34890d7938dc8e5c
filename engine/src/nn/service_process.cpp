#include "nn/service_process.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace vvc {

bool ServiceProcess::spawn(const std::vector<std::string>& argv, std::string& err) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ);
  if (rc != 0) {
    err = "cannot start '" + argv[0] + "': " + std::strerror(rc);
    return false;
  }
  pid_ = pid;
  running_ = true;
  exitReason_.clear();
  return true;
}

void ServiceProcess::reaped(int status) {
  running_ = false;
  if (WIFEXITED(status))
    exitReason_ = "exit status " + std::to_string(WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    exitReason_ = "killed by signal " + std::to_string(WTERMSIG(status));
  else
    exitReason_ = "ended";
}

bool ServiceProcess::alive() {
  if (!running_) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) reaped(status);
  if (r < 0 && errno == ECHILD) {
    running_ = false;
    exitReason_ = "gone";
  }
  return running_;
}

void ServiceProcess::stop(int graceMs) {
  if (!running_) return;
  auto waitFor = [this](int ms) {
    for (int t = 0; t <= ms; t += 5) {
      if (!alive()) return true;
      const timespec ts{0, 5000000};
      ::nanosleep(&ts, nullptr);
    }
    return false;
  };
  if (waitFor(graceMs)) return;
  ::kill(pid_, SIGTERM);
  if (waitFor(1000)) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped(status);
}

}  // namespace vvc
