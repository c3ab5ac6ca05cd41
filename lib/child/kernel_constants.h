// Private: kernel constants that this system's headers may be too old to
// define (glibc 2.36 and Linux 6.1 headers on Debian 12), each with the value
// the kernel's uapi gives it. Definitions only, so that lib/child/ may use it
// too. Whether the running kernel knows them is decided at run time (ENOSYS,
// EINVAL), never here.
#ifndef LINUXNS_LIB_CHILD_KERNEL_CONSTANTS_H_
#define LINUXNS_LIB_CHILD_KERNEL_CONSTANTS_H_

#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_CLEAR_SIGHAND  // Linux 5.5, clone3 only
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef PIDFD_THREAD  // pidfd_open(2) flag, Linux 6.9: a pidfd of one thread (O_EXCL)
#define PIDFD_THREAD 00000200
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_pivot_root
#define SYS_pivot_root 155
#endif

// openat2(2) (<linux/openat2.h>, Linux 5.6): struct open_how, and the resolve
// flags that refuse symbolic links (the same values and spelling as the
// uapi header, so that including both is harmless).
struct LinuxnsOpenHow {
  unsigned long long flags;
  unsigned long long mode;
  unsigned long long resolve;
};
#ifndef RESOLVE_NO_MAGICLINKS
#define RESOLVE_NO_MAGICLINKS 0x02
#endif
#ifndef RESOLVE_NO_SYMLINKS
#define RESOLVE_NO_SYMLINKS 0x04
#endif

#endif  // LINUXNS_LIB_CHILD_KERNEL_CONSTANTS_H_
