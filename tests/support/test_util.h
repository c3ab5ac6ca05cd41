// Test support: a fixture that proves nothing leaks, and helpers to run code
// in a forked child or with an extra thread.
#ifndef LINUXNS_TESTS_SUPPORT_TEST_UTIL_H_
#define LINUXNS_TESTS_SUPPORT_TEST_UTIL_H_

#include <sys/types.h>

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"
#include "gtest/gtest.h"

namespace linuxns::testing {

// What a test could leave behind in the test process.
struct ProcessResources {
  std::map<int, std::string> fds;   // open descriptor -> what it refers to
  std::set<pid_t> children;         // live or zombie children
  std::vector<std::string> mounts;  // mount points under the scratch dir
};

// Reads the current resources; `scratch` limits the mount check to one
// directory tree (mounts are machine-wide and CTest runs tests in parallel).
ProcessResources TakeSnapshot(const std::string& scratch);

// Base fixture: every test gets its own scratch directory and, after the test,
// an expectation that the same descriptors and children exist as before and
// that no mount is left under the scratch directory.
class LeakCheckedTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  const std::string& scratch() const { return scratch_; }

 private:
  std::string scratch_;
  ProcessResources before_;
};

// Runs `fn` in a forked child and returns what the child's exit status means:
// its exit code, or 128 + signal. `fn` returns the child's exit code. Use it
// for anything that changes the process (setns into user or time namespaces,
// dropping privileges). The child writes its failures to stderr.
int RunInForkedChild(absl::FunctionRef<int()> fn);

// What a forked child returned: its exit status (as RunInForkedChild gives it)
// and the text its function returned.
struct ForkedReport {
  int code = -1;
  std::string text;
};

// Runs `fn` in a forked child (single-threaded, so it may change its
// credentials, limits, seccomp filter or namespaces) and returns the text `fn`
// returned, so that a test can check the child's findings exactly. The child
// exits 0 after sending it.
ForkedReport RunForkedAndReport(absl::FunctionRef<std::string()> fn);

// In a forked child: drops every privilege (groups, gid, uid -> 65534) and
// sets the dumpable flag again, as an ordinary user's process has it. A
// process that is not root already is left as it is. Returns false with a message on stderr on
// failure.
bool DropToNobody();

// Whether the test process has root's effective uid.
bool IsRoot();

// Whether this build runs under AddressSanitizer or ThreadSanitizer (the
// tools of the build too): their runtimes reserve terabytes of shadow address
// space (no RLIMIT_AS fits) and need descriptors of their own (a tool run
// under a tiny RLIMIT_NOFILE can die inside the runtime, not in its code).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kUnderSanitizer = true;
#else
inline constexpr bool kUnderSanitizer = false;
#endif

// The mount point of the cgroup2 hierarchy, from /proc/self/mountinfo, or
// nullopt when none is mounted.
std::optional<std::string> Cgroup2Mount();

// Keeps one extra thread alive for its lifetime, to make the process
// multi-threaded.
class ExtraThread {
 public:
  ExtraThread();
  ~ExtraThread();

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// GTEST_SKIP() unless the process is root.
#define LINUXNS_SKIP_UNLESS_ROOT()   \
  if (!::linuxns::testing::IsRoot()) \
  GTEST_SKIP() << "needs root (CAP_SYS_ADMIN) in the initial user namespace"

}  // namespace linuxns::testing

#endif  // LINUXNS_TESTS_SUPPORT_TEST_UTIL_H_
