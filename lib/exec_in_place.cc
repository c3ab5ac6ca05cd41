#include "linuxns/exec_in_place.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "child/spawn.h"
#include "internal/clone.h"
#include "internal/kernel.h"
#include "internal/probe_util.h"
#include "internal/spawn_parent.h"
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
  absl::Status Start(const SpawnOptions& o, const internal::PreparedSpawn& prepared) {
    const bool write_maps = prepared.parent_writes_maps;
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
      absl::Status written =
          write_maps
              ? internal::WriteIdMaps(target, prepared.uid_ids ? &*prepared.uid_ids : nullptr,
                                      prepared.gid_ids ? &*prepared.gid_ids : nullptr,
                                      o.deny_setgroups, "spawn")
              : absl::OkStatus();
      if (written.ok() && !o.pins.empty()) {
        absl::StatusOr<PidFd> us = PidFd::Open(target);
        written = us.ok() ? internal::PinNamespacesOf(*us, o).status() : us.status();
      }
      // The first byte says how it went: the exit status cannot, when the
      // host ignores SIGCHLD (the kernel reaps the helper; waitpid: ECHILD).
      const std::string text = absl::StrCat(written.ok() ? "0" : "1", written.message());
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
    for (;;) {
      n = ::read(done_.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      message.append(buf, static_cast<std::size_t>(n));
    }
    // Reaped here, or already by the kernel when SIGCHLD is ignored (ECHILD):
    // the report, not the exit status, says how it went.
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    if (message == "0") return absl::OkStatus();
    if (message.empty()) {
      return absl::InternalError(
          absl::StrCat(kWhat, ": the helper writing the id maps or pins ended without a report"));
    }
    return absl::PermissionDeniedError(absl::StrCat(kWhat, ": ", message.substr(1)));
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

}  // namespace

absl::Status ExecInPlace(const SpawnOptions& o) {
  LINUXNS_RETURN_IF_ERROR(internal::ValidateSpawnOptions(o, internal::SpawnTarget::kInPlace));
  LINUXNS_ASSIGN_OR_RETURN(int threads, internal::CountThreads());
  if (threads != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat(kWhat, ": the process has ", threads,
                     " threads; changing its own namespaces needs a single-threaded process"));
  }
  LINUXNS_ASSIGN_OR_RETURN(std::unique_ptr<internal::PreparedSpawn> built,
                           internal::BuildSpawn(o, internal::SpawnTarget::kInPlace));
  const internal::PreparedSpawn& prepared = *built;
  if (o.cgroup_fd >= 0) LINUXNS_RETURN_IF_ERROR(JoinCgroup(o.cgroup_fd));

  ParentSideHelper helper;
  const bool use_helper = prepared.parent_writes_maps || !o.pins.empty();
  if (use_helper) LINUXNS_RETURN_IF_ERROR(helper.Start(o, prepared));
  const std::uint64_t flags = prepared.clone_types.ToCloneFlags();
  if (flags != 0 && ::unshare(static_cast<int>(flags)) != 0) {
    return internal::DescribeCloneError(errno, flags, absl::StrCat(kWhat, ": unshare"));
  }
  if (use_helper) LINUXNS_RETURN_IF_ERROR(helper.Finish());

  // Returns only when a step failed. This process's handlers are its own: a
  // signal that arrives before the exec may run one, as it could before
  // ExecInPlace() was called.
  child::SpawnOutcome outcome;
  std::vector<int> move_copies(static_cast<std::size_t>(prepared.plan.move_count));
  outcome.move_copies = move_copies.data();
  child::RunSpawnSteps(child::SpawnRun{&prepared.plan, &outcome});
  return internal::DescribeChildFailure(prepared, outcome, kWhat);
}

}  // namespace linuxns
