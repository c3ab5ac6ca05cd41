// The filter of rows A and B (bench/README.md), shared by seccomp_bench and
// spawn_count: 50 rarely used system calls, each errno EPERM, every other
// call allowed, compiled once by linuxns::SyscallFilter (libseccomp).
#ifndef LINUXNS_BENCH_SECCOMP_FILTER_H_
#define LINUXNS_BENCH_SECCOMP_FILTER_H_

#include <errno.h>

#include <string>

#include "absl/status/statusor.h"
#include "linuxns/seccomp_program.h"
#include "linuxns/syscall_filter.h"

namespace linuxns_bench {

// 50 distinct system calls that neither the spawn path nor the exec'd
// programs make (all known to x86_64, x32 and i386, so libseccomp puts each
// in all three tables of the program).
// clang-format off
inline constexpr const char* kRareSyscalls[] = {
    "acct", "add_key", "adjtimex", "bpf", "clock_adjtime", "clock_settime", "delete_module",
    "finit_module", "fsconfig", "fsmount", "fsopen", "fspick", "get_mempolicy", "init_module",
    "io_uring_enter", "io_uring_register", "io_uring_setup", "ioperm", "iopl", "kcmp", "kexec_load",
    "keyctl", "lookup_dcookie", "mbind", "migrate_pages", "mount_setattr", "move_mount",
    "move_pages", "name_to_handle_at", "open_by_handle_at", "open_tree", "perf_event_open",
    "personality", "pivot_root", "process_vm_readv", "process_vm_writev", "quotactl", "reboot",
    "remap_file_pages", "request_key", "set_mempolicy", "setdomainname", "sethostname",
    "settimeofday", "swapoff", "swapon", "sysfs", "syslog", "userfaultfd", "vhangup",
};
// clang-format on
static_assert(sizeof kRareSyscalls / sizeof kRareSyscalls[0] == 50);

inline absl::StatusOr<linuxns::SeccompProgram> CompileRareFilter() {
  linuxns::SyscallFilter filter;  // default: allow
  for (const char* name : kRareSyscalls) filter.Add(name, linuxns::SyscallAction::Errno(EPERM));
  return filter.Compile();
}

}  // namespace linuxns_bench

#endif  // LINUXNS_BENCH_SECCOMP_FILTER_H_
