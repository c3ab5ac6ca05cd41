#include "linuxns/run.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "linuxns/child_process.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"

namespace linuxns {
namespace {

// One captured stream: the read end of its pipe (empty once at end of file)
// and where its text goes.
struct Capture {
  const char* name;  // "stdout" or "stderr"
  UniqueFd fd;
  std::string* text;
  bool* truncated;
};

const char* StdioName(Stdio mode) {
  switch (mode) {
    case Stdio::kInherit:
      return "Stdio::kInherit";
    case Stdio::kNull:
      return "Stdio::kNull";
    case Stdio::kPipe:
      return "Stdio::kPipe";
  }
  return "?";
}

// Checks the mode of stream `target` ("stdout" 1 or "stderr" 2) against the
// capture asked for, and makes a captured one a pipe.
absl::Status PrepareStream(bool capture, Stdio& mode, const std::vector<FdMapping>& fds, int target,
                           absl::string_view name) {
  if (!capture) {
    if (mode != Stdio::kPipe) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat("Run: SpawnOptions::", name, "_mode is Stdio::kPipe but RunOptions::capture_",
                     name, " is false: nothing would read the pipe (set capture_", name, ")"));
  }
  if (mode != Stdio::kInherit && mode != Stdio::kPipe) {
    return absl::InvalidArgumentError(
        absl::StrCat("Run: RunOptions::capture_", name, " needs SpawnOptions::", name,
                     "_mode Stdio::kInherit or Stdio::kPipe, not ", StdioName(mode)));
  }
  for (const FdMapping& m : fds) {
    if (m.target == target) {
      return absl::InvalidArgumentError(absl::StrCat("Run: RunOptions::capture_", name,
                                                     " with a SpawnOptions::fds entry onto ",
                                                     target, " (", name, ")"));
    }
  }
  mode = Stdio::kPipe;
  return absl::OkStatus();
}

// A point in time on the monotonic clock, with "never".
class Deadline {
 public:
  explicit Deadline(std::optional<absl::Duration> timeout)
      : start_(std::chrono::steady_clock::now()),
        timeout_(timeout.value_or(absl::InfiniteDuration())) {}
  bool infinite() const { return timeout_ == absl::InfiniteDuration(); }
  // What is left; never negative.
  absl::Duration Remaining() const {
    if (infinite()) return absl::InfiniteDuration();
    const absl::Duration left =
        timeout_ - absl::FromChrono(std::chrono::steady_clock::now() - start_);
    return std::max(left, absl::ZeroDuration());
  }
  bool Expired() const { return !infinite() && Remaining() == absl::ZeroDuration(); }

 private:
  std::chrono::steady_clock::time_point start_;
  absl::Duration timeout_;
};

// Reads what is ready on `c`; at end of file closes it.
absl::Status ReadSome(Capture& c, std::size_t limit, char* buf, std::size_t size) {
  const ssize_t n = ::read(c.fd.get(), buf, size);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return absl::OkStatus();
    return ErrnoError(errno, absl::StrCat("Run: read the child's ", c.name));
  }
  if (n == 0) {
    c.fd.reset();
    return absl::OkStatus();
  }
  const auto got = static_cast<std::size_t>(n);
  const std::size_t room = limit - std::min(limit, c.text->size());
  c.text->append(buf, std::min(got, room));
  if (got > room) *c.truncated = true;
  return absl::OkStatus();
}

// Reads every open stream of `streams` until each is at end of file, or
// until the deadline (then OK with `expired` set).
absl::Status Drain(Capture (&streams)[2], std::size_t limit, const Deadline& deadline,
                   bool& expired) {
  constexpr std::size_t kBufferSize = std::size_t{64} * 1024;
  std::unique_ptr<char[]> buf;
  for (;;) {
    pollfd pfds[2];
    Capture* which[2];
    nfds_t count = 0;
    for (Capture& c : streams) {
      if (!c.fd) continue;
      pfds[count] = pollfd{c.fd.get(), POLLIN, 0};
      which[count++] = &c;
    }
    if (count == 0) return absl::OkStatus();
    if (!buf) buf = std::make_unique<char[]>(kBufferSize);
    timespec ts{};
    const timespec* timeout = nullptr;
    if (!deadline.infinite()) {
      const absl::Duration left = deadline.Remaining();
      if (left == absl::ZeroDuration()) {
        expired = true;
        return absl::OkStatus();
      }
      ts = absl::ToTimespec(left);
      timeout = &ts;
    }
    const int ready = ::ppoll(pfds, count, timeout, nullptr);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, "Run: poll the child's output");
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (pfds[i].revents == 0) continue;
      LINUXNS_RETURN_IF_ERROR(ReadSome(*which[i], limit, buf.get(), kBufferSize));
    }
  }
}

}  // namespace

absl::StatusOr<RunResult> Run(SpawnOptions options, const RunOptions& run) {
  if (run.timeout.has_value() && *run.timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Run: negative timeout ", absl::FormatDuration(*run.timeout)));
  }
  LINUXNS_RETURN_IF_ERROR(
      PrepareStream(run.capture_stdout, options.stdout_mode, options.fds, 1, "stdout"));
  LINUXNS_RETURN_IF_ERROR(
      PrepareStream(run.capture_stderr, options.stderr_mode, options.fds, 2, "stderr"));
  const Deadline deadline(run.timeout);
  // From here on, every return destroys `child`, which kills and reaps a
  // child not yet waited for, and closes the pipes not yet closed.
  LINUXNS_ASSIGN_OR_RETURN(ChildProcess child, ChildProcess::Spawn(options));
  // No input is sent: the child reads end of file at once.
  child.TakeStdin().reset();

  RunResult result;
  Capture streams[2] = {
      {"stdout", child.TakeStdout(), &result.stdout_text, &result.stdout_truncated},
      {"stderr", child.TakeStderr(), &result.stderr_text, &result.stderr_truncated},
  };
  bool expired = false;
  LINUXNS_RETURN_IF_ERROR(Drain(streams, run.capture_limit, deadline, expired));

  std::optional<ExitStatus> status;
  if (!expired) {
    if (deadline.infinite()) {
      LINUXNS_ASSIGN_OR_RETURN(status, child.Wait());
    } else {
      LINUXNS_ASSIGN_OR_RETURN(status, child.WaitFor(deadline.Remaining()));
    }
  }
  if (status.has_value()) {
    result.exit_status = *status;
    return result;
  }

  const std::string command = options.argv.empty() ? "the command" : options.argv[0];
  const std::string timeout = absl::FormatDuration(run.timeout.value_or(absl::ZeroDuration()));
  // At the deadline: the child runs still, or it ended right then, or it
  // ended before and a process it left holds its output open.
  LINUXNS_ASSIGN_OR_RETURN(std::optional<ExitStatus> ended, child.WaitFor(absl::ZeroDuration()));
  if (ended.has_value() && !expired) {
    result.exit_status = *ended;
    return result;
  }
  if (ended.has_value()) {
    return absl::DeadlineExceededError(absl::StrCat("Run: ", command, " ", ended->ToString(),
                                                    ", but its output was still open after ",
                                                    timeout, " (a process it left holds it)"));
  }
  // ESRCH here means it ended meanwhile; Wait() reaps it either way.
  static_cast<void>(child.Signal(SIGKILL));
  LINUXNS_ASSIGN_OR_RETURN(ExitStatus killed, child.Wait());
  return absl::DeadlineExceededError(absl::StrCat("Run: ", command, " did not end within ", timeout,
                                                  "; sent SIGKILL: ", killed.ToString()));
}

}  // namespace linuxns
