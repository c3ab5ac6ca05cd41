// linuxns/syscall_filter.h and linuxns/seccomp_program.h: the text form, the
// compile through libseccomp and its refusals, before any process exists.
// (What a compiled filter does to a child: spawn_seccomp_test.cc.)
#include "linuxns/syscall_filter.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/seccomp_program.h"
#include "support/status_matchers.h"

namespace linuxns {
namespace {

using ::linuxns::testing::IsOk;
using ::linuxns::testing::StatusIs;
using ::testing::HasSubstr;

TEST(SyscallFilterTest, ParsesEveryFormOfTheTextAndWritesItBack) {
  constexpr char kText[] =
      "# a comment line\n"
      "\n"
      "default errno EPERM   # trailing comment\n"
      "allow read\n"
      "\tlog write\n"
      "trap getpid\n"
      "kill kexec_load\n"
      "errno 13 socket arg0!=1 arg1>=0x10\n"
      "errno EAFNOSUPPORT openat arg2&0x40==0x40 arg3<=0777 arg4<5 arg5>6 arg0==0\n";
  ASSERT_OK_AND_ASSIGN(SyscallFilter f, SyscallFilter::Parse(kText));
  EXPECT_EQ(f.default_action, SyscallAction::Errno(EPERM));
  ASSERT_EQ(f.rules.size(), 6u);
  EXPECT_EQ(f.rules[0], (SyscallRule{"read", SyscallAction::Allow(), {}}));
  EXPECT_EQ(f.rules[1], (SyscallRule{"write", SyscallAction::Log(), {}}));
  EXPECT_EQ(f.rules[2], (SyscallRule{"getpid", SyscallAction::Trap(), {}}));
  EXPECT_EQ(f.rules[3], (SyscallRule{"kexec_load", SyscallAction::KillProcess(), {}}));
  EXPECT_EQ(f.rules[4], (SyscallRule{"socket",
                                     SyscallAction::Errno(EACCES),
                                     {{0, ArgOp::kNe, 1, 0}, {1, ArgOp::kGe, 16, 0}}}));
  EXPECT_EQ(f.rules[5], (SyscallRule{"openat",
                                     SyscallAction::Errno(EAFNOSUPPORT),
                                     {{2, ArgOp::kMaskedEq, 0x40, 0x40},
                                      {3, ArgOp::kLe, 0777, 0},
                                      {4, ArgOp::kLt, 5, 0},
                                      {5, ArgOp::kGt, 6, 0},
                                      {0, ArgOp::kEq, 0, 0}}}));
  EXPECT_EQ(f.ToText(),
            "default errno EPERM\n"
            "allow read\n"
            "log write\n"
            "trap getpid\n"
            "kill kexec_load\n"
            "errno EACCES socket arg0!=0x1 arg1>=0x10\n"
            "errno EAFNOSUPPORT openat arg2&0x40==0x40 arg3<=0x1ff arg4<0x5 arg5>0x6 arg0==0x0\n");
  ASSERT_OK_AND_ASSIGN(SyscallFilter again, SyscallFilter::Parse(f.ToText()));
  EXPECT_EQ(again, f);
}

TEST(SyscallFilterTest, AnEmptyTextIsAllowEverything) {
  ASSERT_OK_AND_ASSIGN(SyscallFilter f, SyscallFilter::Parse("# nothing\n\n"));
  EXPECT_EQ(f.default_action, SyscallAction::Allow());
  EXPECT_TRUE(f.rules.empty());
}

TEST(SyscallFilterTest, ParseErrorsNameTheLineAndWhatIsWrong) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"allow\n", "line 1: a rule needs a system call after its action"},
      {"\n\nblock read\n", "line 3: unknown action \"block\""},
      {"errno EWHAT read\n", "line 1: unknown errno \"EWHAT\""},
      {"errno 4096 read\n", "line 1: unknown errno \"4096\""},
      {"errno\n", "line 1: \"errno\" needs an errno after it"},
      {"default allow\ndefault kill\n", "line 2: a second \"default\""},
      {"default\n", "line 1: \"default\" needs an action"},
      {"default allow read\n", "line 1: unexpected \"read\" after the default action"},
      {"allow read arg6==1\n", "line 1: malformed condition \"arg6==1\""},
      {"allow read arg0=1\n", "malformed condition \"arg0=1\""},
      {"allow read arg0==\n", "malformed condition"},
      {"allow read arg0==0x\n", "malformed condition"},
      {"allow read arg0==08\n", "malformed condition"},
      {"allow read arg0==18446744073709551616\n", "malformed condition"},  // 2^64
      {"allow read arg0&0xff\n", "malformed condition"},
      {"allow read arg0 == 1\n", "malformed condition \"arg0\""},
  };
  for (const auto& [text, message] : cases) {
    EXPECT_THAT(SyscallFilter::Parse(text),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(message)))
        << text;
  }
  // The largest number is fine.
  EXPECT_THAT(SyscallFilter::Parse("allow read arg0==18446744073709551615\n"), IsOk());
}

