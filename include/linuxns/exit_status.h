// linuxns/exit_status.h: how a process ended.
//
// ExitStatus is either "exited with code N" or "killed by signal S" (with the
// core-dump flag), as waitid(2) reports it. ShellCode() folds it into one
// number the way shells and util-linux tools do: the code itself, or 128 + S.
//
//   absl::StatusOr<linuxns::ExitStatus> st = child.Wait();
//   if (st.ok() && st->signaled()) std::cerr << "killed by " << *st << "\n";
//   if (st.ok() && st->usage()) std::cerr << "cpu " << st->usage()->cpu() << "\n";
//   return st.ok() ? st->ShellCode() : 1;
//
// Resource usage: a status that came from reaping the process (what
// ChildProcess::Wait() and WaitFor(), and so Run(), return) also carries the
// kernel's accounting of it, ResourceUsage, taken by the same waitid system
// call that reaped it (the raw syscall's fifth argument, struct rusage; see
// wait4(2) and getrusage(2)); no further system call is made. What the kernel
// gives there is getrusage(RUSAGE_BOTH) of the dead process: the CPU time of
// all its threads plus that of every descendant it waited for itself (its
// own children reaped by wait*, and recursively theirs), and the largest
// peak RSS of either. Descendants nobody waited for (orphans reaped by an
// init or subreaper, or by a SIGCHLD set to SIG_IGN) are not in it. So with
// SpawnOptions::init the usage covers the init, the command and every orphan
// the init reaped.
// The peak RSS also covers the memory the process had before its last
// execve (exec_mmap records the old image's high-water mark): for a child
// cloned with CLONE_VM, as ChildProcess::Spawn() does on the common path,
// that old image was the parent's, so max_rss_bytes is never below the
// spawning program's own peak RSS at the time of the exec. usage() is
// std::nullopt where the kernel gave none: a status made by Exited() or
// Signaled(), or read from the pidfd after another reaper of the host took
// the child (PIDFD_INFO_EXIT, Linux 6.15, keeps no usage).
//
// Thread-safety: a value; everything is constexpr or const and makes no
// system call.
#ifndef LINUXNS_EXIT_STATUS_H_
#define LINUXNS_EXIT_STATUS_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "absl/time/time.h"
#include "linuxns/export.h"

namespace linuxns {

// ResourceUsage: what the kernel accounted to a process when it was reaped;
// see the top of this file for whose usage it includes.
struct LINUXNS_EXPORT ResourceUsage {
  // CPU time spent in user mode (ru_utime).
  absl::Duration user_cpu;
  // CPU time spent in the kernel on the process's behalf (ru_stime).
  absl::Duration system_cpu;
  // The peak resident set size in bytes (ru_maxrss, which the kernel counts
  // in KiB, times 1024).
  std::uint64_t max_rss_bytes = 0;

  // user_cpu + system_cpu.
  absl::Duration cpu() const { return user_cpu + system_cpu; }

  // "user 0.200s system 0.010s maxrss 65536 KiB": seconds with three
  // decimals (rounded down to the millisecond), the peak RSS in KiB.
  std::string ToString() const;

  // True when every field is equal.
  friend bool operator==(const ResourceUsage&, const ResourceUsage&) = default;
};

// ExitStatus: how a process ended, exited with a code or killed by a signal.
class LINUXNS_EXPORT ExitStatus {
 public:
  // The status of a process that exited with `code` (0..255).
  static constexpr ExitStatus Exited(int code) { return ExitStatus(code, 0, false); }
  // The status of a process killed by `signal` (> 0), which dumped core when
  // `core_dumped`.
  static constexpr ExitStatus Signaled(int signal, bool core_dumped = false) {
    return ExitStatus(0, signal, core_dumped);
  }

  // True when the process called exit (or returned from main).
  constexpr bool exited() const { return signal_ == 0; }
  // True when a signal ended the process.
  constexpr bool signaled() const { return signal_ != 0; }
  // The exit code (0..255); 0 when signaled().
  constexpr int code() const { return code_; }
  // The signal that ended the process; 0 when exited().
  constexpr int signal() const { return signal_; }
  // True when a signal ended the process and it dumped core; false when
  // exited().
  constexpr bool core_dumped() const { return core_dumped_; }
  // True for exit code 0.
  constexpr bool success() const { return exited() && code_ == 0; }

  // code() when exited, else 128 + signal(): what a shell reports in $?.
  constexpr int ShellCode() const { return exited() ? code_ : 128 + signal_; }

  // The kernel's accounting of the process at reaping, or std::nullopt where
  // there is none (see the top of this file).
  const std::optional<ResourceUsage>& usage() const { return usage_; }

  // This status with `usage` attached.
  ExitStatus WithUsage(const ResourceUsage& usage) const {
    ExitStatus copy = *this;
    copy.usage_ = usage;
    return copy;
  }

  // "exited with code 3", "killed by signal 9 (Killed)", "... (core dumped)";
  // SIGSYS, which a seccomp filter's kill action sends, is "killed by signal
  // 31 (Bad system call: a system call its seccomp filter forbids)".
  // The usage is not part of it.
  std::string ToString() const;

  // True when both have the same code, signal and core-dump flag: how the
  // process ended. The usage is a measurement and is not compared.
  friend constexpr bool operator==(const ExitStatus& a, const ExitStatus& b) {
    return a.code_ == b.code_ && a.signal_ == b.signal_ && a.core_dumped_ == b.core_dumped_;
  }

 private:
  constexpr ExitStatus(int code, int signal, bool core)
      : code_(code), signal_(signal), core_dumped_(core) {}
  int code_ = 0;
  int signal_ = 0;
  bool core_dumped_ = false;
  std::optional<ResourceUsage> usage_;
};

// Writes status.ToString() to `os`.
LINUXNS_EXPORT std::ostream& operator<<(std::ostream& os, const ExitStatus& status);

}  // namespace linuxns

#endif  // LINUXNS_EXIT_STATUS_H_
