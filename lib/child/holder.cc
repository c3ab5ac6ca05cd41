#include "holder.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "kernel_constants.h"
#include "raw_syscall.h"

namespace linuxns::child {

int CloseFdRange(unsigned first, unsigned last) {
  if (first > last) return 0;
  long r = RawSyscall(SYS_close_range, first, last, 0);
  if (r != -ENOSYS) return static_cast<int>(r);
  // Before Linux 5.9: close one by one up to the soft limit.
  struct rlimit lim {};
  if (RawSyscall(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, Arg(&lim)) < 0) {
    lim.rlim_cur = 65536;
  }
  unsigned end = lim.rlim_cur < last ? static_cast<unsigned>(lim.rlim_cur) : last;
  for (unsigned fd = first; fd <= end && fd != ~0u; ++fd) RawSyscall(SYS_close, fd);
  return 0;
}

namespace {

[[noreturn]] void Report(int fd, HolderStep step, long err) {
  HolderReport report{step, static_cast<std::int32_t>(-err)};
  RawSyscall(SYS_write, fd, Arg(&report), sizeof report);
  RawExit(1);
}

}  // namespace

int CloseFdsFrom(int first, const int* keep, int keep_count) {
  auto low = static_cast<unsigned>(first);
  for (int i = 0; i < keep_count; ++i) {
    const auto k = static_cast<unsigned>(keep[i]);
    if (k < low) continue;
    if (k > low) {
      int r = CloseFdRange(low, k - 1);
      if (r < 0) return r;
    }
    low = k + 1;
  }
  return CloseFdRange(low, ~0u);
}

int HolderMain(void* arg) {
  const HolderPlan& plan = *static_cast<const HolderPlan*>(arg);
  const int parent = plan.parent_pidfd;
  const int report = plan.report_fd;

  // Hold nothing of the parent's: a pipe end kept open here would keep some
  // reader of the host from ever seeing end-of-file.
  const int keep[2] = {parent < report ? parent : report, parent < report ? report : parent};
  long r = CloseFdsFrom(0, keep, 2);
  if (r < 0) Report(report, HolderStep::kCloseFds, r);

  if (plan.pid_init) {
    KernelSigaction ignore{SIG_IGN, 0, nullptr, 0};
    r = RawSyscall(SYS_rt_sigaction, SIGCHLD, Arg(&ignore), 0, sizeof(unsigned long));
    if (r < 0) Report(report, HolderStep::kIgnoreSigchld, r);
  }
  if (plan.unshare_time) {
    r = RawSyscall(SYS_unshare, CLONE_NEWTIME);
    if (r < 0) Report(report, HolderStep::kUnshareTime, r);
    if (plan.timens_offsets_len > 0) {
      long fd =
          RawSyscall(SYS_openat, AT_FDCWD, Arg("/proc/self/timens_offsets"), O_WRONLY | O_CLOEXEC);
      if (fd < 0) Report(report, HolderStep::kOpenTimensOffsets, fd);
      r = RawSyscall(SYS_write, fd, Arg(plan.timens_offsets),
                     static_cast<long>(plan.timens_offsets_len));
      if (r < 0) Report(report, HolderStep::kWriteTimensOffsets, r);
      RawSyscall(SYS_close, fd);
    }
  }

  HolderReport ready{HolderStep::kReady, 0};
  RawSyscall(SYS_write, report, Arg(&ready), sizeof ready);
  RawSyscall(SYS_close, report);

  // Every signal stays blocked (the parent blocked them all around the
  // clone); SIGKILL from the owning Namespace ends us, and so does the
  // parent's exit, which makes its pidfd readable.
  for (;;) {
    pollfd p{parent, POLLIN, 0};
    if (RawSyscall(SYS_ppoll, Arg(&p), 1, 0, 0, 0) > 0) RawExit(0);
  }
}

}  // namespace linuxns::child
