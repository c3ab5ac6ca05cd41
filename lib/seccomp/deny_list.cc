// ContainerDenyList(): nsexec's default filter. docs/seccomp.md gives the
// reason for each entry and compares the list with Docker's and Podman's.
#include <cerrno>

#include "linuxns/ns_type.h"
#include "linuxns/syscall_filter.h"

namespace linuxns {
namespace {

// Calls a process in a container has no business making, whatever its
// namespaces: each reaches something no namespace isolates.
constexpr const char* kAlwaysDenied[] = {
    // Boot another kernel.
    "kexec_load",
    "kexec_file_load",
    // Kernel modules.
    "init_module",
    "finit_module",
    "delete_module",
    // The host's power.
    "reboot",
    // The host's swap.
    "swapon",
    "swapoff",
    // Process accounting, to a file of the caller's choosing, for the host.
    "acct",
    // The host's clocks: no namespace has CLOCK_REALTIME. adjtimex and
    // clock_adjtime step or slew it too (ADJ_SETOFFSET, ADJ_FREQUENCY), which
    // costs the rare reader of the clock's state (ntp_gettime) its answer;
    // stime and the *64 calls are the i386 table's ways to the same.
    "settimeofday",
    "clock_settime",
    "clock_settime64",
    "stime",
    "adjtimex",
    "clock_adjtime",
    "clock_adjtime64",
    // The kernel log.
    "syslog",
    // Raw I/O ports.
    "iopl",
    "ioperm",
    // Kernel keyrings, not namespaced.
    "add_key",
    "request_key",
    "keyctl",
    // Files by handle, outside the command's root.
    "open_by_handle_at",
    // Kernel attack surface.
    "bpf",
    "perf_event_open",
    "userfaultfd",
    // The host's quotas.
    "quotactl",
    "quotactl_fd",
    // Obsolete: profiling cookies, a.out libraries.
    "lookup_dcookie",
    "uselib",
};

// The mount API: denied where the command shares its caller's mount
// namespace, in which a mount would change the host's view.
constexpr const char* kMountApi[] = {
    "mount",   "umount2", "pivot_root", "fsopen",    "fsconfig",
    "fsmount", "fspick",  "move_mount", "open_tree", "mount_setattr",
    "umount",  // the i386 table's umount(2), without flags
};

// The host's names: denied where the command shares its caller's UTS
// namespace.
constexpr const char* kUtsNames[] = {"sethostname", "setdomainname"};

}  // namespace

SyscallFilter ContainerDenyList(NsTypeSet new_namespaces) {
  SyscallFilter filter;
  auto deny = [&](const auto& names) {
    for (const char* name : names) filter.Add(name, SyscallAction::Errno(EPERM));
  };
  deny(kAlwaysDenied);
  if (!new_namespaces.Contains(NsType::kMnt)) deny(kMountApi);
  if (!new_namespaces.Contains(NsType::kUts)) deny(kUtsNames);
  return filter;
}

}  // namespace linuxns
