// Private, child side: the process that holds a Namespace's namespaces.
//
// Namespace::Create() clones this program (CLONE_VM, its own small stack) with
// the CLONE_NEW* flags asked for, so the kernel creates the namespaces with
// the process. The parent then opens them through the child's pidfd. The
// holder keeps only two descriptors (the parent's pidfd and a report pipe),
// does the few steps that must happen inside (a time namespace with offsets
// must be unshared and given its offsets before anyone enters it), reports,
// then sleeps until the parent process exits or kills it. As PID 1 of a new
// pid namespace it ignores SIGCHLD so the kernel reaps orphans for it.
//
// Everything here is async-signal-safe and touches no thread-local storage
// (see raw_syscall.h).
#ifndef LINUXNS_LIB_CHILD_HOLDER_H_
#define LINUXNS_LIB_CHILD_HOLDER_H_

#include <cstddef>
#include <cstdint>

namespace linuxns::child {

// Which step failed, as the holder reports it. kReady means success.
enum class HolderStep : std::int32_t {
  kReady = 0,
  kCloseFds,
  kIgnoreSigchld,
  kUnshareTime,
  kOpenTimensOffsets,
  kWriteTimensOffsets,
};

// What the holder reports on its pipe: one record, written once.
struct HolderReport {
  HolderStep step;
  std::int32_t err;  // errno of the failed step, 0 for kReady
};

// Prepared entirely by the parent before the clone.
struct HolderPlan {
  int parent_pidfd = -1;  // the parent process's pidfd: exit when it exits
  int report_fd = -1;     // write end of the report pipe
  bool pid_init = false;  // the holder is PID 1 of a new pid namespace
  bool unshare_time = false;
  const char* timens_offsets = nullptr;  // text for /proc/self/timens_offsets
  std::size_t timens_offsets_len = 0;
};

// The holder's main function, for linuxns_clone3_run() / clone(2). `plan`
// points to a HolderPlan that stays valid until the holder has reported.
int HolderMain(void* plan);

// Closes every descriptor from `first` up except those in `keep` (sorted
// ascending), with close_range(2) over the gaps. Returns 0 or -errno.
int CloseFdsFrom(int first, const int* keep, int keep_count);

// Closes descriptors first..last (close_range(2), or a loop up to the
// RLIMIT_NOFILE soft limit before Linux 5.9). Returns 0 or -errno.
int CloseFdRange(unsigned first, unsigned last);

}  // namespace linuxns::child

#endif  // LINUXNS_LIB_CHILD_HOLDER_H_
