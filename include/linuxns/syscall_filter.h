// linuxns/syscall_filter.h: system-call filters from rules (linuxns::seccomp).
//
// A SyscallFilter says what happens to a system call, by name, with optional
// conditions on its arguments, and what happens to every other call (the
// default action). Compile() turns it into a SeccompProgram with libseccomp,
// which writes the architecture checks hand-written filters get wrong: on
// x86_64 the program covers the x86_64, x32 and i386 system-call tables, each
// rule under each table's number for the call, and a call of any other
// architecture kills the process. Compile once, spawn many times: the program
// is a value the spawns share.
//
//   linuxns::SyscallFilter filter;                       // default: allow
//   filter.Add("reboot", linuxns::SyscallAction::Errno(EPERM));
//   filter.Add("socket", linuxns::SyscallAction::Errno(EAFNOSUPPORT),
//              {{.index = 0, .op = linuxns::ArgOp::kNe, .value = AF_UNIX}});
//   LINUXNS_ASSIGN_OR_RETURN(options.seccomp, filter.Compile());
//
// The text form (Parse(), and `nsexec --seccomp=FILE`), one statement a line,
// `#` to the end of a line a comment, blank lines ignored:
//
//   default ACTION            the action for every call no rule matches (at
//                             most once; "allow" when absent)
//   ACTION SYSCALL [COND...]  a rule: every COND must hold
//
//   ACTION  allow | log | trap | kill | errno E   (E: a name such as EPERM,
//           or a decimal number 1..4094)
//   COND    argN==V  argN!=V  argN<V  argN<=V  argN>V  argN>=V  argN&M==V
//           (N 0..5; V and M unsigned 64-bit numbers, decimal, 0x hex or
//           0 octal; no spaces inside a condition)
//
//   default allow
//   errno EPERM reboot
//   errno EAFNOSUPPORT socket arg0!=1      # only AF_UNIX sockets
//   kill kexec_load
//
// Link linuxns::seccomp (find_package(linuxns COMPONENTS seccomp), or
// pkg-config linuxns-seccomp); it needs libseccomp (Debian: libseccomp-dev).
//
// Thread-safety: values; Compile() and Parse() may run on any thread.
#ifndef LINUXNS_SYSCALL_FILTER_H_
#define LINUXNS_SYSCALL_FILTER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "linuxns/export.h"
#include "linuxns/ns_type.h"
#include "linuxns/seccomp_program.h"

namespace linuxns {

// What a filter does with a system call.
class LINUXNS_EXPORT SyscallAction {
 public:
  // The kinds of action, as seccomp(2) names them (SECCOMP_RET_*).
  enum class Kind {
    kAllow,        // the call runs
    kLog,          // the call runs and the kernel logs it (audit)
    kErrno,        // the call fails with errno() at once, without running
    kTrap,         // the thread gets SIGSYS, which a handler may catch
    kKillProcess,  // the whole process dies of SIGSYS at the call
  };

  // The call runs.
  static SyscallAction Allow() { return SyscallAction(Kind::kAllow, 0); }
  // The call runs and is logged.
  static SyscallAction Log() { return SyscallAction(Kind::kLog, 0); }
  // The largest errno of Errno(): the kernel would take 4095 (MAX_ERRNO),
  // but libseccomp refuses it.
  static constexpr int kMaxErrno = 4094;

  // `err` must be 1..kMaxErrno (Compile() says InvalidArgument otherwise).
  static SyscallAction Errno(int err) { return SyscallAction(Kind::kErrno, err); }
  // SIGSYS to the thread, which may catch it.
  static SyscallAction Trap() { return SyscallAction(Kind::kTrap, 0); }
  // The process dies of SIGSYS.
  static SyscallAction KillProcess() { return SyscallAction(Kind::kKillProcess, 0); }

  // Which action.
  Kind kind() const { return kind_; }
  // kErrno's errno; 0 otherwise.
  int err() const { return err_; }

  // "allow", "log", "errno EPERM" (the number when it has no name), "trap",
  // "kill": the text form.
  std::string ToString() const;

  // The same kind and errno.
  friend bool operator==(const SyscallAction&, const SyscallAction&) = default;

