// linuxns-init: the minimal init that linuxns puts in front of a command as
// PID 1 of a new pid namespace (docs/design.md, "The spawn path", step 5).
//
//   linuxns-init [--report-fd=N] [--] COMMAND [ARGS...]
//
// A process that is PID 1 of a pid namespace gets no signal it has no handler
// for (the kernel drops them, SIGKILL from an ancestor namespace aside), and
// every orphan of the namespace becomes its child. Most commands are written
// for neither. This program runs COMMAND as its only direct child and:
//
//   - keeps every signal blocked and reads SIGCHLD and the forwarded signals
//     (SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH) from a
//     signalfd; blocked signals are queued even for PID 1, since the kernel
//     never treats a blocked signal as ignored;
//   - forwards each forwarded signal to COMMAND (kill(pid, sig));
//   - reaps every child, orphans included, on each SIGCHLD;
//   - puts COMMAND in its own process group and, when stdin is a terminal,
//     makes that group the terminal's foreground group, so that an
//     interactive shell works;
//   - exits with COMMAND's exit code, or 128 + N when signal N killed it.
//     When PID 1 exits, the kernel kills what is left of the namespace.
//
// When it is not PID 1 it makes itself a child subreaper
// (PR_SET_CHILD_SUBREAPER), so that orphans of COMMAND are still its to reap.
//
// COMMAND's exec failure comes back over a close-on-exec pipe. With
// --report-fd=N it is then written to descriptor N as the 12-byte record of
// linuxns::child::SpawnReport (lib/child/spawn.h): {step = SpawnStep::kExec,
// index = 0, err = errno}, so that the library reports it as it reports its
// own exec failures; without it, a line goes to stderr. Either way the exit
// code is 127, or 126 for EACCES and ENOEXEC, as a shell's. When the exec
// succeeds, descriptor N is closed, so its reader sees end-of-file; COMMAND
// never inherits it.
//
// Errors of the init itself: one line "linuxns-init: what: strerror" on
// stderr and exit code 1 (usage errors: the complaint, then
// "Try 'linuxns-init --help' for more information.").
//
// Plain C++ and POSIX only (no exceptions, no iostreams, no Abseil): it is
// linked statically so that it starts fast and runs in any mount namespace,
// or from a sealed memfd, without a dynamic loader.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace {

constexpr char kName[] = "linuxns-init";

constexpr int kExitFailure = 1;
constexpr int kExitNotExecutable = 126;
constexpr int kExitNotFound = 127;

constexpr int kForwardedSignals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

// The layout of linuxns::child::SpawnReport in lib/child/spawn.h, which this
// program does not include (it is built apart from the library). The step is
// child::SpawnStep::kExec, whose value is fixed there for this reason;
// tests/init_test.cc compares the record byte for byte with the library's
// struct.
struct ExecReport {
  std::int32_t step;
  std::int32_t index;
  std::int32_t err;
};
static_assert(sizeof(ExecReport) == 12, "must match linuxns::child::SpawnReport");
constexpr std::int32_t kSpawnStepExec = 100;  // linuxns::child::SpawnStep::kExec, fixed

constexpr char kUsage[] =
    "\n"
    "Usage:\n"
    " linuxns-init [options] [--] <command> [<argument>...]\n"
    "\n"
    "Run a command as the child of a minimal init: meant to be PID 1 of a new\n"
    "pid namespace. It forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1,\n"
    "SIGUSR2 and SIGWINCH to the command, reaps orphans, gives the command the\n"
    "terminal's foreground, and exits with the command's exit code (128+N for\n"
    "death by signal N).\n"
    "\n"
    "Options:\n"
    "     --report-fd=<fd>  write the command's exec failure to <fd> as a\n"
    "                       linuxns spawn report; close <fd> once it runs\n"
    " -h, --help            display this help\n"
    "\n"
    "Exit status: the command's, 126 or 127 if it could not be executed,\n"
    "1 for an error of linuxns-init itself.\n";

