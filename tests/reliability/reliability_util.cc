#include "reliability/reliability_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "linuxns/child_process.h"
#include "linuxns/status.h"
#include "support/spawn_util.h"

namespace linuxns::testing {

ForkedReport RunForkedCheckingLeftovers(absl::FunctionRef<std::string()> fn) {
  return RunForkedAndReport([&] {
    const ProcessResources before = TakeSnapshot("");
    std::string out = fn();
    const std::string left = LeftoversSince(before);
    if (!left.empty()) absl::StrAppend(&out, "leftovers: ", left, "\n");
    return out;
  });
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

std::string Describe(const absl::Status& status) {
  if (status.ok()) return "OK";
  std::optional<int> err = ErrnoOf(status);
  return absl::StrCat(absl::StatusCodeToString(status.code()),
                      " errno=", err ? absl::StrCat(*err) : std::string("none"), ": ",
                      status.message());
}

namespace {

bool IsInitImage(const std::string& target) {
  return absl::StartsWith(target, "/memfd:linuxns-init");
}

}  // namespace

std::string Leftovers(const ProcessResources& before, const ProcessResources& after) {
  std::string out;
  for (const auto& [fd, target] : after.fds) {
    auto it = before.fds.find(fd);
    if (it == before.fds.end() && !IsInitImage(target)) {
      absl::StrAppend(&out, "fd ", fd, " opened (", target, "); ");
    }
  }
  for (const auto& [fd, target] : before.fds) {
    if (after.fds.find(fd) == after.fds.end()) {
      absl::StrAppend(&out, "fd ", fd, " closed (", target, "); ");
    }
  }
  for (pid_t pid : after.children) {
    if (before.children.count(pid) == 0) absl::StrAppend(&out, "child ", pid, " left; ");
  }
  if (after.mounts != before.mounts) {
    absl::StrAppend(&out, "mounts now ", absl::StrJoin(after.mounts, ","), "; ");
  }
  return out;
}

std::string LeftoversSince(const ProcessResources& before, const std::string& scratch) {
  ProcessResources after = TakeSnapshot(scratch);
  for (int i = 0; i < 100 && !Leftovers(before, after).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    after = TakeSnapshot(scratch);
  }
  return Leftovers(before, after);
}

int MountCount() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) ++n;
  return n;
}

std::int64_t StatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = absl::StrCat(field, ":");
  while (std::getline(in, line)) {
    if (!absl::StartsWith(line, prefix)) continue;
    std::string value = line.substr(prefix.size());
    std::int64_t kb = -1;
    std::string digits;
    for (char c : value) {
      if (c >= '0' && c <= '9') digits.push_back(c);
    }
    if (absl::SimpleAtoi(digits, &kb)) return kb;
  }
  return -1;
}

std::string Outcome(SpawnOptions options) {
  absl::StatusOr<Output> r = RunCapturingStdout(std::move(options));
  if (!r.ok()) return absl::StrCat("spawn: ", Describe(r.status()));
  if (!r->status.ok()) return absl::StrCat(r->out, "wait: ", Describe(r->status.status()));
  return absl::StrCat(r->out, "=> ", r->status->ToString());
}

SpawnOptions WithNewNamespaces(SpawnOptions options, NsTypeSet types) {
  options.new_namespaces = options.new_namespaces | types;
  if (!IsRoot()) options.MapCurrentUserToRoot();
  return options;
}

long EnvOr(const char* name, long fallback) {
  const char* v = std::getenv(name);
  long n = 0;
  if (v == nullptr || !absl::SimpleAtoi(v, &n) || n < 0) return fallback;
  return n;
}

}  // namespace linuxns::testing
