#include "support/spawn_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "linuxns/status.h"
#include "support/status_matchers.h"

namespace linuxns::testing {

SpawnOptions Shell(const std::string& script) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", script};
  return o;
}

SpawnOptions Sleeper() {
  SpawnOptions o;
  o.argv = {"sleep", "60"};
  return o;
}

absl::StatusOr<Output> RunCapturingStdout(SpawnOptions o) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return ErrnoError(errno, "pipe2");
  UniqueFd read_end(p[0]), write_end(p[1]);
  o.fds.push_back(FdMapping{write_end.get(), 1});
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  write_end.reset();
  if (!child.ok()) return child.status();
  Output result;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(read_end.get(), buf, sizeof buf)) > 0) {
    result.out.append(buf, static_cast<std::size_t>(n));
  }
  result.status = child->Wait();
  return result;
}

std::string OutputOf(SpawnOptions o) {
  absl::StatusOr<Output> r = RunCapturingStdout(std::move(o));
  EXPECT_OK(r);
  if (!r.ok()) return "";
  EXPECT_THAT(r->status, IsOk());
  if (r->status.ok()) {
    EXPECT_EQ(*r->status, ExitStatus::Exited(0)) << r->out;
  }
  return r->out;
}

bool AwaitWorkingDirectory(pid_t pid, const std::string& want) {
  const std::string cwd = absl::StrCat("/proc/", pid, "/cwd");
  for (int i = 0; i < 5000; ++i) {
    char buf[PATH_MAX];
    const ssize_t n = ::readlink(cwd.c_str(), buf, sizeof buf);
    if (n > 0 && std::string(buf, static_cast<std::size_t>(n)) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

void AwaitNewImage(pid_t pid) {
  const std::string cmdline = absl::StrCat("/proc/", pid, "/cmdline");
  for (int i = 0; i < 5000; ++i) {
    std::ifstream in(cmdline);
    if (in.peek() != std::ifstream::traits_type::eof()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ADD_FAILURE() << cmdline << " stayed empty for 5 s";
}

int SpawnsGoneWrongBesideAMallocStorm(const SpawnOptions& options) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> busy;
  for (int i = 0; i < 16; ++i) {
    busy.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        std::vector<std::string> junk(64, std::string(100, 'x'));
      }
    });
  }
  // 2,000 by default; the presets ask for fewer (the sanitizers are ~5x
  // slower, the dev preset wants a quick run).
  const char* env = std::getenv("LINUXNS_STRESS_SPAWNS");
  const int spawns = env != nullptr ? std::atoi(env) : 2000;
  int wrong = 0;
  for (int i = 0; i < spawns; ++i) {
    absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(options);
    absl::StatusOr<ExitStatus> status =
        child.ok() ? child->Wait() : absl::StatusOr<ExitStatus>(child.status());
    if (!status.ok() || *status != ExitStatus::Exited(0)) ++wrong;
  }
  stop.store(true);
  for (std::thread& t : busy) t.join();
  return wrong;
}

}  // namespace linuxns::testing