// Writes all of `text` to `fd`, retrying short writes; errors are dropped
// (there is nowhere left to report them).
void WriteAll(int fd, const char* text, std::size_t len) {
  while (len > 0) {
    ssize_t n = ::write(fd, text, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text += n;
    len -= static_cast<std::size_t>(n);
  }
}

// One line on stderr made of `parts` (null pointers skipped), written with a
// single write(2) so that it is not interleaved with the command's output.
void SayLine(std::initializer_list<const char*> parts) {
  char line[1024];
  std::size_t len = 0;
  for (const char* part : parts) {
    if (part == nullptr) continue;
    std::size_t n = std::strlen(part);
    if (n > sizeof line - 1 - len) n = sizeof line - 1 - len;
    // `line` is written by length, never read as a C string.
    std::memcpy(line + len, part, n);  // NOLINT(bugprone-not-null-terminated-result)
    len += n;
  }
  line[len++] = '\n';
  WriteAll(STDERR_FILENO, line, len);
}

// "linuxns-init: what: strerror(err)"; returns the exit code for it.
int Fail(const char* what, int err) {
  SayLine({kName, ": ", what, ": ", std::strerror(err)});
  return kExitFailure;
}

int UsageError(const char* complaint, const char* arg, const char* closing) {
  SayLine({kName, ": ", complaint, arg, closing});
  SayLine({"Try '", kName, " --help' for more information."});
  return kExitFailure;
}

struct Options {
  int report_fd = -1;
  const char* report_fd_arg = nullptr;  // as given: "--report-fd=N"
  char** command = nullptr;             // null-terminated, as execvp wants it
  bool help = false;
};

// Parses "N" into a descriptor number of 3 or more (0, 1 and 2 are the
// command's stdio: init must not close them). False if it is not one.
bool ParseFd(const char* text, int* fd) {
  if (*text < '0' || *text > '9') return false;
  errno = 0;
  char* end = nullptr;
  long value = std::strtol(text, &end, 10);
  if (errno != 0 || *end != '\0' || value < 3 || value > INT_MAX) return false;
  *fd = static_cast<int>(value);
  return true;
}

// Parses the command line; on a usage error, says so and returns false with
// *exit_code set.
bool ParseArgs(int argc, char** argv, Options* options, int* exit_code) {
  constexpr char kReportFd[] = "--report-fd=";
  int i = 1;
  for (; i < argc; ++i) {
    const char* arg = argv[i];
    if (std::strcmp(arg, "--") == 0) {
      ++i;
      break;
    }
    if (std::strcmp(arg, "-h") == 0 || std::strcmp(arg, "--help") == 0) {
      options->help = true;
      return true;
    }
    if (std::strncmp(arg, kReportFd, sizeof kReportFd - 1) == 0) {
      options->report_fd_arg = arg;
      if (!ParseFd(arg + sizeof kReportFd - 1, &options->report_fd)) {
        *exit_code = UsageError("invalid report descriptor '", arg + sizeof kReportFd - 1,
                                "' (a number of 3 or more)");
        return false;
      }
      continue;
    }
    if (std::strcmp(arg, "--report-fd") == 0) {
      *exit_code = UsageError("option '--report-fd' requires an argument: --report-fd=N", "", "");
      return false;
    }
    if (arg[0] == '-' && arg[1] == '-') {
      *exit_code = UsageError("unrecognized option '", arg, "'");
      return false;
    }
    if (arg[0] == '-' && arg[1] != '\0') {
      const char letter[2] = {arg[1], '\0'};
      *exit_code = UsageError("invalid option -- '", letter, "'");
      return false;
    }
    break;  // the command
  }
  if (i >= argc) {
    *exit_code = UsageError("no command specified", "", "");
    return false;
  }
  options->command = argv + i;
  return true;
}

// The exit code of a process that ended with wait status `status`.
int ShellCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return kExitFailure;
}

int ExecFailureCode(int err) {
  return err == EACCES || err == ENOEXEC ? kExitNotExecutable : kExitNotFound;
}

// In the forked child: becomes the command, or writes errno to `exec_pipe`
// and exits 127.
[[noreturn]] void RunCommand(char** command, int exec_pipe) {
  // A new child is never a session leader, so this cannot fail.
  ::setpgid(0, 0);
  // Done here rather than in init after the fork, as tini does: init would
  // race with the exec, and could take the terminal back from a job the
  // command's shell had already put in the foreground. Ignoring SIGTTOU lets
  // a background process group take the terminal.
  if (::isatty(STDIN_FILENO) == 1) {
    struct sigaction ignore = {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGTTOU, &ignore, nullptr);
    // ENOTTY: stdin is a terminal but not our controlling one (after setsid,
    // say); the command then runs without job control, as it would anyway.
    if (::tcsetpgrp(STDIN_FILENO, ::getpgrp()) != 0 && errno != ENOTTY) {
      SayLine({kName, ": warning: tcsetpgrp: ", std::strerror(errno)});
    }
  }
  struct sigaction fallback = {};
  fallback.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    // SIGKILL, SIGSTOP and glibc's reserved real-time signals say EINVAL.
    ::sigaction(sig, &fallback, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execvp(command[0], command);
  int err = errno;
  WriteAll(exec_pipe, reinterpret_cast<const char*>(&err), sizeof err);
  ::_exit(kExitNotFound);
}

// Waits for the child `pid` (which has exited or is about to).
void Reap(pid_t pid) {
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// Reaps every child that has exited. Sets *command_status and returns true
// once `command` is among them.
bool ReapExited(pid_t command, int* command_status) {
  bool command_exited = false;
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      if (pid == command) {
        *command_status = status;
        command_exited = true;
      }
      continue;
    }
    if (pid < 0 && errno == EINTR) continue;
    // 0: children left, none exited; ECHILD: no children at all.
    return command_exited;
  }
}

