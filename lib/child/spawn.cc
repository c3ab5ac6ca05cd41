#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "clone_trampoline.h"
#include "holder.h"
#include "kernel_constants.h"
#include "raw_syscall.h"

namespace linuxns::child {

bool Fail(const SpawnPlan& plan, SpawnOutcome& outcome, SpawnStep step, long result, int index) {
  outcome.failed_step = step;
  outcome.failed_index = index;
  outcome.failed_errno = static_cast<int>(-result);
  if (plan.report_fd >= 0) {
    SpawnReport report{step, index, outcome.failed_errno};
    RawSyscall(SYS_write, plan.report_fd, Arg(&report), sizeof report);
  }
  return false;
}

namespace {

// Writes all of `len` bytes to the file at `path` in one write().
long WriteFile(const char* path, const char* data, std::size_t len) {
  long fd = RawSyscall(SYS_openat, AT_FDCWD, Arg(path), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fd;
  long n = RawSyscall(SYS_write, fd, Arg(data), static_cast<long>(len));
  RawSyscall(SYS_close, fd);
  if (n >= 0 && static_cast<std::size_t>(n) != len) return -EIO;
  return n < 0 ? n : 0;
}

long BringLoopbackUp() {
  long sock = RawSyscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return sock;
  ifreq ifr;
  char* bytes = reinterpret_cast<char*>(&ifr);
  for (std::size_t i = 0; i < sizeof ifr; ++i) bytes[i] = 0;
  ifr.ifr_name[0] = 'l';
  ifr.ifr_name[1] = 'o';
  long r = RawSyscall(SYS_ioctl, sock, SIOCGIFFLAGS, Arg(&ifr));
  if (r == 0) {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    r = RawSyscall(SYS_ioctl, sock, SIOCSIFFLAGS, Arg(&ifr));
  }
  RawSyscall(SYS_close, sock);
  return r;
}

// Fills `record` from statx(2) of `path` (left zero on failure).
void RecordNamespace(const char* path, NsRecord& record) {
  struct statx stx;
  if (RawSyscall(SYS_statx, AT_FDCWD, Arg(path), 0, STATX_INO, Arg(&stx)) != 0) return;
  record.dev_major = stx.stx_dev_major;
  record.dev_minor = stx.stx_dev_minor;
  record.ino = stx.stx_ino;
}

// SpawnPlan::root_fd: fchdir(2) to it and chroot("."), then back to the
// working directory from before, as `nsenter --root` does.
long EnterRoot(int root_fd) {
  const long here = RawSyscall(SYS_openat, AT_FDCWD, Arg("."), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (here < 0) return here;
  long r = RawSyscall(SYS_fchdir, root_fd);
  if (r == 0) r = RawSyscall(SYS_chroot, Arg("."));
  const long back = RawSyscall(SYS_fchdir, here);
  RawSyscall(SYS_close, here);
  return r < 0 ? r : back;
}

// capget(2)/capset(2) of the calling thread (_LINUX_CAPABILITY_VERSION_3:
// two words of each set).
struct CapHeader {
  unsigned version = 0x20080522;  // _LINUX_CAPABILITY_VERSION_3
  int pid = 0;
};
struct CapData {
  unsigned effective, permitted, inheritable;
};

// Makes every permitted capability inheritable and ambient, so that it
// survives execve of a program that is not set-user-ID root.
long KeepCapabilities(int last_cap) {
  CapHeader header;
  CapData data[2];
  long r = RawSyscall(SYS_capget, Arg(&header), Arg(data));
  if (r < 0) return r;
  data[0].effective = data[0].permitted;
  data[1].effective = data[1].permitted;
  data[0].inheritable = data[0].permitted;
  data[1].inheritable = data[1].permitted;
  r = RawSyscall(SYS_capset, Arg(&header), Arg(data));
  if (r < 0) return r;
  for (int cap = 0; cap <= last_cap; ++cap) {
    if ((data[cap / 32].permitted & (1u << (cap % 32))) == 0) continue;
    r = RawSyscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
    if (r < 0) return r;
  }
  return 0;
}

// True when the calling thread has CAP_SYS_ADMIN in its effective set.
bool HasCapSysAdmin() {
  CapHeader header;
  CapData data[2];
  if (RawSyscall(SYS_capget, Arg(&header), Arg(data)) < 0) return false;
  return (data[0].effective & (1u << 21 /* CAP_SYS_ADMIN */)) != 0;
}

// The steps after the namespace joins, up to execve.
bool RunStepsAfterJoins(const SpawnRun& run);

int AfterJoinsMain(void* arg) {
  RunStepsAfterJoins(*static_cast<const SpawnRun*>(arg));
  RawExit(127);
}

// struct clone_args of <linux/sched.h>, as far as the joiner needs it.
struct CloneArgs {
  unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

// The joiner's clone into the joined pid namespace (see SpawnPlan). The
// joiner's handlers are cleared already (it was cloned with them cleared),
// and the clone copies them.
bool CloneAfterJoins(const SpawnRun& parent_run) {
  const SpawnPlan& plan = *parent_run.plan;
  SpawnOutcome& outcome = *parent_run.outcome;
  CloneArgs args{};
  args.flags = CLONE_PARENT | CLONE_VM | CLONE_VFORK | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<unsigned long long>(&outcome.after_joins_pidfd);
  args.stack =
      reinterpret_cast<unsigned long long>(plan.after_joins_stack) - plan.after_joins_stack_size;
  args.stack_size = plan.after_joins_stack_size;
  SpawnRun run = parent_run;
  run.handlers_cleared = true;
  const long pid = linuxns_clone3_run(&args, sizeof args, &AfterJoinsMain, &run);
  if (pid < 0) return Fail(plan, outcome, SpawnStep::kCloneIntoPidNamespace, pid);
  // Here once the clone has exec'd or exited; a failure of its steps is in
  // the outcome already.
  outcome.after_joins_pid = pid;
  return true;
}

// The calling thread's credentials (SpawnPlan::caller_uid), when the thread
// that cloned us has others.
long TakeCallerCredentials(const SpawnPlan& plan) {
  long r = 0;
  if (plan.caller_group_count >= 0) {
    r = RawSyscall(SYS_setgroups, plan.caller_group_count, Arg(plan.caller_groups));
    if (r < 0) return r;
  }
  if (plan.caller_gid[0] >= 0) {
    r = RawSyscall(SYS_setresgid, plan.caller_gid[0], plan.caller_gid[1], plan.caller_gid[2]);
    if (r < 0) return r;
  }
  if (plan.caller_uid[0] >= 0) {
    r = RawSyscall(SYS_setresuid, plan.caller_uid[0], plan.caller_uid[1], plan.caller_uid[2]);
  }
  return r;
}

// Gives the signals of plan.reset_signals their default action and, in a
// CLONE_VM child whose handlers the clone could not clear, every caught one,
// so that no handler of the host can run here; the command inherits the
// ignored ones otherwise, as across execve(2).
long ResetSignals(const SpawnPlan& plan, bool handlers_cleared, int& failed_signal) {
  const bool query = plan.must_clear_handlers && !handlers_cleared;
  if (plan.reset_signals == 0 && !query) return 0;
  KernelSigaction dfl{SIG_DFL, 0, nullptr, 0};
  for (int sig = 1; sig < 65; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    if (((plan.reset_signals >> (sig - 1)) & 1) == 0) {
      if (!query) continue;
      KernelSigaction old{SIG_DFL, 0, nullptr, 0};
      long q = RawSyscall(SYS_rt_sigaction, sig, 0, Arg(&old), sizeof(unsigned long));
      if (q < 0 || old.handler == SIG_DFL || old.handler == SIG_IGN) continue;
    }
    long r = RawSyscall(SYS_rt_sigaction, sig, Arg(&dfl), 0, sizeof(unsigned long));
    if (r < 0 && r != -EINVAL) {
      failed_signal = sig;
      return r;
    }
  }
  return 0;
}

}  // namespace

bool RunSpawnSteps(const SpawnRun& run) {
  const SpawnPlan& plan = *run.plan;
  SpawnOutcome& outcome = *run.outcome;
  long r;

  if (plan.wait_fd >= 0) {
    char go;
    do {
      r = RawSyscall(SYS_read, plan.wait_fd, Arg(&go), 1);
    } while (r == -EINTR);
    if (r != 1) return Fail(plan, outcome, SpawnStep::kWaitForParent, r < 0 ? r : -EPIPE);
  }
  r = TakeCallerCredentials(plan);
  if (r < 0) return Fail(plan, outcome, SpawnStep::kCallerCredentials, r);

  if (plan.write_setgroups_deny) {
    r = WriteFile("/proc/self/setgroups", "deny", 4);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kWriteSetgroups, r);
  }
  if (plan.uid_map != nullptr) {
    r = WriteFile("/proc/self/uid_map", plan.uid_map, plan.uid_map_len);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kWriteUidMap, r);
  }
  if (plan.gid_map != nullptr) {
    r = WriteFile("/proc/self/gid_map", plan.gid_map, plan.gid_map_len);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kWriteGidMap, r);
  }

