// Private: kernel constants that this system's headers may be too old to
// define (glibc 2.36 and Linux 6.1 headers on Debian 12), each with the value
// the kernel's uapi gives it. Definitions only, so that lib/child/ may use it
// too. Whether the running kernel knows them is decided at run time (ENOSYS,
// EINVAL), never here.
#ifndef LINUXNS_LIB_CHILD_KERNEL_CONSTANTS_H_
#define LINUXNS_LIB_CHILD_KERNEL_CONSTANTS_H_

#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cstdint>

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

// nsfs ioctls (Linux 4.9 / 4.11); present in Debian 12's headers, kept here
// for older ones.
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(0xb7, 0x3)
#endif
#ifndef NS_GET_OWNER_UID
#define NS_GET_OWNER_UID _IO(0xb7, 0x4)
#endif

// pidfs ioctls (Linux 6.11): a namespace fd straight from a pidfd.
#ifndef PIDFD_GET_CGROUP_NAMESPACE
#define LINUXNS_PIDFS_IOCTL_MAGIC 0xFF
#define PIDFD_GET_CGROUP_NAMESPACE _IO(LINUXNS_PIDFS_IOCTL_MAGIC, 1)
#define PIDFD_GET_IPC_NAMESPACE _IO(LINUXNS_PIDFS_IOCTL_MAGIC, 2)
#define PIDFD_GET_MNT_NAMESPACE _IO(LINUXNS_PIDFS_IOCTL_MAGIC, 3)
#define PIDFD_GET_NET_NAMESPACE _IO(LINUXNS_PIDFS_IOCTL_MAGIC, 4)
#define PIDFD_GET_PID_NAMESPACE _IO(LINUXNS_PIDFS_IOCTL_MAGIC, 5)
#define PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE _IO(LINUXNS_PIDFS_IOCTL_MAGIC, 6)
#define PIDFD_GET_TIME_NAMESPACE _IO(LINUXNS_PIDFS_IOCTL_MAGIC, 7)
#define PIDFD_GET_TIME_FOR_CHILDREN_NAMESPACE _IO(LINUXNS_PIDFS_IOCTL_MAGIC, 8)
#define PIDFD_GET_USER_NAMESPACE _IO(LINUXNS_PIDFS_IOCTL_MAGIC, 9)
#define PIDFD_GET_UTS_NAMESPACE _IO(LINUXNS_PIDFS_IOCTL_MAGIC, 10)
#endif

// pidfd information (Linux 6.13), with the exit status kept for pidfd holders
// after the process was reaped (PIDFD_INFO_EXIT, Linux 6.15).
struct LinuxnsPidfdInfo {
  std::uint64_t mask;
  std::uint64_t cgroupid;
  std::uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
  std::int32_t exit_code;  // a wait status, as waitpid(2) would give it
};
#define LINUXNS_PIDFD_GET_INFO _IOWR(0xFF, 11, struct LinuxnsPidfdInfo)
#define LINUXNS_PIDFD_INFO_EXIT (1UL << 3)

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#ifndef PID_FS_MAGIC  // pidfs (Linux 6.9), where pidfds live
#define PID_FS_MAGIC 0x50494446
#endif
#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

#endif  // LINUXNS_LIB_CHILD_KERNEL_CONSTANTS_H_
