// Private, child side: the program a spawned child runs between clone and
// execve.
//
// The parent renders SpawnOptions into a SpawnPlan (plain pointers and
// numbers into memory it keeps alive), clones a CLONE_VM child on its own
// stack, and the child runs SpawnMain() over the plan: raw system calls only
// (see raw_syscall.h), in a fixed order. A failing step stores (step, index,
// errno) in the plan's result fields, which the parent reads once the child
// has exited (the memory is shared), or writes them to report_fd when there
// is one, and the child exits with 127.
#ifndef LINUXNS_LIB_CHILD_SPAWN_H_
#define LINUXNS_LIB_CHILD_SPAWN_H_

#include <cstddef>
#include <cstdint>

namespace linuxns::child {

// The steps, numbered once and for all: SpawnReport is also written by
// linuxns-init (lib/init), a separately built program.
enum class SpawnStep : std::int32_t {
  kNone = 0,
  kWaitForParent = 1,
  kWriteSetgroups = 2,
  kWriteUidMap = 3,
  kWriteGidMap = 4,
  kSetns = 5,
  kPropagation = 6,
  kSethostname = 7,
  kSetdomainname = 8,
  kRootBind = 9,
  kOpenRoot = 10,
  kOpenTarget = 11,
  kOpenSource = 12,
  kBindMount = 13,
  kRemountReadOnly = 14,
  kMountTmpfs = 15,
  kProcIsSymlink = 16,
  kMountProc = 17,
  kMountSys = 18,
  kPivotRoot = 19,
  kUmountOldRoot = 20,
  kLoopback = 21,
  kChdir = 22,
  kSetsid = 23,
  kRlimit = 24,
  kSetgroups = 25,
  kSetgid = 26,
  kSetuid = 27,
  kCapabilities = 28,
  kNoNewPrivs = 29,
  kSetnsProcess = 30,
  kParentDeathSignal = 31,
  kDropBounding = 36,
  kUnshareTime = 37,
  kWriteTimensOffsets = 38,
  kChroot = 39,
  kCloneIntoPidNamespace = 40,
  kParentGone = 32,
  kDupFd = 33,
  kCloseFds = 34,
  kResetSignals = 35,
  kExec = 100,
};

// What the child writes to report_fd when a step fails.
struct SpawnReport {
  SpawnStep step;
  std::int32_t index;
  std::int32_t err;
};

struct MountStep {
  bool tmpfs;           // else a bind mount of `source`
  const char* source;   // host path (bind)
  const char* target;   // path under the root, resolved without symlinks
  const char* options;  // tmpfs options, or null
  bool read_only;
};

struct FdMove {
  int source;
  int target;
};

struct SpawnPlan {
  // Set when the parent acts first (writes id maps): read one byte from it.
  int wait_fd = -1;
  // Set when the parent does not sleep until exec (no CLONE_VFORK): a failure
  // is also written here as a SpawnReport, since without CLONE_VM the parent
  // cannot see this process's memory.
  int report_fd = -1;

  // Id maps the child writes itself (own id only), or null.
  const char* uid_map = nullptr;
  std::size_t uid_map_len = 0;
  const char* gid_map = nullptr;
  std::size_t gid_map_len = 0;
  bool write_setgroups_deny = false;

  // A time namespace with offsets: unshared here, entered at exec.
  bool unshare_time = false;
  const char* timens_offsets = nullptr;
  std::size_t timens_offsets_len = 0;

  // Namespaces to enter, in order.
  const int* join_fds = nullptr;
  const int* join_types = nullptr;  // CLONE_NEW* of each
  int join_count = 0;
  // setns(pidfd, flags) of a whole process, or -1.
  int join_pidfd = -1;
  int join_pidfd_flags = 0;