  if (plan.unshare_time) {
    // The exec moves us into time_for_children, which has our offsets.
    r = RawSyscall(SYS_unshare, CLONE_NEWTIME);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kUnshareTime, r);
  }
  if (plan.timens_offsets != nullptr) {
    r = WriteFile("/proc/self/timens_offsets", plan.timens_offsets, plan.timens_offsets_len);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kWriteTimensOffsets, r);
  }

  for (int i = 0; i < plan.join_count; ++i) {
    r = RawSyscall(SYS_setns, plan.join_fds[i], plan.join_types[i]);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kSetns, r, i);
  }

  if (plan.join_pidfd >= 0) {
    r = RawSyscall(SYS_setns, plan.join_pidfd, plan.join_pidfd_flags);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kSetnsProcess, r);
  }

  if (plan.after_joins_stack != nullptr) return CloneAfterJoins(run);
  return RunStepsAfterJoins(run);
}

namespace {

bool RunStepsAfterJoins(const SpawnRun& run) {
  const SpawnPlan& plan = *run.plan;
  SpawnOutcome& outcome = *run.outcome;
  long r;
  // Not a step: a file that cannot be read leaves its record zero.
  for (int i = 0; i < plan.record_count; ++i)
    RecordNamespace(plan.record_paths[i], outcome.records[i]);
  if (plan.propagation != 0) {
    r = RawSyscall(SYS_mount, 0, Arg("/"), 0, static_cast<long>(plan.propagation), 0);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kPropagation, r);
  }
  if (plan.root_fd >= 0) {
    r = EnterRoot(plan.root_fd);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kEnterRoot, r);
  }
  if (plan.cwd_fd >= 0) {
    r = RawSyscall(SYS_fchdir, plan.cwd_fd);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kEnterCwd, r);
  }
  if (plan.hostname != nullptr) {
    r = RawSyscall(SYS_sethostname, Arg(plan.hostname), static_cast<long>(plan.hostname_len));
    if (r < 0) return Fail(plan, outcome, SpawnStep::kSethostname, r);
  }
  if (plan.domainname != nullptr) {
    r = RawSyscall(SYS_setdomainname, Arg(plan.domainname), static_cast<long>(plan.domainname_len));
    if (r < 0) return Fail(plan, outcome, SpawnStep::kSetdomainname, r);
  }
  if (!ApplyMounts(plan, outcome)) return false;
  if (plan.loopback_up) {
    r = BringLoopbackUp();
    if (r < 0) return Fail(plan, outcome, SpawnStep::kLoopback, r);
  }
  if (plan.cwd != nullptr) {
    r = RawSyscall(SYS_chdir, Arg(plan.cwd));
    if (r < 0) return Fail(plan, outcome, SpawnStep::kChdir, r);
  }
  if (plan.umask >= 0) RawSyscall(SYS_umask, plan.umask);
  if (plan.new_session) {
    r = RawSyscall(SYS_setsid);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kSetsid, r);
  }

  for (int i = 0; i < plan.rlimit_count; ++i) {
    const SpawnPlan::RlimitSetting& l = plan.rlimits[i];
    struct KernelRlimit64 {  // the kernel's struct rlimit64
      unsigned long long cur, max;
    } value{l.soft, l.hard};
    r = RawSyscall(SYS_prlimit64, 0, l.resource, Arg(&value), 0);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kRlimit, r, i);
  }
  // Before the uid change, which drops CAP_SETPCAP.
  for (int i = 0; i < plan.drop_bounding_count; ++i) {
    r = RawSyscall(SYS_prctl, PR_CAPBSET_DROP, plan.drop_bounding[i], 0, 0, 0);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kDropBounding, r, i);
  }
  if (plan.group_count >= 0) {
    r = RawSyscall(SYS_setgroups, plan.group_count, Arg(plan.groups));
    if (r < 0) return Fail(plan, outcome, SpawnStep::kSetgroups, r);
  }
  if (plan.gid >= 0) {
    r = RawSyscall(SYS_setresgid, plan.gid, plan.gid, plan.gid);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kSetgid, r);
  }
  if (plan.uid >= 0) {
    // Keep the permitted set across the uid change when the caps are to be
    // kept: it is what they are raised from below.
    if (plan.keep_capabilities) RawSyscall(SYS_prctl, PR_SET_KEEPCAPS, 1, 0, 0, 0);
    r = RawSyscall(SYS_setresuid, plan.uid, plan.uid, plan.uid);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kSetuid, r);
  }
  if (plan.keep_capabilities) {
    r = KeepCapabilities(plan.cap_last_cap);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kCapabilities, r);
  }
  if (plan.no_new_privs || (plan.seccomp_no_new_privs_unless_admin && !HasCapSysAdmin())) {
    r = RawSyscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kNoNewPrivs, r);
  }
  if (plan.parent_pidfd >= 0) {
    // After the credential changes, which clear the death signal.
    r = RawSyscall(SYS_prctl, PR_SET_PDEATHSIG, plan.parent_death_signal, 0, 0, 0);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kParentDeathSignal, r);
    // The parent may have died before the prctl: then nobody will signal us.
    // The death signal follows the thread that cloned us, which can be gone
    // while the rest of its process is still exiting: watch that thread
    // where the kernel gives a pidfd for one (PIDFD_THREAD, Linux 6.9).
    pollfd p{run.parent_thread_pidfd >= 0 ? run.parent_thread_pidfd : plan.parent_pidfd, POLLIN, 0};
    timespec zero{0, 0};
    if (RawSyscall(SYS_ppoll, Arg(&p), 1, Arg(&zero), 0, 0) > 0) {
      return Fail(plan, outcome, SpawnStep::kParentGone, -ESRCH);
    }
  }

  // Two phases, so that a target number that is also another move's source
  // is not overwritten before it is copied. The copies go to the outcome's
  // scratch space: the plan is read-only.
  for (int i = 0; i < plan.move_count; ++i) {
    r = RawSyscall(SYS_fcntl, plan.moves[i].source, F_DUPFD_CLOEXEC, plan.move_floor);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kDupFd, r, i);
    outcome.move_copies[i] = static_cast<int>(r);
  }
  for (int i = 0; i < plan.move_count; ++i) {
    r = RawSyscall(SYS_dup3, outcome.move_copies[i], plan.moves[i].target, 0);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kDupFd, r, i);
  }
  if (!plan.inherit_fds) {
    r = CloseFdsFrom(3, plan.keep, plan.keep_count);
    if (r < 0) return Fail(plan, outcome, SpawnStep::kCloseFds, r);
  }

  // Every signal is blocked (the parent blocked them around the clone).
  int failed_signal = 0;
  r = ResetSignals(plan, run.handlers_cleared, failed_signal);
  if (r < 0) return Fail(plan, outcome, SpawnStep::kResetSignals, r, failed_signal);
  unsigned long empty = 0;
  RawSyscall(SYS_rt_sigprocmask, SIG_SETMASK, Arg(&empty), 0, sizeof empty);

  // The init reports the command's exec failure on report_fd itself: keep
  // it open across the exec (before the filter, which may forbid fcntl).
  const long keep_report =
      plan.exec_fd >= 0 ? RawSyscall(SYS_fcntl, plan.report_fd, F_SETFD, 0) : 0;
  if (plan.seccomp_filter != nullptr) {
    // Last: from here on the filter governs every call, execve included.
    struct {
      unsigned short len;
      const void* filter;
    } program{plan.seccomp_length, plan.seccomp_filter};  // struct sock_fprog
    r = RawSyscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, Arg(&program));
    if (r < 0) return Fail(plan, outcome, SpawnStep::kSeccomp, r);
  }
  if (plan.exec_fd >= 0) {
    r = keep_report;
    if (r == 0) {
      r = RawSyscall(SYS_execveat, plan.exec_fd, Arg(""), Arg(plan.argv), Arg(plan.envp),
                     AT_EMPTY_PATH);
    }
    return Fail(plan, outcome, SpawnStep::kExec, r, -1);
  }
  long first_error = -ENOENT;
  int first_index = 0;
  bool eacces = false;
  for (int i = 0; i < plan.candidate_count; ++i) {
    r = RawSyscall(SYS_execve, Arg(plan.candidates[i]), Arg(plan.argv), Arg(plan.envp));
    if (r == -ENOEXEC && plan.shell_argvs != nullptr) {
      // Found, but no format the kernel knows: a script for the shell.
      r = RawSyscall(SYS_execve, Arg(kShellPath), Arg(plan.shell_argvs[i]), Arg(plan.envp));
      first_error = r;
      first_index = i;
      break;
    }
    if (r == -ENOENT || r == -ENOTDIR) continue;
    if (r == -EACCES) {
      if (!eacces) first_index = i;
      eacces = true;
      continue;
    }
    first_error = r;
    first_index = i;
    break;
  }
  if (eacces && first_error == -ENOENT) first_error = -EACCES;
  return Fail(plan, outcome, SpawnStep::kExec, first_error, first_index);
}

}  // namespace

int SpawnMain(void* arg) {
  const SpawnRun& run = *static_cast<const SpawnRun*>(arg);
  // True only for a joiner whose clone has run.
  if (RunSpawnSteps(run)) RawExit(0);
  RawExit(127);
}

}  // namespace linuxns::child
