#include "tool_common.h"

#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio_ext.h>
#include <sys/auxv.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>

#include "linuxns/spawn_failure.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"

namespace linuxns::tools {
namespace {

const char* exit_tool = "";

// Closes `stream`; false when a write to it failed or closing it did (as
// gnulib's close_stream: EBADF only counts when output was pending). errno is
// the reason, or 0 when none is known.
bool CloseStream(std::FILE* stream) {
  const bool pending = ::__fpending(stream) != 0;
  const bool failed_before = std::ferror(stream) != 0;
  errno = 0;
  const bool close_failed = std::fclose(stream) != 0;
  if (failed_before || (close_failed && (pending || errno != EBADF))) {
    if (!close_failed) errno = 0;
    return false;
  }
  return true;
}

void CloseStdout() {
  if (!CloseStream(stdout) && errno != EPIPE) {
    if (errno != 0) {
      std::fprintf(stderr, "%s: write error: %s\n", exit_tool, std::strerror(errno));
    } else {
      std::fprintf(stderr, "%s: write error\n", exit_tool);
    }
    ::_exit(kExitFailure);
  }
  if (!CloseStream(stderr)) ::_exit(kExitFailure);
}

}  // namespace

void CloseStdoutAtExit(const char* tool) {
  exit_tool = tool;
  std::atexit(CloseStdout);
}

int ReportUsageError(absl::string_view tool, const absl::Status& error) {
  std::fprintf(stderr, "%.*s: %.*s\nTry '%.*s --help' for more information.\n",
               static_cast<int>(tool.size()), tool.data(), static_cast<int>(error.message().size()),
               error.message().data(), static_cast<int>(tool.size()), tool.data());
  return kExitFailure;
}

int ReportFailure(absl::string_view tool, const absl::Status& error) {
  std::fprintf(stderr, "%.*s: %.*s\n", static_cast<int>(tool.size()), tool.data(),
               static_cast<int>(error.message().size()), error.message().data());
  const std::optional<SpawnFailure> failure = SpawnFailureOf(error);
  const bool exec_failed = failure.has_value() && failure->step == SpawnStep::kExec;
  if (exec_failed && ErrnoOf(error) == ENOENT) return kExitNotFound;
  if (exec_failed) return kExitNotExecutable;
  return kExitFailure;
}

void PrintNamespaces(absl::string_view tool, const ChildProcess& child, NsTypeSet types) {
  for (NsType type : types) {
    absl::StatusOr<NsFd> ours = NsFd::OpenCurrent(type);
    const std::optional<NsId> theirs = child.NamespaceAtExec(type);
    std::fprintf(stderr, "%.*s: %s: %s -> %s\n", static_cast<int>(tool.size()), tool.data(),
                 std::string(NsTypeName(type)).c_str(),
                 ours.ok() ? ours->id().ToString().c_str() : "?",
                 theirs ? theirs->ToString().c_str() : "?");
  }
}

bool RefuseSetId(absl::string_view tool) {
  if (::getauxval(AT_SECURE) == 0) return false;
  std::fprintf(stderr,
               "%.*s: refusing to run set-user-ID, set-group-ID or with raised file capabilities\n",
               static_cast<int>(tool.size()), tool.data());
  return true;
}

absl::StatusOr<SignalForwarder> SignalForwarder::Create(std::initializer_list<int> signals) {
  sigset_t set;
  ::sigemptyset(&set);
  for (int sig : signals) ::sigaddset(&set, sig);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  UniqueFd fd(::signalfd(-1, &set, SFD_CLOEXEC));
  if (!fd) return ErrnoError(errno, "signalfd");
  return SignalForwarder(std::move(fd));
}

int SignalForwarder::ReadSignal() {
  signalfd_siginfo info;
  pollfd pending = {signals_.get(), POLLIN, 0};
  if (::poll(&pending, 1, 0) != 1 || ::read(signals_.get(), &info, sizeof info) != sizeof info) {
    return 0;
  }
  return static_cast<int>(info.ssi_signo);
}

absl::StatusOr<ExitStatus> SignalForwarder::Wait(ChildProcess& child) {
  for (;;) {
    pollfd fds[2] = {{child.pidfd().get(), POLLIN, 0}, {signals_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, "poll");
    }
    if (fds[1].revents & POLLIN) {
      if (const int sig = ReadSignal(); sig != 0) static_cast<void>(child.Signal(sig));
    }
    if (fds[0].revents & POLLIN) break;
  }
  return child.Wait();
}

int WaitForwardingSignals(absl::string_view tool, ChildProcess& child, SignalForwarder& forwarder,
                          std::initializer_list<int> ignored) {
  for (int sig : ignored) ::signal(sig, SIG_IGN);
  absl::StatusOr<ExitStatus> status = forwarder.Wait(child);
  if (!status.ok()) return ReportFailure(tool, status.status());
  return status->ShellCode();
}

std::string DefaultShell(const std::optional<std::vector<std::string>>& env) {
  std::optional<std::string> shell;
  if (env.has_value()) {
    for (const std::string& e : *env) {
      if (e.rfind("SHELL=", 0) == 0) shell = e.substr(6);  // the last one, as getenv's
    }
  } else if (const char* own = std::getenv("SHELL")) {
    shell = own;
  }
  if (shell.has_value() && !shell->empty()) return *shell;
  if (const passwd* pw = ::getpwuid(::getuid());
      pw != nullptr && pw->pw_shell != nullptr && pw->pw_shell[0] != '\0') {
    return pw->pw_shell;
  }
  return "/bin/sh";
}

}  // namespace linuxns::tools