  // A pid join. setns(CLONE_NEWPID) moves only the caller's future children,
  // so this process (the "joiner", which shares the parent's memory and
  // descriptor table) stops after the joins above and clones the process
  // that runs every later step: with CLONE_PARENT, so that it is the spawning
  // thread's child, and CLONE_VM|CLONE_VFORK on the stack whose top is
  // `after_joins_stack`. The joiner then exits. Its pidfd and pid land here.
  void* after_joins_stack = nullptr;  // null: no such clone
  std::size_t after_joins_stack_size = 0;
  int after_joins_pidfd = -1;
  long after_joins_pid = 0;

  unsigned long propagation = 0;  // MS_* flags for "/", 0 to leave it
  const char* root = nullptr;     // new root (pivot_root), or null
  bool chroot = false;            // chroot into it instead
  const MountStep* mounts = nullptr;
  int mount_count = 0;
  const char* hostname = nullptr;
  std::size_t hostname_len = 0;
  const char* domainname = nullptr;
  std::size_t domainname_len = 0;
  bool mount_proc = false;
  const char* proc_target = "/proc";
  bool mount_sys = false;
  bool loopback_up = false;
  const char* cwd = nullptr;
  int umask = -1;
  bool new_session = false;
  struct RlimitSetting {
    int resource;
    unsigned long soft, hard;
  };
  const RlimitSetting* rlimits = nullptr;
  int rlimit_count = 0;

  const unsigned* groups = nullptr;  // gid_t values
  int group_count = -1;              // -1: leave the groups alone
  long gid = -1;
  long uid = -1;
  bool keep_capabilities = false;
  int cap_last_cap = 40;  // /proc/sys/kernel/cap_last_cap, read by the parent
  bool no_new_privs = false;
  const int* drop_bounding = nullptr;  // CAP_* numbers
  int drop_bounding_count = 0;
  // Which signals get their default action before exec: bit N-1 for signal
  // N. All of them in a spawned child, which must never run a host's
  // handler; in place, only those ignored or caught (the others have it).
  unsigned long long reset_signals = ~0ULL;
  // kill_on_parent_death: a pidfd of the parent process, or -1.
  int parent_pidfd = -1;
  int parent_death_signal = 9;  // SIGKILL

  // Descriptor moves, then which descriptors above 2 survive: the sorted
  // `keep` list (move targets and, while the parent waits on it, the result
  // pipe), unless inherit_fds.
  const FdMove* moves = nullptr;
  int move_count = 0;
  int move_floor = 3;  // temporary copies go at or above this number
  const int* keep = nullptr;
  int keep_count = 0;
  bool inherit_fds = false;

  // Program candidates tried in order, with the first error that is not
  // ENOENT/ENOTDIR reported (EACCES only if no later candidate runs).
  const char* const* candidates = nullptr;
  int candidate_count = 0;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  // Execute this descriptor (execveat AT_EMPTY_PATH) instead of the
  // candidates, with report_fd left open across the exec: linuxns-init.
  int exec_fd = -1;

  // Result, written by the child on failure.
  SpawnStep failed_step = SpawnStep::kNone;
  int failed_index = 0;  // which join, move or candidate
  int failed_errno = 0;
};

// The mount steps: new root, mounts, /proc, /sys, pivot_root (mounts.cc).
// Returns false after Fail() on error.
bool ApplyMounts(SpawnPlan& plan);

// Records the failed step (and sends it to report_fd, if any); returns false.
bool Fail(SpawnPlan& plan, SpawnStep step, long result, int index = 0);

// Runs every step of `plan` in the calling process, ending with execve.
// Returns only on failure (false), with the plan's result fields set. With
// plan.after_joins_stack set, the steps after the joins run in a clone (see
// SpawnPlan), and this returns true once that clone has exec'd or failed.
bool RunSpawnSteps(SpawnPlan& plan);

// The child's main function, for linuxns_clone3_run() / clone(2):
// RunSpawnSteps(), then exit 127 on failure, 0 for a joiner whose clone ran.
int SpawnMain(void* plan);

}  // namespace linuxns::child

#endif  // LINUXNS_LIB_CHILD_SPAWN_H_
