// SyscallFilter::Compile(): the rules, through libseccomp, to a BPF program.
#include "linuxns/syscall_filter.h"

#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"

namespace linuxns {
namespace {

struct ContextDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};
using Context = std::unique_ptr<void, ContextDeleter>;

std::uint32_t ToScmp(const SyscallAction& a) {
  switch (a.kind()) {
    case SyscallAction::Kind::kAllow:
      return SCMP_ACT_ALLOW;
    case SyscallAction::Kind::kLog:
      return SCMP_ACT_LOG;
    case SyscallAction::Kind::kErrno:
      return SCMP_ACT_ERRNO(static_cast<std::uint32_t>(a.err()));
    case SyscallAction::Kind::kTrap:
      return SCMP_ACT_TRAP;
    case SyscallAction::Kind::kKillProcess:
      return SCMP_ACT_KILL_PROCESS;
  }
  return SCMP_ACT_KILL_PROCESS;
}

scmp_compare ToScmp(ArgOp op) {
  switch (op) {
    case ArgOp::kEq:
      return SCMP_CMP_EQ;
    case ArgOp::kNe:
      return SCMP_CMP_NE;
    case ArgOp::kLt:
      return SCMP_CMP_LT;
    case ArgOp::kLe:
      return SCMP_CMP_LE;
    case ArgOp::kGt:
      return SCMP_CMP_GT;
    case ArgOp::kGe:
      return SCMP_CMP_GE;
    case ArgOp::kMaskedEq:
      return SCMP_CMP_MASKED_EQ;
  }
  return SCMP_CMP_EQ;
}

// Whether libseccomp 2.5.4 may never return from adding rules `a` and `b` of
// one call: each has two conditions or more, they share a comparison other
// than ==, and they differ in more than the values of their == comparisons.
// The syscall_filter fuzzer found such hangs in _db_tree_put: "arg1==0
// arg0>2" beside "arg3==0 arg0>2", "arg4>240 arg3<777" beside "arg4==5
// arg3<777", "arg4&0x40==0x40 arg3<70 arg2<776" beside the same with
// "arg2<777". The exact condition is inside libseccomp; this one covered
// each of 416 hangs in 33,000 random filters of two to five rules, and
// refuses some pairs that would compile (docs/seccomp.md).
bool LoopsLibseccomp(const SyscallRule& a, const SyscallRule& b) {
  if (a.conditions.size() < 2 || b.conditions.size() < 2) return false;
  auto in = [](const ArgCondition& c, const SyscallRule& r) {
    return std::find(r.conditions.begin(), r.conditions.end(), c) != r.conditions.end();
  };
  bool shared = false;
  for (const ArgCondition& c : a.conditions) shared = shared || (c.op != ArgOp::kEq && in(c, b));
  if (!shared) return false;
  auto signature = [](const SyscallRule& r) {
    std::vector<std::pair<unsigned, ArgOp>> s;
    for (const ArgCondition& c : r.conditions) s.emplace_back(c.index, c.op);
    std::sort(s.begin(), s.end());
    return s;
  };
  if (signature(a) != signature(b)) return true;
  for (const ArgCondition& c : a.conditions) {
    if (c.op != ArgOp::kEq && !in(c, b)) return true;
  }
  return false;
}

absl::Status CheckAction(const SyscallAction& a, absl::string_view where) {
  // libseccomp takes errnos below MAX_ERRNO only (db_col_action_valid()), so
  // 4095, which the kernel would take, is refused here rather than as a
  // failure of seccomp_init() or seccomp_rule_add() with no reason.
  if (a.kind() == SyscallAction::Kind::kErrno &&
      (a.err() < 1 || a.err() > SyscallAction::kMaxErrno)) {
    return absl::InvalidArgumentError(absl::StrCat("syscall filter: ", where, ": errno ", a.err(),
                                                   " is outside 1..", SyscallAction::kMaxErrno));
  }
  return absl::OkStatus();
}

// libseccomp returns -errno; a failure it should not have is Internal.
absl::Status ScmpError(int r, absl::string_view what) {
  return ErrnoError(-r, absl::StrCat("syscall filter: libseccomp: ", what));
}

// The program libseccomp generated, read back through a memfd (libseccomp
// 2.5 exports only to a descriptor).
absl::StatusOr<std::vector<sock_filter>> Export(scmp_filter_ctx ctx) {
  UniqueFd memfd(::memfd_create("linuxns-seccomp", MFD_CLOEXEC));
  if (!memfd) return ErrnoError(errno, "syscall filter: memfd_create");
  const int r = seccomp_export_bpf(ctx, memfd.get());
  if (r < 0) return ScmpError(r, "export the program");
  const off_t size = ::lseek(memfd.get(), 0, SEEK_END);
  if (size < 0) return ErrnoError(errno, "syscall filter: lseek");
  std::vector<sock_filter> program(static_cast<std::size_t>(size) / sizeof(sock_filter));
  const std::size_t bytes = program.size() * sizeof(sock_filter);
  std::size_t done = 0;
  while (done < bytes) {
    const ssize_t n = ::pread(memfd.get(), reinterpret_cast<char*>(program.data()) + done,
                              bytes - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoError(n < 0 ? errno : EIO, "syscall filter: read the program back");
    done += static_cast<std::size_t>(n);
  }
  return program;
}

}  // namespace

std::string SyscallAction::ToString() const {
  switch (kind_) {
    case Kind::kAllow:
      return "allow";
    case Kind::kLog:
      return "log";
    case Kind::kErrno: {
      const char* name = ::strerrorname_np(err_);
      return absl::StrCat("errno ", name != nullptr ? name : absl::StrCat(err_));
    }
    case Kind::kTrap:
      return "trap";
    case Kind::kKillProcess:
      return "kill";
  }
  return "kill";
}

SyscallFilter& SyscallFilter::Add(std::string syscall, SyscallAction action,
                                  std::vector<ArgCondition> conditions) {
  rules.push_back(SyscallRule{std::move(syscall), action, std::move(conditions)});
  return *this;
}

absl::StatusOr<SeccompProgram> SyscallFilter::Compile() const {
  LINUXNS_RETURN_IF_ERROR(CheckAction(default_action, "the default action"));
  Context ctx(seccomp_init(ToScmp(default_action)));
  if (ctx == nullptr) return absl::ResourceExhaustedError("syscall filter: seccomp_init failed");
  int r = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (r < 0) return ScmpError(r, "set the action for other architectures");
  // A binary search of the call numbers (libseccomp 2.5) instead of a
  // compare for each: the kernel runs the program for every call number of
  // each table when a child installs it (its action cache), and the fewer
  // instructions each run takes, the cheaper every spawn's install
  // (bench/README.md, rows A and B).
  r = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (r < 0) return ScmpError(r, "ask for the binary-tree layout");
  // The system-call tables a process of this architecture can also reach
  // (an x86_64 process can make x32 and i386 calls): each rule applies to
  // each under that table's number.
  if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
    for (std::uint32_t arch : {SCMP_ARCH_X86, SCMP_ARCH_X32}) {
      r = seccomp_arch_add(ctx.get(), arch);
      if (r < 0 && r != -EEXIST) return ScmpError(r, "add an architecture");
    }
  }
  // The action of each call's unconditional rule, default ones included: a
  // second one with another action conflicts even when one of the two is
  // the default action (which one would hold is not what the rules say),
  // and a repeat of the same one changes nothing.
  std::map<std::string, SyscallAction> unconditional;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const SyscallRule& rule = rules[i];
    const std::string where = absl::StrCat("rule ", i + 1, " (", rule.syscall, ")");
    LINUXNS_RETURN_IF_ERROR(CheckAction(rule.action, where));
    // A NUL would cut the name short: "read\0x" is no name of a call.
    const int nr = rule.syscall.find('\0') == std::string::npos
                       ? seccomp_syscall_resolve_name(rule.syscall.c_str())
                       : __NR_SCMP_ERROR;
    if (nr == __NR_SCMP_ERROR) {
      return absl::InvalidArgumentError(absl::StrCat("syscall filter: ", where,
                                                     ": unknown system call \"", rule.syscall,
                                                     "\" (not in this architecture's tables)"));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (rules[j].syscall == rule.syscall && LoopsLibseccomp(rules[j], rule)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "syscall filter: ", where, ": beside rule ", j + 1,
            " it shares a comparison other than == and the two differ in more than the values "
            "of their == comparisons, which libseccomp 2.5.4 may never finish adding (do not "
            "repeat the comparison, or differ only in == values)"));
      }
    }
    std::vector<scmp_arg_cmp> args;
    for (const ArgCondition& c : rule.conditions) {
      if (c.index > 5) {
        return absl::InvalidArgumentError(
            absl::StrCat("syscall filter: ", where, ": argument ", c.index,
                         " does not exist (a system call has arguments 0..5)"));
      }
      scmp_arg_cmp cmp{};
      cmp.arg = c.index;
      cmp.op = ToScmp(c.op);
      cmp.datum_a = c.op == ArgOp::kMaskedEq ? c.mask : c.value;
      cmp.datum_b = c.op == ArgOp::kMaskedEq ? c.value : 0;
      args.push_back(cmp);
    }
    if (args.empty()) {
      const auto [earlier, first] = unconditional.emplace(rule.syscall, rule.action);
      if (!first && earlier->second != rule.action) {
        return absl::InvalidArgumentError(absl::StrCat(
            "syscall filter: ", where, ": a second rule without conditions for \"", rule.syscall,
            "\", with another action (", earlier->second.ToString(), ", then ",
            rule.action.ToString(), "; give each call one unconditional action)"));
      }
      if (!first) continue;  // the same rule again
    }
    if (rule.action == default_action) continue;  // changes nothing
    r = seccomp_rule_add_array(ctx.get(), ToScmp(rule.action), nr,
                               static_cast<unsigned>(args.size()), args.data());
    if (r == -EEXIST) {
      return absl::InvalidArgumentError(
          absl::StrCat("syscall filter: ", where,
                       ": conflicts with an earlier rule for the same call and arguments"));
    }
    if (r == -EINVAL) {
      return absl::InvalidArgumentError(
          absl::StrCat("syscall filter: ", where, ": libseccomp refused the conditions"));
    }
    if (r < 0) return ScmpError(r, absl::StrCat("add ", where));
  }
  absl::StatusOr<std::vector<sock_filter>> program = Export(ctx.get());
  if (!program.ok()) return program.status();
  if (program->size() > SeccompProgram::kMaxInstructions) {
    return absl::InvalidArgumentError(
        absl::StrCat("syscall filter: the program has ", program->size(),
                     " instructions, more than the kernel takes in one filter (BPF_MAXINSNS, ",
                     SeccompProgram::kMaxInstructions, "); use fewer rules or conditions"));
  }
  return SeccompProgram::FromBpf(*program);
}

}  // namespace linuxns