 private:
  SyscallAction(Kind kind, int err) : kind_(kind), err_(err) {}
  Kind kind_;
  int err_;
};

// A comparison of one argument of the call with a value.
enum class ArgOp {
  kEq,        // arg == value
  kNe,        // arg != value
  kLt,        // arg <  value (unsigned)
  kLe,        // arg <= value
  kGt,        // arg >  value
  kGe,        // arg >= value
  kMaskedEq,  // (arg & mask) == value
};

// A condition on one argument of a call: `op` compares it with `value`.
struct LINUXNS_EXPORT ArgCondition {
  unsigned index = 0;  // which argument, 0..5
  // The comparison.
  ArgOp op = ArgOp::kEq;
  // What the argument is compared with (all 64 bits).
  std::uint64_t value = 0;
  // kMaskedEq only: the other comparisons ignore it, and so do ToText()
  // and operator==.
  std::uint64_t mask = 0;

  // The same comparison: every field equal, the mask only for kMaskedEq (so
  // that a filter equals what Parse() reads back from its ToText()).
  friend bool operator==(const ArgCondition& a, const ArgCondition& b) {
    return a.index == b.index && a.op == b.op && a.value == b.value &&
           (a.op != ArgOp::kMaskedEq || a.mask == b.mask);
  }
};

// One rule: `action` for calls of `syscall` whose arguments meet every
// condition (every call of it when there are none).
struct LINUXNS_EXPORT SyscallRule {
  std::string syscall;  // its name in the kernel's tables: "socket", "mount"
  // What happens to a matching call.
  SyscallAction action = SyscallAction::Allow();
  // All must hold for the rule to match; none: every call of `syscall`.
  std::vector<ArgCondition> conditions;

  // Every field equal.
  friend bool operator==(const SyscallRule&, const SyscallRule&) = default;
};

// A system-call filter: a default action and rules (see the top of this
// file), compiled with Compile().
struct LINUXNS_EXPORT SyscallFilter {
  // What happens to a call no rule matches.
  SyscallAction default_action = SyscallAction::Allow();
  // The rules. A rule whose action is the default action changes nothing and
  // is left out of the program. Two rules for one call must have exclusive
  // conditions or the same action: where both match one call, the program
  // applies the one libseccomp ranks first (it does not follow the order
  // here), so Compile() refuses two unconditional rules with different
  // actions for one call.
  std::vector<SyscallRule> rules;

  // Appends a rule; returns *this.
  SyscallFilter& Add(std::string syscall, SyscallAction action,
                     std::vector<ArgCondition> conditions = {});

  // Compile()
  //
  // The BPF program, made by libseccomp. (Debian 12's libseccomp 2.5.4 leaks
  // a few hundred bytes per compile of rules whose conditions overlap on one
  // call; docs/sanitizers.md shows it without linuxns.) InvalidArgument naming the rule for
  // a system call this architecture does not know (the message has the
  // name), an argument index above 5, an errno outside 1..4094, two
  // unconditional rules with different actions for one call (the default
  // action counts: "allow read" then "errno EPERM read" conflict under
  // "default allow"; the same rule twice does not), two rules for one call
  // with two conditions or more each that share a comparison other than ==
  // and differ in more than the values of their == comparisons (libseccomp
  // 2.5.4 may loop forever on them: docs/seccomp.md), or a program
  // above SeccompProgram::kMaxInstructions (with the count and the limit).
  absl::StatusOr<SeccompProgram> Compile() const;

  // Parse()
  //
  // A filter from the text form above. InvalidArgument with the line number
  // and what is wrong there (an unknown action, errno name or statement, a
  // malformed condition, a second `default`). System-call names are checked
  // by Compile(), not here.
  static absl::StatusOr<SyscallFilter> Parse(absl::string_view text);

  // The text form, which Parse() reads back to an equal filter.
  std::string ToText() const;

  // The same default action and the same rules in the same order.
  friend bool operator==(const SyscallFilter&, const SyscallFilter&) = default;
};

// ContainerDenyList()
//
// The filter `nsexec` applies by default: every call allowed but those a
// process in a container has no business making, which fail with EPERM
// (docs/seccomp.md gives the reason for each and compares the list with
// Docker's and Podman's defaults): loading kernels and modules, rebooting,
// swap, process accounting, the kernel's clocks and log, raw I/O ports,
// kernel keyrings, open_by_handle_at, bpf, perf_event_open, userfaultfd and
// quotactl. `new_namespaces` are the namespaces the command gets new
// (SpawnOptions::EffectiveNewNamespaces()): without a new mount namespace
// every call of the mount API is denied too, and without a new UTS namespace
// sethostname and setdomainname, whose effects the caller's namespace would
// share.
LINUXNS_EXPORT SyscallFilter ContainerDenyList(NsTypeSet new_namespaces);

}  // namespace linuxns

#endif  // LINUXNS_SYSCALL_FILTER_H_
