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

enum class SpawnStep : std::int32_t {
  kNone = 0,
  kWaitForParent,
  kWriteSetgroups,
  kWriteUidMap,
  kWriteGidMap,
  kSetns,
  kPropagation,
  kSethostname,
  kSetdomainname,
  kProcIsSymlink,
  kMountProc,
  kMountSys,
  kLoopback,
  kChdir,
  kSetsid,
  kRlimit,
  kSetgroups,
  kSetgid,
  kSetuid,
  kCapabilities,
  kNoNewPrivs,
  kSetnsProcess,
  kParentDeathSignal,
  kParentGone,
  kDupFd,
  kCloseFds,
  kResetSignals,
  kExec,
};

// What the child writes to report_fd when a step fails.
struct SpawnReport {
  SpawnStep step;
  std::int32_t index;
  std::int32_t err;
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

  // Namespaces to enter, in order.
  const int* join_fds = nullptr;
  const int* join_types = nullptr;  // CLONE_NEW* of each
  int join_count = 0;
  // setns(pidfd, flags) of a whole process, or -1.
  int join_pidfd = -1;
  int join_pidfd_flags = 0;

  unsigned long propagation = 0;  // MS_* flags for "/", 0 to leave it
  const char* hostname = nullptr;
  std::size_t hostname_len = 0;
  const char* domainname = nullptr;
  std::size_t domainname_len = 0;
  bool mount_proc = false;
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
  // kill_on_parent_death: a pidfd of the parent process, or -1.
  int parent_pidfd = -1;

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

  // Result, written by the child on failure.
  SpawnStep failed_step = SpawnStep::kNone;
  int failed_index = 0;  // which join, move or candidate
  int failed_errno = 0;
};

// Runs every step of `plan` in the calling process, ending with execve.
// Returns only on failure (false), with the plan's result fields set.
bool RunSpawnSteps(SpawnPlan& plan);

// The child's main function, for linuxns_clone3_run() / clone(2):
// RunSpawnSteps(), then exit 127.
int SpawnMain(void* plan);

}  // namespace linuxns::child

#endif  // LINUXNS_LIB_CHILD_SPAWN_H_
