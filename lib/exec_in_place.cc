#include "linuxns/exec_in_place.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "child/spawn.h"
#include "internal/clone.h"
#include "internal/kernel.h"
#include "internal/probe_util.h"
#include "internal/spawn_plan.h"
#include "linuxns/status.h"

namespace linuxns {
namespace {

constexpr absl::string_view kWhat = "exec in place";

// A forked helper that waits until we have unshared, then does from the
// parent namespaces what we no longer can: writes our user namespace's maps
// (privilege there), pins our new namespaces (in the original mount
// namespace); and tells us how it went.
class ParentSideHelper {
 public:
  absl::Status Start(const SpawnOptions& o, bool write_maps) {
    int go[2], done[2];
    if (::pipe2(go, O_CLOEXEC) != 0) return ErrnoError(errno, "pipe2");
    if (::pipe2(done, O_CLOEXEC) != 0) {
      const int err = errno;
      ::close(go[0]);
      ::close(go[1]);
      return ErrnoError(err, "pipe2");
    }
    go_.reset(go[1]);
    done_.reset(done[0]);
    UniqueFd go_read(go[0]), done_write(done[1]);
    const pid_t target = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) return ErrnoError(errno, "fork a helper");
    if (pid_ == 0) {
      // The process was single-threaded: allocating here is safe.
      char byte;
      if (::read(go_read.get(), &byte, 1) != 1) ::_exit(1);
      absl::Status written = write_maps ? internal::WriteMapsOf(target, o) : absl::OkStatus();
      if (written.ok() && !o.pins.empty()) {
        absl::StatusOr<PidFd> us = PidFd::Open(target);
        written = us.ok() ? internal::PinNamespacesOf(*us, o) : us.status();
      }
      std::string text(written.message());
      (void)!::write(done_write.get(), text.data(), text.size());
      ::_exit(written.ok() ? 0 : 1);
    }
    return absl::OkStatus();
  }

  // Lets the helper do its work; waits for it.
  absl::Status Finish() {
    char byte = 1;
    (void)!::write(go_.get(), &byte, 1);
    go_.reset();
    std::string message;
    char buf[512];
    ssize_t n;
    while ((n = ::read(done_.get(), buf, sizeof buf)) > 0)
      message.append(buf, static_cast<std::size_t>(n));
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
    return absl::PermissionDeniedError(absl::StrCat(kWhat, ": ", message));
  }

  ~ParentSideHelper() {
    if (pid_ > 0) {
      go_.reset();  // end-of-file: the helper gives up
      ::waitpid(pid_, nullptr, 0);
    }
  }

 private:
  pid_t pid_ = -1;
  UniqueFd go_, done_;
};

absl::Status JoinCgroup(int cgroup_fd) {
  UniqueFd procs(::openat(cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC));
  if (!procs) return ErrnoError(errno, absl::StrCat(kWhat, ": open cgroup.procs"));
  const std::string pid = absl::StrCat(::getpid());
  if (::write(procs.get(), pid.data(), pid.size()) < 0) {
    return ErrnoError(errno, absl::StrCat(kWhat, ": write to cgroup.procs"));
  }
  return absl::OkStatus();
}

// The signals this process ignores or catches (SigIgn | SigCgt of
// /proc/self/status): the only ones whose action the exec must not keep or
// that could run a handler once unblocked. Every signal when unreadable.
unsigned long long SignalsWithAnAction() {
  std::optional<std::string> status = internal::ReadSmallFile("/proc/self/status");
  if (!status) return ~0ULL;
  unsigned long long mask = 0;
  int found = 0;
  for (absl::string_view line : absl::StrSplit(*status, '\n')) {
    if (!absl::ConsumePrefix(&line, "SigIgn:") && !absl::ConsumePrefix(&line, "SigCgt:")) continue;
    unsigned long long bits = 0;
    if (!absl::SimpleHexAtoi(absl::StripAsciiWhitespace(line), &bits)) return ~0ULL;
    mask |= bits;
    ++found;
  }
  return found == 2 ? mask : ~0ULL;
}

}  // namespace

absl::Status ExecInPlace(const SpawnOptions& o) {
  LINUXNS_RETURN_IF_ERROR(internal::ValidateSpawnOptions(o));
  if (o.init) {
    return absl::InvalidArgumentError(
        absl::StrCat(kWhat,
                     ": init cannot run in place (this process does not become PID 1 of a new "
                     "pid namespace); spawn a ChildProcess"));
  }
  LINUXNS_ASSIGN_OR_RETURN(int threads, internal::CountThreads());
  if (threads != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat(kWhat, ": the process has ", threads,
                     " threads; changing its own namespaces needs a single-threaded process"));
  }
  internal::PreparedSpawn prepared;
  LINUXNS_RETURN_IF_ERROR(internal::PrepareSpawn(o, prepared, /*in_place=*/true));
  prepared.plan.reset_signals = SignalsWithAnAction();
  if (o.cgroup_fd >= 0) LINUXNS_RETURN_IF_ERROR(JoinCgroup(o.cgroup_fd));

  ParentSideHelper helper;
  const bool use_helper = prepared.parent_writes_maps || !o.pins.empty();
  if (use_helper) LINUXNS_RETURN_IF_ERROR(helper.Start(o, prepared.parent_writes_maps));
  const std::uint64_t flags = prepared.clone_types.ToCloneFlags();
  if (flags != 0 && ::unshare(static_cast<int>(flags)) != 0) {
    return internal::DescribeCloneError(errno, flags, absl::StrCat(kWhat, ": unshare"));
  }
  if (use_helper) LINUXNS_RETURN_IF_ERROR(helper.Finish());

  // Returns only when a step failed.
  child::RunSpawnSteps(prepared.plan);
  return internal::DescribeChildFailure(prepared, o, kWhat);
}

}  // namespace linuxns
