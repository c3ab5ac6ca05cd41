#include "linuxns/probe.h"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "child/kernel_constants.h"
#include "child/probe_child.h"
#include "child/raw_syscall.h"
#include "internal/clone.h"
#include "internal/kernel.h"
#include "internal/probe_util.h"
#include "linuxns/pid_fd.h"
#include "linuxns/status.h"
#include "linuxns/subid.h"
#include "linuxns/unique_fd.h"

namespace linuxns {
namespace {

using child::EnterAndExit;
using child::EnterPlan;
using child::ExitAtOnce;
using internal::ErrnoName;
using internal::kProbeStackSize;
using internal::WaitExitCode;

// ---------------------------------------------------------------------------
// ProbeCreate.

// The probe's verdict on a refused clone: why, and the errno.
std::string ExplainRefusal(int err, NsTypeSet types, const absl::Status& status) {
  // ENOSYS: clone3 is refused and the request needs it; CloneVm said so.
  const std::string otherwise =
      err == ENOSYS ? std::string(status.message()) : absl::StrCat("clone: ", std::strerror(err));
  std::string reason = internal::ExplainCreateError(err, types, otherwise);
  absl::StrAppend(&reason, " (clone: ", ErrnoName(err), ")");
  return reason;
}

// ---------------------------------------------------------------------------
// ProbeEnter.

std::string ExplainSetnsErrno(int err, const NsFd& target) {
  const std::string id = target.id().ToString();
  if (err == EPERM) {
    if (target.type() == NsType::kUser) {
      return absl::StrCat("entering ", id,
                          " needs CAP_SYS_ADMIN in it, which only its owner and "
                          "privileged processes of its ancestor user namespaces have "
                          "(never a process of a descendant one); this process has euid ",
                          ::geteuid(), ": run as its owner or as root (setns: EPERM)");
    }
    return absl::StrCat("entering ", id,
                        " needs CAP_SYS_ADMIN both in the user namespace that owns it and in this "
                        "process's own user namespace",
                        target.type() == NsType::kMnt ? " (and CAP_SYS_CHROOT)" : "",
                        ", which this process (euid ", ::geteuid(),
                        ") does not have: run as root, or enter its owning user namespace first "
                        "(setns: EPERM)");
  }
  return absl::StrCat("setns into ", id, " fails: ", std::strerror(err),
                      " (setns: ", ErrnoName(err), ")");
}

// Runs setns(target) in a throwaway child with its own memory (a time
// namespace admits no process whose memory is shared); 0 or its errno.
absl::StatusOr<int> TrySetnsInChild(const NsFd& target) {
  LINUXNS_ASSIGN_OR_RETURN(internal::ChildStack stack,
                           internal::ChildStack::Allocate(kProbeStackSize));
  EnterPlan plan{target.get(), static_cast<long>(CloneFlag(target.type()))};
  internal::CloneSpec spec;
  spec.share_memory = false;
  spec.fn = EnterAndExit;
  spec.arg = &plan;
  spec.stack = &stack;
  LINUXNS_ASSIGN_OR_RETURN(PidFd child, internal::CloneVm(spec));
  return WaitExitCode(child);
}

// Whether `target` is the calling thread's own namespace of its type.
absl::StatusOr<bool> IsCurrent(const NsFd& target) {
  struct stat st;
  if (::stat(internal::ThreadNsPath(target.type(), false), &st) != 0) {
    return ErrnoError(errno, absl::StrCat("stat ", internal::ThreadNsPath(target.type(), false)));
  }
  return st.st_dev == target.id().dev && st.st_ino == target.id().inode;
}

// ---------------------------------------------------------------------------
// Id-map helpers.

// Empty when the helper at `path` can raise privilege; otherwise why not.
std::string HelperPrivilegeProblem(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::StrCat("stat ", path, ": ", std::strerror(errno));
  }
  if ((st.st_mode & S_ISUID) != 0 && st.st_uid == 0) return "";
  if (::getxattr(path.c_str(), "security.capability", nullptr, 0) > 0) return "";
  return absl::StrCat(path,
                      " is neither set-user-ID root nor given file capabilities, so it "
                      "cannot write maps: reinstall the uidmap package");
}
}  // namespace

