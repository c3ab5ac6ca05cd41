// Shared by the example tools: the util-linux conventions for errors, exit
// codes and signals, on top of the public linuxns headers.
#ifndef LINUXNS_EXAMPLES_TOOL_COMMON_H_
#define LINUXNS_EXAMPLES_TOOL_COMMON_H_

#include <nss.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "linuxns/child_process.h"
#include "linuxns/exit_status.h"
#include "linuxns/unique_fd.h"

namespace linuxns::tools {

// Exit codes, as util-linux documents them.
inline constexpr int kExitFailure = 1;  // usage and setup errors
inline constexpr int kExitNotExecutable = 126;
inline constexpr int kExitNotFound = 127;

// A usage error from an option parser: "tool: message" and the hint to run
// --help, on stderr. Returns kExitFailure.
int ReportUsageError(absl::string_view tool, const absl::Status& error);

// A failure: "tool: message" on stderr. Returns the exit code for it: 127 for
// a command that was not found, 126 for one that could not be executed, 1
// otherwise.
int ReportFailure(absl::string_view tool, const absl::Status& error);

// True (after saying why on stderr) when the program runs in the kernel's
// secure-execution mode (getauxval(AT_SECURE)): set-user-ID, set-group-ID or
// with file capabilities that raised its privileges. The tools refuse it: they
// act on whatever paths, processes and patterns their caller names.
bool RefuseSetId(absl::string_view tool);

// Call first in main(), as util-linux's close_stdout(): at exit, when writing
// or closing stdout failed (a full disk, /dev/full, a closed descriptor),
// prints "tool: write error: <reason>" on stderr and exits 1 instead of the
// status main() returned. A reader that went away (EPIPE) is not an error. A
// failed close of stderr also makes the status 1, silently. `tool` must
// outlive the program (a string literal).
void CloseStdoutAtExit(const char* tool);

// The shell to run when no command is given, as util-linux's
// ul_default_shell(): SHELL of the environment the command will get (`env`,
// or this process's when nullopt), then the user's login shell, then /bin/sh.
std::string DefaultShell(const std::optional<std::vector<std::string>>& env);

// For --verbose: one line per type in `types` on stderr, the caller's
// namespace and the child's as the child recorded it before its exec
// (spawned with SpawnOptions::record_namespaces; "?" where it could not):
// "tool: net: net:[4026531833] -> net:[4026532301]".
void PrintNamespaces(absl::string_view tool, const ChildProcess& child, NsTypeSet types);

// Passes the signals this process receives on to a child, none lost. Made
// before the spawn: it blocks the signals (the library empties the child's
// signal mask) and opens a signalfd for them, so that when it cannot be made
// (no descriptor left, say) the command has not been started.
//
//   absl::StatusOr<SignalForwarder> forwarder = SignalForwarder::Create({SIGTERM});
//   if (!forwarder.ok()) return ReportFailure(tool, forwarder.status());
//   absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(options);
//   ...
//   absl::StatusOr<ExitStatus> status = forwarder->Wait(*child);
class SignalForwarder {
 public:
  // Blocks `signals` in the calling thread and opens a close-on-exec signalfd
  // for them. Errors: "signalfd: <errno>" (EMFILE, ENFILE, ENOMEM).
  static absl::StatusOr<SignalForwarder> Create(std::initializer_list<int> signals);

  SignalForwarder(SignalForwarder&&) = default;
  SignalForwarder& operator=(SignalForwarder&&) = default;

  // Waits until `child` has ended, sending it each of the signals received
  // meanwhile, and reaps it.
  absl::StatusOr<ExitStatus> Wait(ChildProcess& child);

  // For a caller with a wait loop of its own: the signalfd, readable when a
  // signal is pending, and the next pending signal (0 when there is none).
  const UniqueFd& fd() const { return signals_; }
  int ReadSignal();

 private:
  explicit SignalForwarder(UniqueFd signals) : signals_(std::move(signals)) {}
  UniqueFd signals_;
};

// Ignores `ignored` signals in this process (the terminal sends those to the
// child's process group itself; ignoring them only now keeps them at their
// default action in the child), then waits for `child` with `forwarder`.
// Returns the child's shell code (its exit code, or 128 + signal), or 1 after
// reporting a failure.
int WaitForwardingSignals(absl::string_view tool, ChildProcess& child, SignalForwarder& forwarder,
                          std::initializer_list<int> ignored);

}  // namespace linuxns::tools

#endif  // LINUXNS_EXAMPLES_TOOL_COMMON_H_
