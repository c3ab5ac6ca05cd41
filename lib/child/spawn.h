// Private, child side: the program a spawned child runs between clone and
// execve.
//
// The parent renders SpawnOptions into a SpawnPlan (plain pointers and
// numbers into memory it keeps alive), clones a CLONE_VM child on its own
// stack, and the child runs SpawnMain() over a SpawnRun: the plan, which it
// only reads, and a SpawnOutcome, the one record it writes. Raw system calls
// only (see raw_syscall.h), in the fixed order of kSpawnStepOrder below. A
// failing step stores (step, index, errno) in the outcome, which the parent
// reads once the child has exited or exec'd (the memory is shared), and
// writes it to report_fd when there is one; the child exits with 127.
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
  kCallerCredentials = 41,
  kEnterRoot = 42,
  kEnterCwd = 43,
  kOpenDevNode = 44,
  kMountDev = 45,
  kMakeDevEntry = 46,
  kBindDevNode = 47,
  kMountDevPts = 48,
  kMountDevShm = 49,
  kSeccomp = 50,
  kParentGone = 32,
  kDupFd = 33,
  kCloseFds = 34,
  kResetSignals = 35,
  kExec = 100,
};

// The order in which RunSpawnSteps() applies the steps (kExec last): the one
// statement of it. tests/child_process_test.cc checks that the documented
// order (linuxns/spawn_options.h) follows it, and the child's code follows
// this list top to bottom.
inline constexpr SpawnStep kSpawnStepOrder[] = {
    SpawnStep::kWaitForParent,
    SpawnStep::kCallerCredentials,
    SpawnStep::kWriteSetgroups,
    SpawnStep::kWriteUidMap,
    SpawnStep::kWriteGidMap,
    SpawnStep::kUnshareTime,
    SpawnStep::kWriteTimensOffsets,
    SpawnStep::kSetns,
    SpawnStep::kSetnsProcess,
    SpawnStep::kCloneIntoPidNamespace,
    SpawnStep::kPropagation,
    SpawnStep::kEnterRoot,
    SpawnStep::kEnterCwd,
    SpawnStep::kSethostname,
    SpawnStep::kSetdomainname,
    SpawnStep::kOpenDevNode,
    SpawnStep::kRootBind,
    SpawnStep::kOpenRoot,
    SpawnStep::kOpenTarget,
    SpawnStep::kOpenSource,
    SpawnStep::kBindMount,
    SpawnStep::kRemountReadOnly,
    SpawnStep::kMountTmpfs,
    SpawnStep::kMountDev,
    SpawnStep::kMakeDevEntry,
    SpawnStep::kBindDevNode,
    SpawnStep::kMountDevPts,
    SpawnStep::kMountDevShm,
    SpawnStep::kProcIsSymlink,
    SpawnStep::kMountProc,
    SpawnStep::kMountSys,
    SpawnStep::kChroot,
    SpawnStep::kPivotRoot,
    SpawnStep::kUmountOldRoot,
    SpawnStep::kLoopback,
    SpawnStep::kChdir,
    SpawnStep::kSetsid,
    SpawnStep::kRlimit,
    SpawnStep::kDropBounding,
    SpawnStep::kSetgroups,
    SpawnStep::kSetgid,
    SpawnStep::kSetuid,
    SpawnStep::kCapabilities,
    SpawnStep::kNoNewPrivs,
    SpawnStep::kParentDeathSignal,
    SpawnStep::kParentGone,
    SpawnStep::kDupFd,
    SpawnStep::kCloseFds,
    SpawnStep::kResetSignals,
    SpawnStep::kSeccomp,
    SpawnStep::kExec,
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

// SpawnPlan::minimal_dev: the device nodes bound from the caller's /dev, in
// the order of SpawnStep::kOpenDevNode's and kBindDevNode's index (and the
// first kDevNodeCount of kMakeDevEntry's: the empty files they are bound on).
inline constexpr const char* kDevNodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
inline constexpr int kDevNodeCount = sizeof kDevNodes / sizeof kDevNodes[0];

// Everything else the minimal /dev holds, in the order of
// SpawnStep::kMakeDevEntry's index (which continues after the nodes' files,
// 0 to kDevNodeCount - 1): directories, then symbolic links.
struct DevEntry {
  const char* name;
  const char* link;  // the symbolic link's contents, or null for a directory
};
inline constexpr int kDevEntryCount = 7;
inline constexpr DevEntry kDevEntries[kDevEntryCount] = {
    {"pts", nullptr},
    {"shm", nullptr},
    {"ptmx", "pts/ptmx"},
    {"fd", "/proc/self/fd"},
    {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},
};

// The shell of SpawnPlan::shell_argvs, as execvp(3)'s _PATH_BSHELL.
inline constexpr char kShellPath[] = "/bin/sh";

// One namespace the child recorded (SpawnPlan::record_paths): statx(2) of
// its nsfs file; all zero when it could not be read.
struct NsRecord {
  unsigned dev_major;
  unsigned dev_minor;
  unsigned long long ino;
};

struct FdMove {
  int source;
  int target;
};

// Everything the child does, prepared by the parent; the child only reads it.
struct SpawnPlan {
  // Set when the parent acts first (writes id maps): read one byte from it.
  int wait_fd = -1;
  // Set when the parent does not sleep until exec (no CLONE_VFORK): a failure
  // is also written here as a SpawnReport, since without CLONE_VM the parent
  // cannot see this process's memory.
  int report_fd = -1;

  // The credentials of the thread that asked for the spawn, when the thread
  // that clones has others (the library's spawner thread, see
  // internal/caller_context.h): the child takes them first. -1: keep.
  long caller_uid[3] = {-1, -1, -1};  // real, effective, saved
  long caller_gid[3] = {-1, -1, -1};
  const unsigned* caller_groups = nullptr;
  int caller_group_count = -1;

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
  // `after_joins_stack`. The joiner then exits. The clone's pidfd and pid go
  // to the outcome.
  void* after_joins_stack = nullptr;  // null: no such clone
  std::size_t after_joins_stack_size = 0;

  unsigned long propagation = 0;  // MS_* flags for "/", 0 to leave it
  // SpawnOptions::record_namespaces: the nsfs files to statx(2) once the
  // joins are made (one per type; time_for_children for time, which the
  // exec enters), or null.
  const char* const* record_paths = nullptr;
  int record_count = 0;
  // SpawnOptions::root_fd and cwd_fd (borrowed), or -1.
  int root_fd = -1;
  int cwd_fd = -1;
  const char* root = nullptr;  // new root (pivot_root), or null
  bool chroot = false;         // chroot into it instead
  const MountStep* mounts = nullptr;
  int mount_count = 0;
  const char* hostname = nullptr;
  std::size_t hostname_len = 0;
  const char* domainname = nullptr;
  std::size_t domainname_len = 0;
  // SpawnOptions::minimal_dev: a tmpfs on /dev under the root with the
  // nodes of kDevNodes bound from the caller's /dev, a devpts instance and
  // the entries of kDevEntries.
  bool minimal_dev = false;
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
  // SpawnOptions::seccomp: the program (struct sock_fprog's two fields), or
  // null; installed after every other step, right before execve.
  const void* seccomp_filter = nullptr;  // struct sock_filter[seccomp_length]
  unsigned short seccomp_length = 0;
  // With seccomp_filter: set no_new_privs (at the no_new_privs step) when the
  // child has no effective CAP_SYS_ADMIN then, which the kernel asks of a
  // process that installs a filter without it.
  bool seccomp_no_new_privs_unless_admin = false;
  const int* drop_bounding = nullptr;  // CAP_* numbers
  int drop_bounding_count = 0;
  // Which signals get their default action before exec, bit N-1 for signal
  // N: every one with SpawnOptions::reset_ignored_signals, else none in a
  // spawned child (clone3's CLONE_CLEAR_SIGHAND resets every caught one in
  // the kernel, and ignored ones stay ignored, as across execve(2)); in
  // place, those ignored when reset_ignored_signals.
  unsigned long long reset_signals = 0;
  // A CLONE_VM child, in which no handler of the host may ever run: when the
  // clone could not clear the handlers (SpawnRun::handlers_cleared false),
  // every caught signal outside reset_signals is reset too (a query each).
  bool must_clear_handlers = false;
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
  // SpawnOptions::shell_fallback: for candidate i, the argv of
  // `kShellPath CANDIDATE argv[1]...`, run when the candidate gives ENOEXEC;
  // or null.
  char* const* const* shell_argvs = nullptr;
  // Execute this descriptor (execveat AT_EMPTY_PATH) instead of the
  // candidates, with report_fd left open across the exec: linuxns-init.
  int exec_fd = -1;
};

// What the child writes: the failed step, and the joiner's clone. The parent
// reads it once the child has exec'd or exited (shared memory), or from
// report_fd (the SpawnReport part).
struct SpawnOutcome {
  SpawnStep failed_step = SpawnStep::kNone;
  int failed_index = 0;  // which join, move or candidate
  int failed_errno = 0;
  // The joiner's clone (plan.after_joins_stack): its pidfd and pid.
  int after_joins_pidfd = -1;
  long after_joins_pid = 0;
  // Scratch for the descriptor moves: plan.move_count entries, where the
  // child keeps the temporary copy of each source.
  int* move_copies = nullptr;
  // plan.record_count entries, in memory the parent sees in every launch
  // mode (MAP_SHARED): what the child recorded.
  NsRecord* records = nullptr;
};

// What SpawnMain() runs over.
struct SpawnRun {
  const SpawnPlan* plan;
  SpawnOutcome* outcome;
  // Set by the clone (internal::CloneSpec::handlers_cleared): the kernel has
  // reset every caught signal to its default (CLONE_CLEAR_SIGHAND).
  bool handlers_cleared = false;
  // kill_on_parent_death: a pidfd of the thread that clones (PIDFD_THREAD,
  // Linux 6.9), whose exit the death signal follows, or -1 (then
  // plan.parent_pidfd, the process, is watched).
  int parent_thread_pidfd = -1;
};

// The mount steps: new root, mounts, /proc, /sys, pivot_root (mounts.cc).
// Returns false after Fail() on error.
bool ApplyMounts(const SpawnPlan& plan, SpawnOutcome& outcome);

// Records the failed step in `outcome` (and sends it to plan.report_fd, if
// any); returns false.
bool Fail(const SpawnPlan& plan, SpawnOutcome& outcome, SpawnStep step, long result, int index = 0);

// Runs every step of `plan` in the calling process, ending with execve
// (`handlers_cleared`: see SpawnRun).
// Returns only on failure (false), with the outcome's failure set. With
// plan.after_joins_stack set, the steps after the joins run in a clone (see
// SpawnPlan), and this returns true once that clone has exec'd or failed.
bool RunSpawnSteps(const SpawnRun& run);

// The child's main function, for linuxns_clone3_run() / clone(2), over a
// SpawnRun: RunSpawnSteps(), then exit 127 on failure, 0 for a joiner whose
// clone ran.
int SpawnMain(void* run);

}  // namespace linuxns::child

#endif  // LINUXNS_LIB_CHILD_SPAWN_H_