TEST(SyscallFilterTest, CompileMakesAProgramThatChecksTheArchitectureFirst) {
  SyscallFilter f;
  f.Add("reboot", SyscallAction::Errno(EPERM));
  ASSERT_OK_AND_ASSIGN(SeccompProgram p, f.Compile());
  ASSERT_GT(p.size(), 2u);
  // Load seccomp_data.arch (offset 4), compare with an AUDIT_ARCH_* value.
  EXPECT_EQ(p.instructions()[0].code, BPF_LD | BPF_W | BPF_ABS);
  EXPECT_EQ(p.instructions()[0].k, 4u);
  // x86_64's table and i386's (an x86_64 process can make i386 calls
  // through int 0x80); x32's calls are x86_64's with bit 30 set.
  bool checks_x86_64 = false;
  bool checks_i386 = false;
  for (const sock_filter& insn : p.instructions()) {
    if (insn.code != (BPF_JMP | BPF_JEQ | BPF_K)) continue;
    checks_x86_64 = checks_x86_64 || insn.k == AUDIT_ARCH_X86_64;
    checks_i386 = checks_i386 || insn.k == AUDIT_ARCH_I386;
  }
  EXPECT_TRUE(checks_x86_64);
  EXPECT_TRUE(checks_i386);
  // Compiling is deterministic: the same rules, the same program.
  ASSERT_OK_AND_ASSIGN(SeccompProgram again, f.Compile());
  EXPECT_EQ(p, again);
  f.Add("swapon", SyscallAction::Errno(EPERM));
  ASSERT_OK_AND_ASSIGN(SeccompProgram bigger, f.Compile());
  EXPECT_FALSE(p == bigger);
}

TEST(SyscallFilterTest, CompileRefusesWhatTheKernelCouldNotRun) {
  auto compile = [](SyscallFilter f) { return f.Compile(); };
  EXPECT_THAT(compile(SyscallFilter().Add("rebot", SyscallAction::Errno(EPERM))),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("rule 1 (rebot): unknown system call \"rebot\"")));
  EXPECT_THAT(compile(SyscallFilter().Add(std::string("read\0x", 6), SyscallAction::Errno(EPERM))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown system call")));
  EXPECT_THAT(compile(SyscallFilter().Add("", SyscallAction::Errno(EPERM))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown system call \"\"")));
  EXPECT_THAT(
      compile(SyscallFilter().Add("read", SyscallAction::Errno(0))),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("errno 0 is outside 1..4094")));
  EXPECT_THAT(compile(SyscallFilter().Add("read", SyscallAction::Errno(4096))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outside 1..4094")));
  SyscallFilter bad_default;
  bad_default.default_action = SyscallAction::Errno(-1);
  EXPECT_THAT(compile(bad_default), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("the default action: errno -1")));
  EXPECT_THAT(
      compile(SyscallFilter().Add("read", SyscallAction::Errno(EPERM), {{6, ArgOp::kEq, 0, 0}})),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("argument 6 does not exist")));
  EXPECT_THAT(compile(SyscallFilter()
                          .Add("read", SyscallAction::Errno(EPERM))
                          .Add("read", SyscallAction::KillProcess())),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("rule 2 (read): a second rule without conditions for \"read\"")));
  // A rule with the default action changes nothing, and is no error.
  EXPECT_THAT(compile(SyscallFilter().Add("read", SyscallAction::Allow())), IsOk());
}

TEST(SyscallFilterTest, AProgramTooLargeForTheKernelIsRefusedWithTheLimit) {
  // 5,000 distinct conditions on one call: an instruction or more each.
  SyscallFilter f;
  for (std::uint64_t i = 0; i < 5000; ++i) {
    f.Add("ioctl", SyscallAction::Errno(EPERM), {{1, ArgOp::kEq, 0x1000 + i, 0}});
  }
  EXPECT_THAT(f.Compile(), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("more than the kernel takes in one filter "
                                              "(BPF_MAXINSNS, 4096)")));
}

