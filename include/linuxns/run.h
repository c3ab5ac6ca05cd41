// linuxns/run.h: spawn a command, wait for it, and collect its output.
//
// Run() is ChildProcess::Spawn() and Wait() in one call, optionally with the
// child's stdout and stderr collected into strings: what Python's
// subprocess.run() is for a command in new or joined namespaces.
//
//   linuxns::SpawnOptions options;
//   options.argv = {"hostname"};
//   options.new_namespaces = {linuxns::NsType::kUts};
//   options.hostname = "box";
//   LINUXNS_ASSIGN_OR_RETURN(linuxns::RunResult r,
//                            linuxns::Run(options, {.capture_stdout = true}));
//   // r.exit_status.success(), r.stdout_text == "box\n"
//
// Output: a captured stream is a pipe (Stdio::kPipe) whose read end Run()
// drains while the child runs; stdout and stderr are read together (poll(2)),
// so a child that fills one pipe while Run() waits on the other cannot block
// either. At most RunOptions::capture_limit bytes of each stream are kept
// (16 MiB by default); what comes after is still read, so the child never
// blocks on a full pipe, but thrown away, and the stream's `*_truncated` flag
// says so. Run() returns once the child has exited and both streams have
// reached end of file: a process the child left behind holding the pipe
// open keeps Run() waiting (until the timeout, if one was given), as with
// subprocess.run().
//
// Streams not captured are as SpawnOptions says (kInherit: the caller's).
// capture_stdout or capture_stderr needs that stream's mode to be kInherit
// (the default; Run() turns it into kPipe) or kPipe, and no SpawnOptions::fds
// entry onto it; a stream left in kPipe without capture would have no reader
// and is refused too. stdin in kPipe gives the child end of file at once
// (Run() closes the write end; no input is sent).
//
// Timeout: with RunOptions::timeout, a child still running (or a stream
// still open) when it expires is killed with SIGKILL through its pidfd and
// reaped, and Run() returns DeadlineExceeded naming the timeout; the output
// read so far is dropped. Killing a PID 1 of a new pid namespace kills every
// process of that namespace; otherwise the child's own children live on.
//
// Errors: InvalidArgument for a capture the stream modes do not allow (before
// any system call); every error of ChildProcess::Spawn() as it gives it (a
// command that could not be started carries its SpawnFailure: step and
// errno, linuxns/spawn_failure.h); the errno of poll(2) or read(2) on the
// pipes, or of waiting for the child; DeadlineExceeded as above. Whatever the
// error, the child is killed and reaped (no zombie) and every descriptor Run()
// made is closed before it returns. A host that runs its own waitpid(-1)
// reaper can take the exit status of a command (see ChildProcess::Wait()).
//
// Thread-safety: Run() may be called from any thread, concurrently; it blocks
// the calling thread until the child is gone. It raises no signal in the
// host (it writes nothing to the child). Not async-signal-safe. Needs what
// ChildProcess needs (Linux 5.3).
#ifndef LINUXNS_RUN_H_
#define LINUXNS_RUN_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "linuxns/exit_status.h"
#include "linuxns/export.h"
#include "linuxns/spawn_options.h"

namespace linuxns {

// RunOptions: what Run() collects and how long it waits.
struct LINUXNS_EXPORT RunOptions {
  // The default capture_limit: 16 MiB per stream.
  static constexpr std::size_t kDefaultCaptureLimit = std::size_t{16} << 20;

  // Collect the child's stdout into RunResult::stdout_text.
  bool capture_stdout = false;
  // Collect the child's stderr into RunResult::stderr_text.
  bool capture_stderr = false;
  // The most bytes kept of each captured stream; the rest is read and
  // discarded, and the stream's *_truncated flag is set. 0 keeps nothing.
  std::size_t capture_limit = kDefaultCaptureLimit;
  // Kill (SIGKILL) and reap the child if it has not ended, and closed its
  // captured streams, within this time from the call of Run(); std::nullopt
  // (or absl::InfiniteDuration()) waits for ever. Must not be negative.
  std::optional<absl::Duration> timeout;
};

// RunResult: how the child ended, and what it wrote.
struct LINUXNS_EXPORT RunResult {
  // How the child ended (exit code, or the signal that killed it).
  ExitStatus exit_status = ExitStatus::Exited(0);
  // The captured stdout (at most capture_limit bytes); empty when not
  // captured.
  std::string stdout_text;
  // The captured stderr (at most capture_limit bytes); empty when not
  // captured.
  std::string stderr_text;
  // True when the child wrote more than capture_limit bytes to stdout.
  bool stdout_truncated = false;
  // True when the child wrote more than capture_limit bytes to stderr.
  bool stderr_truncated = false;
};

// Run()
//
// Spawns the command `options` describes, collects its output as `run` says,
// waits for it to end and returns how it ended; see the top of this file.
LINUXNS_EXPORT absl::StatusOr<RunResult> Run(SpawnOptions options, const RunOptions& run = {});

}  // namespace linuxns

#endif  // LINUXNS_RUN_H_
