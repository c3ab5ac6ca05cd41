// linuxns/exit_status.h: how a process ended.
//
// ExitStatus is either "exited with code N" or "killed by signal S" (with the
// core-dump flag), as waitid(2) reports it. ShellCode() folds it into one
// number the way shells and util-linux tools do: the code itself, or 128 + S.
//
//   absl::StatusOr<linuxns::ExitStatus> st = child.Wait();
//   if (st.ok() && st->signaled()) std::cerr << "killed by " << *st << "\n";
//   return st.ok() ? st->ShellCode() : 1;
//
// Thread-safety: a value; everything is constexpr or const and makes no
// system call.
#ifndef LINUXNS_EXIT_STATUS_H_
#define LINUXNS_EXIT_STATUS_H_

#include <ostream>
#include <string>

#include "linuxns/export.h"

namespace linuxns {

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

  // "exited with code 3", "killed by signal 9 (Killed)", "... (core dumped)".
  std::string ToString() const;

  // True when both have the same code, signal and core-dump flag.
  friend constexpr bool operator==(const ExitStatus&, const ExitStatus&) = default;

 private:
  constexpr ExitStatus(int code, int signal, bool core)
      : code_(code), signal_(signal), core_dumped_(core) {}
  int code_ = 0;
  int signal_ = 0;
  bool core_dumped_ = false;
};

// Writes status.ToString() to `os`.
LINUXNS_EXPORT std::ostream& operator<<(std::ostream& os, const ExitStatus& status);

}  // namespace linuxns

#endif  // LINUXNS_EXIT_STATUS_H_