TEST(SeccompProgramTest, FromBpfChecksTheSizeAndSharesTheInstructions) {
  EXPECT_THAT(SeccompProgram::FromBpf({}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no instructions")));
  std::vector<sock_filter> huge(SeccompProgram::kMaxInstructions + 1,
                                sock_filter{BPF_RET | BPF_K, 0, 0, 0x7fff0000U});
  EXPECT_THAT(SeccompProgram::FromBpf(huge),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("4097 instructions, more than the kernel takes in one filter "
                                 "(BPF_MAXINSNS, 4096)")));
  huge.pop_back();
  ASSERT_OK_AND_ASSIGN(SeccompProgram p, SeccompProgram::FromBpf(huge));
  SeccompProgram copy = p;
  EXPECT_EQ(copy.instructions().data(), p.instructions().data()) << "a copy shares them";
  EXPECT_EQ(copy.size(), SeccompProgram::kMaxInstructions);
}

TEST(SyscallFilterTest, TheContainerDenyListAddsWhatTheSharedNamespacesNeed) {
  const SyscallFilter own = ContainerDenyList({NsType::kMnt, NsType::kUts});
  const SyscallFilter shared = ContainerDenyList({});
  EXPECT_EQ(own.default_action, SyscallAction::Allow());
  auto names = [](const SyscallFilter& f) {
    std::vector<std::string> out;
    for (const SyscallRule& r : f.rules) {
      EXPECT_EQ(r.action, SyscallAction::Errno(EPERM)) << r.syscall;
      out.push_back(r.syscall);
    }
    return out;
  };
  EXPECT_THAT(names(own), ::testing::IsSupersetOf(
                              {"kexec_load", "init_module", "reboot", "open_by_handle_at", "bpf"}));
  EXPECT_THAT(names(own), ::testing::Not(::testing::Contains("mount")));
  EXPECT_THAT(names(own), ::testing::Not(::testing::Contains("sethostname")));
  EXPECT_THAT(names(shared),
              ::testing::IsSupersetOf({"mount", "umount2", "pivot_root", "fsopen", "move_mount",
                                       "sethostname", "setdomainname"}));
  EXPECT_THAT(names(ContainerDenyList({NsType::kUts})), ::testing::Contains("mount"));
  EXPECT_THAT(names(ContainerDenyList({NsType::kMnt})), ::testing::Contains("sethostname"));
  EXPECT_THAT(own.Compile(), IsOk());
  EXPECT_THAT(shared.Compile(), IsOk());
}

// libseccomp refuses MAX_ERRNO (4095): Compile() used to pass it on and
// answer "libseccomp refused the conditions" for a rule, ResourceExhausted
// for the default action, and Parse() took "errno 4095".
TEST(SyscallFilterTest, Errno4095IsRefusedWithTheRangeLibseccompTakes) {
  EXPECT_THAT(SyscallFilter().Add("read", SyscallAction::Errno(4095)).Compile(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("rule 1 (read): errno 4095 is outside 1..4094")));
  SyscallFilter by_default;
  by_default.default_action = SyscallAction::Errno(4095);
  EXPECT_THAT(by_default.Compile(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the default action: errno 4095 is outside 1..4094")));
  EXPECT_THAT(SyscallFilter::Parse("errno 4095 read\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown errno \"4095\"")));
  ASSERT_OK_AND_ASSIGN(SyscallFilter largest, SyscallFilter::Parse("errno 4094 read\n"));
  EXPECT_EQ(largest.rules[0].action, SyscallAction::Errno(SyscallAction::kMaxErrno));
  EXPECT_THAT(largest.Compile(), IsOk());
}

// An errno number is decimal digits only: SimpleAtoi() took "+5", and "010"
// as ten where a condition reads it as eight.
TEST(SyscallFilterTest, AnErrnoNumberIsPlainDecimal) {
  for (const char* text : {"errno +5 read\n", "errno 010 read\n", "errno 0x5 read\n"}) {
    EXPECT_THAT(SyscallFilter::Parse(text),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 1: unknown errno")))
        << text;
  }
  ASSERT_OK_AND_ASSIGN(SyscallFilter f, SyscallFilter::Parse("errno 10 read\n"));
  EXPECT_EQ(f.rules[0].action, SyscallAction::Errno(10));
}

// Two unconditional rules for one call conflict when their actions differ,
// even if one of them is the default action (it was left out before the
// check, and the other one silently won); the same rule twice does not (it
// was refused).
TEST(SyscallFilterTest, UnconditionalRulesConflictOnlyWhenTheirActionsDiffer) {
  EXPECT_THAT(SyscallFilter()
                  .Add("read", SyscallAction::Allow())
                  .Add("read", SyscallAction::Errno(EPERM))
                  .Compile(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("rule 2 (read): a second rule without conditions for \"read\", "
                                 "with another action (allow, then errno EPERM")));
  EXPECT_THAT(SyscallFilter()
                  .Add("read", SyscallAction::Errno(EPERM))
                  .Add("read", SyscallAction::Allow())
                  .Compile(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rule 2 (read)")));
  SyscallFilter once;
  once.Add("reboot", SyscallAction::Errno(EPERM));
  SyscallFilter twice = once;
  twice.Add("reboot", SyscallAction::Errno(EPERM)).Add("read", SyscallAction::Allow());
  twice.Add("read", SyscallAction::Allow());
  ASSERT_OK_AND_ASSIGN(SeccompProgram one, once.Compile());
  ASSERT_OK_AND_ASSIGN(SeccompProgram two, twice.Compile());
  EXPECT_EQ(one, two) << "a repeated rule changes nothing";
  ASSERT_OK_AND_ASSIGN(SyscallFilter parsed,
                       SyscallFilter::Parse("errno EPERM reboot\nerrno EPERM reboot\n"));
  EXPECT_THAT(parsed.Compile(), IsOk());
}

// The mask of a comparison other than kMaskedEq means nothing (Compile()
// ignores it, ToText() leaves it out), so a filter with one set still
// equals what Parse() reads back from its text.
TEST(SyscallFilterTest, ToTextThenParseIsEqualWhateverTheUnusedMask) {
  SyscallFilter f;
  f.default_action = SyscallAction::Errno(ENOSYS);
  for (ArgOp op :
       {ArgOp::kEq, ArgOp::kNe, ArgOp::kLt, ArgOp::kLe, ArgOp::kGt, ArgOp::kGe, ArgOp::kMaskedEq}) {
    f.Add("ioctl", SyscallAction::Errno(EPERM),
          {{.index = 1, .op = op, .value = ~0ULL, .mask = 0xffff0000ffff0000ULL}});
  }
  f.Add("read", SyscallAction::Allow()).Add("write", SyscallAction::Log());
  f.Add("getpid", SyscallAction::Trap()).Add("reboot", SyscallAction::KillProcess());
  f.Add("close", SyscallAction::Errno(SyscallAction::kMaxErrno));
  ASSERT_OK_AND_ASSIGN(SyscallFilter again, SyscallFilter::Parse(f.ToText()));
  EXPECT_EQ(again, f) << f.ToText();
  EXPECT_EQ(again.ToText(), f.ToText());
  // The mask of a kMaskedEq comparison still counts.
  ArgCondition masked{.index = 0, .op = ArgOp::kMaskedEq, .value = 1, .mask = 1};
  ArgCondition other_mask = masked;
  other_mask.mask = 3;
  EXPECT_FALSE(masked == other_mask);
}

// Rules that libseccomp 2.5.4 never finishes adding (the fuzzer found them:
// Compile() did not return) are refused naming both; their neighbours, one
// change away, still compile.
TEST(SyscallFilterTest, RulesLibseccompWouldLoopOnAreRefused) {
  auto compile = [](const std::string& text) {
    absl::StatusOr<SyscallFilter> filter = SyscallFilter::Parse(text);
    EXPECT_TRUE(filter.ok()) << filter.status();
    return filter.ok() ? filter->Compile().status() : filter.status();
  };
  for (const char* text :
       {"errno 13 openat arg1==0 arg0>2\nerrno 13 openat arg3==0 arg0>2\n",
        "errno 13 openat arg1&0x40==0 arg0>2\nerrno 1 openat arg3&0x40==0 arg0>2\n",
        "errno 13 openat arg1==0 arg0!=2\nerrno 13 openat arg3==0 arg0!=2\n",
        "errno 13 openat arg1==0 arg0<2\nerrno 13 openat arg3==0 arg0<2\n",
        // The same arguments, another operator (the fuzzer, in CI).
        "errno 13 openat arg4>240 arg3<777\nerrno 13 openat arg4==5 arg3<777\n",
        "errno 13 openat arg2&0==0x40 arg4>240 arg3<777\nerrno 13 openat arg4&0x40==0x40 "
        "arg3<777\n",
        "errno 13 openat arg0>=64 arg3>=240\nerrno 13 openat arg3==240 arg0>=64\n",
        // The same arguments and operators, another value of a comparison
        // other than == (the fuzzer, after the rule above).
        "errno 13 openat arg4&0x40==0x40 arg3<70 arg2<776\nerrno 13 openat arg4&0x40==0x40 "
        "arg3<70 arg2<777\n",
        "errno 13 openat arg2&5==0x45 arg4>120 arg1<77\nerrno 13 openat arg2&0==0 arg4>240 "
        "arg1<77\n"}) {
    EXPECT_THAT(compile(text), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("rule 2 (openat): beside rule 1")))
        << text;
  }
  for (const char* text : {"errno 13 openat arg1==0 arg0>2\nerrno 13 openat arg0>2\n",
                           "errno 13 openat arg1==0 arg0>2\nerrno 13 openat arg3==0 arg0>5\n",
                           "errno 13 openat arg1==0 arg0>2\nerrno 13 openat arg1==1 arg0>2\n",
                           "errno 13 openat arg1==0 arg0==2\nerrno 13 openat arg3==0 arg0==2\n"}) {
    EXPECT_OK(compile(text)) << text;
  }
}

}  // namespace
}  // namespace linuxns
