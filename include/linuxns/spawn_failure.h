// linuxns/spawn_failure.h: which setup step of a child failed, for programs.
//
// When ChildProcess::Spawn() or ExecInPlace() fails in a step the child (or
// this process, in place) runs between clone and exec, the Status carries
// the step and its index as a payload, next to the errno (ErrnoOf()), so that
// a program branches on them instead of searching the message:
//
//   absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
//   std::optional<linuxns::SpawnFailure> failure = linuxns::SpawnFailureOf(child.status());
//   if (failure && failure->step == linuxns::SpawnStep::kExec) {
//     return linuxns::ErrnoOf(child.status()) == ENOENT ? 127 : 126;   // as a shell does
//   }
//
// A command not found or not executable by the parent's own PATH search,
// before any clone, is kExec too (index -2), with ENOENT or EACCES.
//
// Thread-safety: functions of values. Nothing here makes a system call.
#ifndef LINUXNS_SPAWN_FAILURE_H_
#define LINUXNS_SPAWN_FAILURE_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "linuxns/export.h"

namespace linuxns {

// The steps of a spawn, in the order the child applies them (see
// linuxns/spawn_options.h). The numbers are fixed: linuxns-init reports in
// them too.
enum class SpawnStep : std::int32_t {
  kWaitForParent = 1,           // wait while the parent writes maps or pins
  kCallerCredentials = 41,      // take the calling thread's credentials
  kWriteSetgroups = 2,          // "deny" to /proc/self/setgroups
  kWriteUidMap = 3,             // /proc/self/uid_map
  kWriteGidMap = 4,             // /proc/self/gid_map
  kUnshareTime = 37,            // a time namespace with offsets
  kWriteTimensOffsets = 38,     // its offsets
  kSetns = 5,                   // SpawnOptions::join (index: which, in join order)
  kSetnsProcess = 30,           // SpawnOptions::join_process
  kCloneIntoPidNamespace = 40,  // the process born in a joined pid namespace
  kPropagation = 6,             // propagation of "/"
  kEnterRoot = 42,              // SpawnOptions::root_fd
  kEnterCwd = 43,               // SpawnOptions::cwd_fd
  kSethostname = 7,
  kSetdomainname = 8,
  // SpawnOptions::minimal_dev: a device node of the caller's /dev (index:
  // which of null, zero, full, random, urandom, tty)
  kOpenDevNode = 44,
  kRootBind = 9,  // the new root bound onto itself
  kOpenRoot = 10,
  kOpenTarget = 11,  // a mount's target (index: which mount)
  kOpenSource = 12,  // a bind mount's source (index: which mount)
  kBindMount = 13,
  kRemountReadOnly = 14,
  kMountTmpfs = 15,
  kMountDev = 45,      // minimal_dev: the tmpfs on /dev
  kMakeDevEntry = 46,  // minimal_dev: a file, directory or link in it (index: which)
  kBindDevNode = 47,   // minimal_dev: a node bound on its file (index as kOpenDevNode)
  kMountDevPts = 48,   // minimal_dev: devpts on /dev/pts
  kMountDevShm = 49,   // minimal_dev: the tmpfs on /dev/shm
  kProcIsSymlink = 16,
  kMountProc = 17,
  kMountSys = 18,
  kChroot = 39,
  kPivotRoot = 19,
  kUmountOldRoot = 20,
  kLoopback = 21,
  kChdir = 22,
  kSetsid = 23,
  kRlimit = 24,        // index: which of SpawnOptions::rlimits
  kDropBounding = 36,  // index: which capability
  kSetgroups = 25,
  kSetgid = 26,
  kSetuid = 27,
  kCapabilities = 28,  // keep_capabilities
  kNoNewPrivs = 29,
  kParentDeathSignal = 31,
  kParentGone = 32,  // the parent died before the death signal was set
  kDupFd = 33,       // index: which move (SpawnOptions::fds, then stdio)
  kCloseFds = 34,
  kResetSignals = 35,  // index: the signal
  kSeccomp = 50,       // install SpawnOptions::seccomp
  kExec = 100,         // index: which PATH candidate; -1 linuxns-init
};

// A failed step: which, and which of its kind (see SpawnStep).
struct LINUXNS_EXPORT SpawnFailure {
  SpawnStep step;  // the step that failed
  int index = 0;   // which of its kind: see SpawnStep (0 for a step of one)
};

// SpawnFailureOf()
//
// The failed step of a Status from ChildProcess::Spawn() or ExecInPlace(),
// or std::nullopt when the failure was not one of the child's steps (bad
// options, a failed clone, and every OK status).
LINUXNS_EXPORT std::optional<SpawnFailure> SpawnFailureOf(const absl::Status& status);

// SpawnStepName()
//
// The step's name, such as "exec" or "mount proc" (for logs; messages of
// the Status itself are more precise).
LINUXNS_EXPORT const char* SpawnStepName(SpawnStep step);

}  // namespace linuxns

#endif  // LINUXNS_SPAWN_FAILURE_H_