int Run(const Options& options) {
  // Marked close-on-exec before the fork, so the command never inherits it.
  if (options.report_fd >= 0) {
    int flags = ::fcntl(options.report_fd, F_GETFD);
    if (flags < 0 || ::fcntl(options.report_fd, F_SETFD, flags | FD_CLOEXEC) < 0) {
      return Fail(options.report_fd_arg, errno);
    }
  }

  sigset_t all;
  sigfillset(&all);
  if (::sigprocmask(SIG_SETMASK, &all, nullptr) != 0) return Fail("sigprocmask", errno);
  sigset_t watched;
  sigemptyset(&watched);
  sigaddset(&watched, SIGCHLD);
  for (int sig : kForwardedSignals) sigaddset(&watched, sig);
  int signal_fd = ::signalfd(-1, &watched, SFD_CLOEXEC);
  if (signal_fd < 0) return Fail("signalfd", errno);

  // As PID 1 the kernel hands us the namespace's orphans; elsewhere we ask
  // for the command's.
  if (::getpid() != 1 && ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    return Fail("prctl PR_SET_CHILD_SUBREAPER", errno);
  }

  int exec_pipe[2];
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) return Fail("pipe2", errno);
  pid_t command = ::fork();
  if (command < 0) return Fail("fork", errno);
  if (command == 0) RunCommand(options.command, exec_pipe[1]);
  ::close(exec_pipe[1]);

  // End-of-file: the exec happened. Every signal is blocked, so nothing
  // interrupts this read; signals that arrive meanwhile wait in signal_fd.
  int exec_errno = 0;
  ssize_t got;
  do {
    got = ::read(exec_pipe[0], &exec_errno, sizeof exec_errno);
  } while (got < 0 && errno == EINTR);
  if (got < 0) return Fail("read exec status", errno);
  ::close(exec_pipe[0]);
  if (got > 0) {
    Reap(command);
    if (got != sizeof exec_errno) exec_errno = EIO;  // the child died mid-write
    if (options.report_fd >= 0) {
      const ExecReport report = {kSpawnStepExec, 0, exec_errno};
      WriteAll(options.report_fd, reinterpret_cast<const char*>(&report), sizeof report);
    } else {
      SayLine({kName, ": failed to execute ", options.command[0], ": ", std::strerror(exec_errno)});
    }
    return ExecFailureCode(exec_errno);
  }
  if (options.report_fd >= 0) ::close(options.report_fd);

  for (;;) {
    signalfd_siginfo infos[8];
    ssize_t n = ::read(signal_fd, infos, sizeof infos);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail("read signalfd", errno);
    }
    for (std::size_t i = 0; i < static_cast<std::size_t>(n) / sizeof infos[0]; ++i) {
      const int sig = static_cast<int>(infos[i].ssi_signo);
      if (sig != SIGCHLD) {
        // ESRCH cannot happen (the command is ours until we reap it), and a
        // failed forward leaves nothing to do but go on.
        ::kill(command, sig);
        continue;
      }
      // SIGCHLD is a standard signal: several exits may have merged into one.
      int status = 0;
      if (ReapExited(command, &status)) return ShellCode(status);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Run from a memfd, the name would be "memfd:linuxns-init".
  ::prctl(PR_SET_NAME, "linuxns-init", 0, 0, 0);
  Options options;
  int exit_code = 0;
  if (!ParseArgs(argc, argv, &options, &exit_code)) return exit_code;
  if (options.help) {
    WriteAll(STDOUT_FILENO, kUsage, sizeof kUsage - 1);
    return 0;
  }
  return Run(options);
}
