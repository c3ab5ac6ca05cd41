// linuxns/probe.h: what this kernel and this process allow, and why not.
//
// Before it creates or enters namespaces, a program (or the person running
// it) wants to know whether that will work here, and when it will not, what to
// change. The probes answer without leaving anything behind (no namespace, no
// process, no descriptor) and without changing any namespace, credential or
// thread of the caller:
//
// - ProbeKernelFeatures() asks the kernel about each system call and ioctl
//   the library relies on, harmlessly: a call with invalid arguments that
//   answers ENOSYS (or ENOTTY for an ioctl) is missing, one that answers
//   EINVAL or EBADF is there. The kernel version from uname(2) is kept apart,
//   in RunningKernelVersion(): seccomp filters and distribution backports make
//   it lie in both directions.
//
// - ProbeCreate(types) says whether this process can create a set of new
//   namespaces (what Namespace::Create(types), or a ChildProcess with those
//   new namespaces, needs). It reads the limits and privileges that matter,
//   then clones a throwaway child with those CLONE_NEW* flags, so that
//   security modules, seccomp filters and limits in parent user namespaces
//   (invisible from here) are caught too. When the answer is no, `reason`
//   names the sysctl, limit file or privilege and what to do about it.
//
// - ProbeEnter(ns) says whether this process can enter a namespace: from a
//   new child (tried for real in a throwaway child), and on the calling
//   thread (NsFd::Enter()), which user and time namespaces allow only to a
//   single-threaded process.
//
// - FindHelper() and ProbeIdMapHelpers() locate newuidmap and newgidmap, the
//   set-user-ID helpers an unprivileged user needs to map more than their own
//   uid and gid into a user namespace.
//
//   absl::StatusOr<linuxns::NamespaceProbe> probe =
//       linuxns::ProbeCreate({linuxns::NsType::kNet});
//   if (!probe.ok()) return probe.status();  // the probe itself failed
//   if (!probe->can_create) std::cerr << probe->reason << "\n";
//   // "creating a net namespace needs CAP_SYS_ADMIN in this process's user
//   // namespace, which this process (euid 1000) does not have: run it as
//   // root, or create a user namespace along with it (add NsType::kUser) ..."
//
// A probe tells what holds at the moment it runs: limits, sysctls and other
// processes change, so the real operation must still handle its own errors.
//
// Errors: a "no" is an answer, not an error. The StatusOr functions fail only
// when the probe itself cannot run: InvalidArgument for an empty type set,
// FailedPrecondition for an empty NsFd, and the errno of the step that failed
// (EMFILE, ENOMEM, EAGAIN from RLIMIT_NPROC for the throwaway child).
//
// Thread-safety: every function is thread-safe except that FindHelper() and
// ProbeIdMapHelpers() read the environment (PATH) and must not race with
// setenv(3). None is async-signal-safe. The throwaway children are tracked
// by pidfds and reaped before the call returns, so a host that ignores
// SIGCHLD or runs its own waitpid(-1) loop does not disturb them.
//
// Kernel: runs on any kernel with pidfds from clone (Linux 5.2); on older
// ones ProbeCreate() and ProbeEnter() fail with the clone error.
#ifndef LINUXNS_PROBE_H_
#define LINUXNS_PROBE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "linuxns/export.h"
#include "linuxns/ns_fd.h"
#include "linuxns/ns_type.h"

namespace linuxns {

// KernelVersion: the release that uname(2) reports.
struct LINUXNS_EXPORT KernelVersion {
  int major = 0;        // 6 in "6.18.4"
  int minor = 0;        // 18 in "6.18.4"
  int patch = 0;        // 4 in "6.18.4"; 0 when the release has no third number
  std::string release;  // uname's text, e.g. "6.18.4-arch1-1"

