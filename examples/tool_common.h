// Shared by the example tools: the util-linux conventions for errors, exit
// codes and signals, on top of the public linuxns headers.
#ifndef LINUXNS_EXAMPLES_TOOL_COMMON_H_
#define LINUXNS_EXAMPLES_TOOL_COMMON_H_

#include <nss.h>

#include <initializer_list>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "linuxns/child_process.h"
#include "linuxns/exit_status.h"

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

// Call first in main(). In a fully static tool (LINUXNS_FULLY_STATIC, set by
// examples/CMakeLists.txt for an optimized STATIC tool), user and group names
// come from /etc/passwd and /etc/group only: glibc's static NSS would load
// any other module of nsswitch.conf (libnss_systemd on Debian) into a program
// that has no shared libc, and crash in it on a name the files lack.
// Elsewhere it does nothing: NSS works as configured.
inline void UseOnlyFilesForNamesIfStatic() {
#ifdef LINUXNS_FULLY_STATIC
  __nss_configure_lookup("passwd", "files");
  __nss_configure_lookup("group", "files");
#endif
}

// For --verbose: one line per type in `types` on stderr, the caller's
// namespace and the child's ("tool: net: net:[4026531833] -> net:[4026532301]").
void PrintNamespaces(absl::string_view tool, const ChildProcess& child, NsTypeSet types);

// Waits for `child`, forwarding each of `forwarded` signals that this process
// receives meanwhile to it, and ignoring `ignored` ones (the terminal sends
// those to the child's process group itself). Returns the child's shell code
// (its exit code, or 128 + signal), or 1 after reporting a failure.
int WaitForwardingSignals(absl::string_view tool, ChildProcess& child,
                          std::initializer_list<int> forwarded, std::initializer_list<int> ignored);

}  // namespace linuxns::tools

#endif  // LINUXNS_EXAMPLES_TOOL_COMMON_H_
