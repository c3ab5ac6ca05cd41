// Test support: spawning commands and reading what they print.
#ifndef LINUXNS_TESTS_SUPPORT_SPAWN_UTIL_H_
#define LINUXNS_TESTS_SUPPORT_SPAWN_UTIL_H_

#include <string>

#include "absl/status/statusor.h"
#include "linuxns/child_process.h"
#include "support/test_util.h"

namespace linuxns::testing {

// The fixture of the ChildProcess tests: LeakCheckedTest under its own name.
class ChildProcessTest : public LeakCheckedTest {};

// /bin/sh -c `script`.
SpawnOptions Shell(const std::string& script);

// A child that runs until killed (`sleep 60`), with nothing forked behind it
// that could keep the test runner's output pipe open.
SpawnOptions Sleeper();

// Waits (up to 5 s) until `pid` shows its new image: Spawn() returns once the
// exec is past its point of no return, and the kernel fills in the new
// program's /proc/PID/cmdline and environ a moment later. Tests that read
// them (or run a tool that does, such as lsns or nsenter -e) call this first.
void AwaitNewImage(pid_t pid);

// Waits (up to 5 s) until /proc/`pid`/cwd reads `want` (a command that
// changes directory after its exec); false if it never does.
bool AwaitWorkingDirectory(pid_t pid, const std::string& want);

struct Output {
  absl::StatusOr<ExitStatus> status;
  std::string out;
};

// Spawns with the child's stdout on a pipe; returns what it printed and how
// it ended.
absl::StatusOr<Output> RunCapturingStdout(SpawnOptions options);

// Spawns, and returns what the child printed; adds a test failure unless it
// exits 0.
std::string OutputOf(SpawnOptions options);

// Spawns `options` and waits, LINUXNS_STRESS_SPAWNS times (2,000 when it is
// not set), while 16 threads allocate and free without pause and so hold
// malloc's locks at random moments: a child that called malloc between
// clone and exec would hang now and then. Returns how many spawns did not
// exit 0.
int SpawnsGoneWrongBesideAMallocStorm(const SpawnOptions& options);

}  // namespace linuxns::testing

#endif  // LINUXNS_TESTS_SUPPORT_SPAWN_UTIL_H_