absl::StatusOr<NamespaceProbe> ProbeCreate(NsTypeSet types) {
  if (types.empty()) {
    return absl::InvalidArgumentError("ProbeCreate: no namespace type given");
  }
  LINUXNS_ASSIGN_OR_RETURN(internal::ChildStack stack,
                           internal::ChildStack::Allocate(kProbeStackSize));
  internal::CloneSpec spec;
  spec.flags = types.ToCloneFlags();
  spec.fn = ExitAtOnce;
  spec.stack = &stack;
  absl::StatusOr<PidFd> child = internal::CloneVm(spec);
  NamespaceProbe probe{types, false, ""};
  if (child.ok()) {
    absl::Status reaped = internal::Reap(*child);
    if (!reaped.ok()) {
      stack.Leak();  // it may still run on it
      return reaped;
    }
    probe.can_create = true;
    return probe;
  }
  const std::optional<int> err = ErrnoOf(child.status());
  // Without an errno, or with one that says nothing about namespaces (too
  // many processes), the probe cannot tell.
  if (!err.has_value() || *err == EAGAIN) return child.status();
  probe.reason = ExplainRefusal(*err, types, child.status());
  return probe;
}

absl::StatusOr<EnterProbe> ProbeEnter(const NsFd& target) {
  if (target.get() < 0) {
    return absl::FailedPreconditionError("ProbeEnter: the NsFd is empty (moved from)");
  }
  EnterProbe probe;
  probe.target = target.id();
  const NsType type = target.type();
  if (type == NsType::kUser || type == NsType::kMnt) {
    LINUXNS_ASSIGN_OR_RETURN(bool current, IsCurrent(target));
    if (current) {
      probe.from_child = probe.from_this_thread = true;
      return probe;
    }
  }
  LINUXNS_ASSIGN_OR_RETURN(int err, TrySetnsInChild(target));
  if (err != 0) {
    probe.reason = ExplainSetnsErrno(err, target);
    return probe;
  }
  probe.from_child = true;
  if (type != NsType::kUser && type != NsType::kTime && type != NsType::kMnt) {
    probe.from_this_thread = true;
    return probe;
  }
  LINUXNS_ASSIGN_OR_RETURN(int threads, internal::CountThreads());
  if (threads == 1) {
    probe.from_this_thread = true;
    return probe;
  }
  probe.reason =
      type == NsType::kMnt
          ? absl::StrCat("this process has ", threads,
                         " threads, and a thread can enter a mount namespace only after "
                         "unshare(CLONE_FS) (RunInNamespacesOnThread does that)")
          : absl::StrCat("only a single-threaded process can enter a ", NsTypeName(type),
                         " namespace, and this one has ", threads,
                         " threads: enter it from a child process (ChildProcess) instead");
  return probe;
}

std::optional<std::string> FindHelper(absl::string_view name) { return internal::FindHelper(name); }

IdMapHelpers ProbeIdMapHelpers() {
  IdMapHelpers helpers;
  helpers.newuidmap = FindHelper("newuidmap");
  helpers.newgidmap = FindHelper("newgidmap");
  const char* path_env = std::getenv("PATH");
  const std::pair<const char*, const std::optional<std::string>*> found_helpers[] = {
      {"newuidmap", &helpers.newuidmap}, {"newgidmap", &helpers.newgidmap}};
  for (const auto& [name, found_ptr] : found_helpers) {
    const std::optional<std::string>& found = *found_ptr;
    if (!found) {
      helpers.reason =
          absl::StrCat(name, " is not in PATH (", path_env != nullptr ? path_env : "unset",
                       "): install the uidmap package (Debian, Ubuntu; shadow-utils elsewhere), "
                       "which provides newuidmap and newgidmap");
      return helpers;
    }
    std::string problem = HelperPrivilegeProblem(*found);
    if (!problem.empty()) {
      helpers.reason = std::move(problem);
      return helpers;
    }
  }
  for (const char* file : {"/etc/subuid", "/etc/subgid"}) {
    absl::StatusOr<SubordinateRange> range = FindSubordinateRange(file, ::geteuid());
    if (!range.ok()) {
      helpers.reason = absl::StrCat(range.status().message(),
                                    " (without a range the helpers map nothing but the "
                                    "user's own id)");
      return helpers;
    }
  }
  helpers.usable = true;
  return helpers;
}

}  // namespace linuxns
