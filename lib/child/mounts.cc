// The mount steps of a spawned child: new root, bind and tmpfs mounts, a
// minimal /dev, /proc, /sys, pivot_root. Raw system calls only (see
// raw_syscall.h).
//
// Every target is opened under the root with openat2(RESOLVE_IN_ROOT |
// RESOLVE_NO_SYMLINKS) and mounted on through its /proc/self/fd path, so a
// symbolic link planted in the new root can never redirect a mount outside
// it (RELIABILITY rule 6). Without openat2 the same is done by a walk, one
// component at a time (WalkInRoot).
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#include "kernel_constants.h"
#include "raw_syscall.h"
#include "spawn.h"

namespace linuxns::child {
namespace {

struct OpenHow {
  unsigned long long flags, mode, resolve;
};
constexpr unsigned long long kResolveNoMagiclinks = 0x02;
constexpr unsigned long long kResolveNoSymlinks = 0x04;
constexpr unsigned long long kResolveInRoot = 0x10;

// The resolution of OpenInRoot() for a kernel without openat2 (before 5.6,
// or one whose seccomp policy refuses it): one component at a time, each
// opened O_PATH|O_NOFOLLOW below the last. A symbolic link is refused with
// ELOOP, as RESOLVE_NO_SYMLINKS does, and a ".." component with EXDEV (it is
// the one thing RESOLVE_IN_ROOT would clamp at the root that a walk cannot
// without remembering where it has been).
long WalkInRoot(int root_fd, const char* path) {
  long dir = RawSyscall(SYS_fcntl, root_fd, F_DUPFD_CLOEXEC, 0);
  const char* p = path;
  while (dir >= 0) {
    while (*p == '/') ++p;
    if (*p == '\0') return dir;
    char name[256];
    int n = 0;
    for (; p[n] != '\0' && p[n] != '/'; ++n) {
      if (n == 255) {
        RawSyscall(SYS_close, dir);
        return -ENAMETOOLONG;
      }
      name[n] = p[n];
    }
    name[n] = '\0';
    p += n;
    if (n == 1 && name[0] == '.') continue;
    if (n == 2 && name[0] == '.' && name[1] == '.') {
      RawSyscall(SYS_close, dir);
      return -EXDEV;
    }
    const long next = RawSyscall(SYS_openat, dir, Arg(name), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    RawSyscall(SYS_close, dir);
    if (next < 0) return next;
    struct stat st;
    const long r = RawSyscall(SYS_fstat, next, Arg(&st));
    if (r < 0 || S_ISLNK(st.st_mode)) {
      RawSyscall(SYS_close, next);
      return r < 0 ? r : -ELOOP;
    }
    dir = next;
  }
  return dir;
}

long OpenInRoot(int root_fd, const char* path) {
  OpenHow how{O_PATH | O_CLOEXEC, 0, kResolveInRoot | kResolveNoSymlinks | kResolveNoMagiclinks};
  const long fd = RawSyscall(SYS_openat2, root_fd, Arg(path), Arg(&how), sizeof how);
  return fd == -ENOSYS ? WalkInRoot(root_fd, path) : fd;
}

// "/proc/self/fd/N" in `buf`, which has room for it.
const char* FdPath(char (&buf)[32], long fd) {
  const char prefix[] = "/proc/self/fd/";
  int n = 0;
  for (; prefix[n] != '\0'; ++n) buf[n] = prefix[n];
  char digits[12];
  int d = 0;
  do {
    digits[d++] = static_cast<char>('0' + fd % 10);
    fd /= 10;
  } while (fd > 0);
  while (d > 0) buf[n++] = digits[--d];
  buf[n] = '\0';
  return buf;
}

// The MS_* flags a read-only bind remount must keep (in a user namespace the
// kernel refuses to drop nosuid, nodev, noexec or atime flags it locked).
unsigned long KeptFlags(long fd) {
  struct statfs st;
  if (RawSyscall(SYS_fstatfs, fd, Arg(&st)) < 0) return 0;
  unsigned long flags = 0;
  if (st.f_flags & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flags & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flags & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flags & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flags & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flags & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

bool ApplyMount(const SpawnPlan& plan, SpawnOutcome& outcome, int root_fd, int i) {
  const MountStep& m = plan.mounts[i];
  long target = OpenInRoot(root_fd, m.target);
  if (target < 0) return Fail(plan, outcome, SpawnStep::kOpenTarget, target, i);
  char target_path[32];
  FdPath(target_path, target);
  long r;
  if (m.tmpfs) {
    r = RawSyscall(SYS_mount, Arg("tmpfs"), Arg(target_path), Arg("tmpfs"), MS_NOSUID | MS_NODEV,
                   Arg(m.options));
    RawSyscall(SYS_close, target);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kMountTmpfs, r, i);
    return true;
  }
  long source = RawSyscall(SYS_openat, AT_FDCWD, Arg(m.source), O_PATH | O_CLOEXEC);
  if (source < 0) {
    RawSyscall(SYS_close, target);
    return Fail(plan, outcome, SpawnStep::kOpenSource, source, i);
  }
  char source_path[32];
  r = RawSyscall(SYS_mount, Arg(FdPath(source_path, source)), Arg(target_path), 0, MS_BIND | MS_REC,
                 0);
  RawSyscall(SYS_close, source);
  RawSyscall(SYS_close, target);
  if (r < 0) return Fail(plan, outcome, SpawnStep::kBindMount, r, i);
  if (!m.read_only) return true;
  // Opened again, the target is now the bind mount itself.
  long mounted = OpenInRoot(root_fd, m.target);
  if (mounted < 0) return Fail(plan, outcome, SpawnStep::kRemountReadOnly, mounted, i);
  char mounted_path[32];
  r = RawSyscall(SYS_mount, 0, Arg(FdPath(mounted_path, mounted)), 0,
                 static_cast<long>(MS_REMOUNT | MS_BIND | MS_RDONLY | KeptFlags(mounted)), 0);
  RawSyscall(SYS_close, mounted);
  if (r < 0) return Fail(plan, outcome, SpawnStep::kRemountReadOnly, r, i);
  return true;
}

bool MountKernelFs(const SpawnPlan& plan, SpawnOutcome& outcome, int root_fd, const char* where,
                   const char* fstype, SpawnStep step) {
  long target = OpenInRoot(root_fd, where);
  if (target == -ELOOP && step == SpawnStep::kMountProc) {
    return Fail(plan, outcome, SpawnStep::kProcIsSymlink, target);
  }
  if (target < 0) return Fail(plan, outcome, step, target);
  char path[32];
  long r = RawSyscall(SYS_mount, Arg(fstype), Arg(FdPath(path, target)), Arg(fstype),
                      MS_NOSUID | MS_NODEV | MS_NOEXEC, 0);
  RawSyscall(SYS_close, target);
  if (r < 0) return Fail(plan, outcome, step, r);
  return true;
}

// SpawnPlan::minimal_dev, part one: the caller's device nodes (kDevNodes),
// opened O_PATH before any mount of this child can cover /dev (without a new
// root the tmpfs goes onto that very /dev). The child opens them, not the
// parent: the source of a bind mount must be a mount of the binder's own
// mount namespace (EINVAL otherwise), and this one is new. All are -1 or
// open on return; on failure `which` is the node.
long OpenDevNodes(long (&nodes)[kDevNodeCount], int& which) {
  for (long& node : nodes) node = -1;
  for (int i = 0; i < kDevNodeCount; ++i) {
    // "/dev/" and the name, bounded (the longest, "/dev/urandom", is 12).
    char path[32];
    const char prefix[] = "/dev/";
    int n = 0;
    for (; prefix[n] != '\0'; ++n) path[n] = prefix[n];
    for (const char* c = kDevNodes[i]; *c != '\0' && n < static_cast<int>(sizeof path) - 1; ++c) {
      path[n++] = *c;
    }
    path[n] = '\0';
    nodes[i] = RawSyscall(SYS_openat, AT_FDCWD, Arg(path), O_PATH | O_CLOEXEC);
    if (nodes[i] < 0) {
      which = i;
      return nodes[i];
    }
  }
  return 0;
}

void CloseDevNodes(long (&nodes)[kDevNodeCount]) {
  for (long& fd : nodes) {
    if (fd >= 0) RawSyscall(SYS_close, fd);
    fd = -1;
  }
}

// Part two: a small tmpfs on /dev under the root (resolved as every target
// is); returns it, opened again (the mount itself), or -errno.
long MountDevTmpfs(int root_fd) {
  long target = OpenInRoot(root_fd, "/dev");
  if (target < 0) return target;
  char path[32];
  const long r = RawSyscall(SYS_mount, Arg("tmpfs"), Arg(FdPath(path, target)), Arg("tmpfs"),
                            MS_NOSUID | MS_NODEV | MS_NOEXEC, Arg("mode=0755,size=64k"));
  RawSyscall(SYS_close, target);
  if (r < 0) return r;
  return OpenInRoot(root_fd, "/dev");
}

// Part three: the entries of the new /dev: an empty file for each node to be
// bound on, the directories and symbolic links of kDevEntries (`which`: the
// index of kMakeDevEntry). Their modes do not matter: each file and directory
// is covered by a mount.
long MakeDevEntries(long dev, int& which) {
  long r = 0;
  for (int i = 0; r >= 0 && i < kDevNodeCount; ++i) {
    which = i;
    r = RawSyscall(SYS_openat, dev, Arg(kDevNodes[i]),
                   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (r >= 0) RawSyscall(SYS_close, r);
  }
  for (int i = 0; r >= 0 && i < kDevEntryCount; ++i) {
    which = kDevNodeCount + i;
    const DevEntry& e = kDevEntries[i];
    r = e.link != nullptr ? RawSyscall(SYS_symlinkat, Arg(e.link), dev, Arg(e.name))
                          : RawSyscall(SYS_mkdirat, dev, Arg(e.name), 0755);
  }
  return r < 0 ? r : 0;
}

// An entry of the new /dev, opened without following a symbolic link, for a
// mount onto it.
long OpenDevEntry(long dev, const char* name) {
  return RawSyscall(SYS_openat, dev, Arg(name), O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

// Part four: each node bound onto its file (`which`: the node).
long BindDevNodes(long dev, const long (&nodes)[kDevNodeCount], int& which) {
  for (int i = 0; i < kDevNodeCount; ++i) {
    which = i;
    const long file = OpenDevEntry(dev, kDevNodes[i]);
    if (file < 0) return file;
    char source[32];
    char target[32];
    const long r = RawSyscall(SYS_mount, Arg(FdPath(source, nodes[i])), Arg(FdPath(target, file)),
                              0, MS_BIND | MS_REC, 0);
    RawSyscall(SYS_close, file);
    if (r < 0) return r;
  }
  return 0;
}

// Mounts `fstype` with `options` on the entry `name` of the new /dev.
long MountOnDevEntry(long dev, const char* name, const char* fstype, long flags,
                     const char* options) {
  const long target = OpenDevEntry(dev, name);
  if (target < 0) return target;
  char path[32];
  const long r = RawSyscall(SYS_mount, Arg(fstype), Arg(FdPath(path, target)), Arg(fstype), flags,
                            Arg(options));
  RawSyscall(SYS_close, target);
  return r;
}

// Part five: a devpts instance of its own on /dev/pts (/dev/ptmx links into
// it). Its ptys belong to group tty (5) as on a host, where the child's user
// namespace maps gid 5; devpts refuses an unmapped gid with EINVAL, and then
// they keep the opener's group.
long MountDevPts(long dev) {
  constexpr long kFlags = MS_NOSUID | MS_NOEXEC;
  const long r =
      MountOnDevEntry(dev, "pts", "devpts", kFlags, "newinstance,ptmxmode=0666,mode=620,gid=5");
  if (r != -EINVAL) return r;
  return MountOnDevEntry(dev, "pts", "devpts", kFlags, "newinstance,ptmxmode=0666,mode=620");
}

}  // namespace

bool ApplyMounts(const SpawnPlan& plan, SpawnOutcome& outcome) {
  if (plan.root == nullptr && plan.mount_count == 0 && !plan.minimal_dev && !plan.mount_proc &&
      !plan.mount_sys) {
    return true;
  }
  long r;
  int which = 0;
  long nodes[kDevNodeCount];
  bool ok = true;
  if (plan.minimal_dev) {
    r = OpenDevNodes(nodes, which);
    if (r < 0) ok = Fail(plan, outcome, SpawnStep::kOpenDevNode, r, which);
  } else {
    for (long& fd : nodes) fd = -1;
  }
  if (ok && plan.root != nullptr && !plan.chroot) {
    // pivot_root wants the new root to be a mount point.
    r = RawSyscall(SYS_mount, Arg(plan.root), Arg(plan.root), 0, MS_BIND | MS_REC, 0);
    if (r < 0) ok = Fail(plan, outcome, SpawnStep::kRootBind, r);
  }
  long root_fd = -1;
  if (ok) {
    root_fd = RawSyscall(SYS_openat, AT_FDCWD, Arg(plan.root ? plan.root : "/"),
                         O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) ok = Fail(plan, outcome, SpawnStep::kOpenRoot, root_fd);
  }
  const int root = static_cast<int>(root_fd);
  for (int i = 0; ok && i < plan.mount_count; ++i) ok = ApplyMount(plan, outcome, root, i);
  if (ok && plan.minimal_dev) {
    const long dev = MountDevTmpfs(root);
    if (dev < 0) ok = Fail(plan, outcome, SpawnStep::kMountDev, dev);
    if (ok) {
      r = MakeDevEntries(dev, which);
      if (r < 0) ok = Fail(plan, outcome, SpawnStep::kMakeDevEntry, r, which);
    }
    if (ok) {
      r = BindDevNodes(dev, nodes, which);
      if (r < 0) ok = Fail(plan, outcome, SpawnStep::kBindDevNode, r, which);
    }
    if (ok) {
      r = MountDevPts(dev);
      if (r < 0) ok = Fail(plan, outcome, SpawnStep::kMountDevPts, r);
    }
    if (ok) {
      r = MountOnDevEntry(dev, "shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
      if (r < 0) ok = Fail(plan, outcome, SpawnStep::kMountDevShm, r);
    }
    if (dev >= 0) RawSyscall(SYS_close, dev);
  }
  CloseDevNodes(nodes);
  if (ok && plan.mount_proc)
    ok = MountKernelFs(plan, outcome, root, plan.proc_target, "proc", SpawnStep::kMountProc);
  if (ok && plan.mount_sys)
    ok = MountKernelFs(plan, outcome, root, "/sys", "sysfs", SpawnStep::kMountSys);
  if (ok && plan.root != nullptr && plan.chroot) {
    r = RawSyscall(SYS_fchdir, root);
    if (r == 0) r = RawSyscall(SYS_chroot, Arg("."));
    if (r == 0) r = RawSyscall(SYS_chdir, Arg("/"));
    if (r < 0) ok = Fail(plan, outcome, SpawnStep::kChroot, r);
  } else if (ok && plan.root != nullptr) {
    // The old root is stacked under the new one, then detached.
    r = RawSyscall(SYS_fchdir, root);
    if (r == 0) r = RawSyscall(SYS_pivot_root, Arg("."), Arg("."));
    if (r < 0) {
      ok = Fail(plan, outcome, SpawnStep::kPivotRoot, r);
    } else {
      r = RawSyscall(SYS_umount2, Arg("."), MNT_DETACH);
      if (r == 0) r = RawSyscall(SYS_chdir, Arg("/"));
      if (r < 0) ok = Fail(plan, outcome, SpawnStep::kUmountOldRoot, r);
    }
  }
  if (root_fd >= 0) RawSyscall(SYS_close, root);
  return ok;
}

}  // namespace linuxns::child