  // True when this version is `major`.`minor` or later.
  bool AtLeast(int want_major, int want_minor) const {
    return major != want_major ? major > want_major : minor >= want_minor;
  }
};

// RunningKernelVersion()
//
// Returns the running kernel's version from uname(2). InternalError when the
// release does not start with "MAJOR.MINOR".
LINUXNS_EXPORT absl::StatusOr<KernelVersion> RunningKernelVersion();

// The kernel features ProbeKernelFeatures() checks, in the order it reports
// them.
enum class KernelFeatureId {
  kClone3,           // clone3(2), Linux 5.3
  kPidfdOpen,        // pidfd_open(2), Linux 5.3
  kSetnsPidfd,       // setns(2) with a pidfd and several CLONE_NEW* flags, 5.8
  kCloneIntoCgroup,  // clone3's CLONE_INTO_CGROUP, 5.7
  kCloseRange,       // close_range(2), 5.9
  kTimeNamespaces,   // CLONE_NEWTIME and /proc/PID/ns/time, 5.6
  kPidfdNsIoctls,    // PIDFD_GET_*_NAMESPACE ioctls on a pidfd, 6.11
  kPidfdInfoExit,    // PIDFD_GET_INFO with PIDFD_INFO_EXIT, 6.15
  kOpenat2,          // openat2(2), 5.6
  kNsGetNstype,      // the NS_GET_NSTYPE ioctl on a namespace fd, 4.11
};

// The number of KernelFeatureId values, and so of ProbeKernelFeatures()'s
// results.
inline constexpr int kKernelFeatureCount = 10;

// KernelFeature: one feature and whether this process can use it.
struct LINUXNS_EXPORT KernelFeature {
  KernelFeatureId id;      // which feature
  std::string name;        // "clone3", "PIDFD_GET_*_NAMESPACE", ...
  int major = 0;           // the first mainline release that has it
  int minor = 0;           // (its minor number)
  bool available = false;  // this process can use it here, now
  // How the kernel answered, and for a missing feature the likely cause
  // (an old kernel, a seccomp filter, a kernel built without it).
  std::string detail;
};

// ProbeKernelFeatures()
//
// Checks every KernelFeatureId and returns one KernelFeature for each, in
// enum order (so result[static_cast<int>(id)] is `id`'s). Two checks need a
// process that has exited: a child that exits at once is cloned and reaped.
// Fails only when that child or a descriptor cannot be had.
LINUXNS_EXPORT absl::StatusOr<std::vector<KernelFeature>> ProbeKernelFeatures();

// NamespaceProbe: whether a set of new namespaces can be created.
struct LINUXNS_EXPORT NamespaceProbe {
  NsTypeSet types;          // the set asked about
  bool can_create = false;  // a clone with their CLONE_NEW* flags succeeded
  // Empty when can_create; otherwise what stops it and what to do, naming
  // the limit file, sysctl or privilege, then the errno that clone(2) gave
  // ("... (clone: EPERM)").
  std::string reason;
};

// ProbeCreate()
//
// Tells whether this process can create one new namespace of each type in
// `types` together (include NsType::kUser to create the others owned by a
// new user namespace, as Namespace::Create() does). Looks at:
//   - `/proc/self/ns/<type>`: the kernel has the type;
//   - `/proc/sys/user/max_<type>_namespaces`: 0 disables the type;
//   - CAP_SYS_ADMIN in the effective set (capget(2)) when no user namespace
//     is created with the others;
//   - for a user namespace: whether the caller's uid and gid are mapped in its
//     own user namespace, /proc/sys/kernel/unprivileged_userns_clone (Debian
//     and Ubuntu kernels) and kernel.apparmor_restrict_unprivileged_userns
//     (Ubuntu) where those files exist;
// and then clones a child with the CLONE_NEW* flags of `types`, which exits
// at once and is reaped. The clone decides can_create; the readings above
// explain a refusal.
LINUXNS_EXPORT absl::StatusOr<NamespaceProbe> ProbeCreate(NsTypeSet types);

// EnterProbe: whether this process can enter a namespace.
struct LINUXNS_EXPORT EnterProbe {
  NsId target;  // the namespace asked about
  // A new child of this process can setns(2) into it (ChildProcess joins).
  bool from_child = false;
  // The calling thread can (NsFd::Enter(), RunInNamespacesHere()).
  bool from_this_thread = false;
  // Empty when both are true; otherwise why the first false one is false,
  // and what to do.
  std::string reason;
};

// ProbeEnter()
//
// Tells whether this process can enter `target`. from_child is tried for
// real: a child that is a process of its own (no shared memory) calls
// setns(2) on `target` and exits. from_this_thread adds what differs for a
// thread of this process: user and time namespaces need a single-threaded
// process; with several threads, a mount namespace needs a thread that called
// unshare(CLONE_FS) first (the probe cannot see whether the calling thread
// did, and answers false). Entering the user or mount namespace one is
// already in is a no-op for NsFd::Enter(), so both are true for those.
LINUXNS_EXPORT absl::StatusOr<EnterProbe> ProbeEnter(const NsFd& target);

// FindHelper()
//
// Looks `name` up in PATH as execvp(3) would and returns the first path that
// is a regular file this process may execute (checked with the effective
// ids). Without PATH, searches "/bin:/usr/bin". Empty PATH entries (the
// current directory) are skipped. Returns std::nullopt when nothing is found,
// and for an empty `name` or one containing '/'.
LINUXNS_EXPORT std::optional<std::string> FindHelper(absl::string_view name);

// IdMapHelpers: whether newuidmap/newgidmap can map ranges for this user.
struct LINUXNS_EXPORT IdMapHelpers {
  std::optional<std::string> newuidmap;  // path, when found in PATH
  std::optional<std::string> newgidmap;  // path, when found in PATH
  // Both found, each set-user-ID root or carrying file capabilities, and
  // /etc/subuid and /etc/subgid give this user (name or uid) a range.
  bool usable = false;
  // Empty when usable; otherwise the first problem and its fix (for a
  // missing helper: the `uidmap` package provides both).
  std::string reason;
};

// ProbeIdMapHelpers()
//
// Checks newuidmap and newgidmap (shadow-utils) for the effective user. Only
// /etc/subuid and /etc/subgid are read: ranges served by an NSS "subid"
// module are not seen. Root needs no helper (it writes any map itself), but
// the answer is the same for root.
LINUXNS_EXPORT IdMapHelpers ProbeIdMapHelpers();

}  // namespace linuxns

#endif  // LINUXNS_PROBE_H_
