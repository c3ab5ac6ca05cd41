// SpawnOptions::seccomp: a filter installed as the child's last step before
// execve, on a real kernel. A denied call fails with the filter's errno or
// kills the child with SIGSYS; the steps before it may make the calls it
// forbids; every launch path (kill_on_parent_death, an init, a joined pid
// namespace, in place) installs it; no_new_privs is set only where the
// kernel asks for it.
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/exec_in_place.h"
#include "linuxns/namespace.h"
#include "linuxns/spawn_failure.h"
#include "linuxns/spawn_options.h"
#include "linuxns/status.h"
#include "linuxns/syscall_filter.h"
#include "support/seccomp.h"
#include "support/spawn_util.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using ::linuxns::testing::ChildProcessTest;
using ::linuxns::testing::ErrnoIs;
using ::linuxns::testing::Output;
using ::linuxns::testing::RunCapturingStdout;
using ::linuxns::testing::Shell;
using ::linuxns::testing::StatusIs;
using ::testing::HasSubstr;

SeccompProgram Compiled(const SyscallFilter& filter) {
  absl::StatusOr<SeccompProgram> program = filter.Compile();
  EXPECT_TRUE(program.ok()) << program.status();
  return *program;
}

// `script` under `filter`, with stderr joined to stdout: what it printed and
// how it ended.
Output RunFiltered(const std::string& script, const SyscallFilter& filter) {
  SpawnOptions o = Shell(absl::StrCat("exec 2>&1; ", script));
  o.seccomp = Compiled(filter);
  absl::StatusOr<Output> out = RunCapturingStdout(o);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : Output{absl::UnknownError("no run"), ""};
}

// The Seccomp and NoNewPrivs lines of /proc/self/status.
constexpr char kShowStatus[] =
    "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status | tr -s '\\t' ' '";

TEST_F(ChildProcessTest, SeccompErrnoRuleFailsTheCallAndLeavesTheOthersAlone) {
  // uname(2) fails with EPERM; sh's echo and printf make no such call.
  Output r = RunFiltered("uname -n; echo \"uname: $?\"; echo still here",
                         SyscallFilter().Add("uname", SyscallAction::Errno(EPERM)));
  EXPECT_EQ(r.out,
            "uname: cannot get system name: Operation not permitted\nuname: 1\nstill here\n");
  EXPECT_EQ(*r.status, ExitStatus::Exited(0));
}

TEST_F(ChildProcessTest, SeccompArgumentConditionsSelectTheCalls) {
  SyscallFilter f;
  // kill(2) with SIGUSR1 (10) as its second argument is refused; other
  // signals pass. openat(2) with O_CREAT (0100) among its flags is refused.
  f.Add("kill", SyscallAction::Errno(EPERM), {{1, ArgOp::kEq, SIGUSR1, 0}});
  f.Add("openat", SyscallAction::Errno(EROFS), {{2, ArgOp::kMaskedEq, 0100, 0100}});
  Output r = RunFiltered(
      "kill -USR1 $$; echo \"usr1: $?\"; kill -0 $$; echo \"zero: $?\"; "
      "echo x > \"$(mktemp -u /tmp/linuxns-seccomp.XXXXXX)\"; echo \"create: $?\"; "
      "read line < /etc/hostname; echo \"read: $?\"",
      f);
  EXPECT_THAT(r.out, HasSubstr("Operation not permitted"));
  EXPECT_THAT(r.out, HasSubstr("usr1: 1\nzero: 0\n"));
  EXPECT_THAT(r.out, HasSubstr("Read-only file system"));
  EXPECT_THAT(r.out, HasSubstr("create: 2\nread: 0\n"));
}

TEST_F(ChildProcessTest, SeccompKillActionEndsTheChildWithSigsys) {
  const SyscallFilter kill_uname = SyscallFilter().Add("uname", SyscallAction::KillProcess());
  // uname(1) is sh's child here: sh goes on and sees it killed.
  Output r = RunFiltered("uname; echo \"uname: $?\"", kill_uname);
  EXPECT_THAT(r.out, HasSubstr("uname: 159\n"));

  SpawnOptions o;
  o.argv = {"uname"};
  o.seccomp = Compiled(kill_uname);
  o.stdout_mode = Stdio::kNull;
  ASSERT_OK_AND_ASSIGN(ChildProcess direct, ChildProcess::Spawn(o));
  ASSERT_OK_AND_ASSIGN(ExitStatus killed, direct.Wait());
  EXPECT_EQ(killed.signal(), SIGSYS);
  EXPECT_THAT(killed.ToString(), HasSubstr("a system call its seccomp filter forbids"));
}

// A filter that forbids execve itself: with an errno, Spawn() reports the
// exec step with it and says the filter was on; with kill, the child dies of
// SIGSYS at the exec.
TEST_F(ChildProcessTest, SeccompFilterThatForbidsExecve) {
  SpawnOptions o;
  o.argv = {"/bin/true"};
  o.seccomp = Compiled(SyscallFilter().Add("execve", SyscallAction::Errno(EPERM)));
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  EXPECT_THAT(child,
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("spawn: execve /bin/true")));
  EXPECT_THAT(child, ErrnoIs(EPERM));
  EXPECT_THAT(std::string(child.status().message()), HasSubstr("seccomp filter was installed"));
  std::optional<SpawnFailure> failure = SpawnFailureOf(child.status());
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->step, SpawnStep::kExec);

  o.seccomp = Compiled(SyscallFilter().Add("execve", SyscallAction::KillProcess()));
  ASSERT_OK_AND_ASSIGN(ChildProcess killed, ChildProcess::Spawn(o));
  ASSERT_OK_AND_ASSIGN(ExitStatus status, killed.Wait());
  EXPECT_EQ(status.signal(), SIGSYS);
}

// Every step before the filter makes its calls unfiltered: the mounts, the
// hostname, the loopback, the credentials; the command then runs under it.
// In a new user namespace, so that it runs as any user.
TEST_F(ChildProcessTest, SeccompIsNotActiveDuringTheSetupSteps) {
  SyscallFilter f;
  for (const char* name : {"mount", "sethostname", "setresuid", "setresgid", "setgroups", "socket",
                           "ioctl", "pivot_root", "umount2", "chdir"}) {
    f.Add(name, SyscallAction::KillProcess());
  }
  SpawnOptions o = Shell(absl::StrCat(kShowStatus, "; hostname"));
  o.AddNamespacesLookingNew({NsType::kUser, NsType::kNet, NsType::kPid, NsType::kUts});
  o.hostname = "filtered";
  o.minimal_dev = true;
  o.cwd = "/";
  o.gid = 0;
  o.uid = 0;
  o.seccomp = Compiled(f);
  ASSERT_OK_AND_ASSIGN(Output r, RunCapturingStdout(o));
  EXPECT_EQ(*r.status, ExitStatus::Exited(0));
  // Root in the new user namespace keeps CAP_SYS_ADMIN there: no
  // no_new_privs was needed.
  EXPECT_EQ(r.out, "NoNewPrivs: 0\nSeccomp: 2\nfiltered\n");
}

// Without CAP_SYS_ADMIN at that step the child sets no_new_privs first, as
// the kernel asks; seccomp_keeps_privilege_gain refuses to.
TEST_F(ChildProcessTest, SeccompSetsNoNewPrivsOnlyWhereTheKernelAsksForIt) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SpawnOptions o = Shell(kShowStatus);
  o.seccomp = Compiled(SyscallFilter().Add("reboot", SyscallAction::Errno(EPERM)));
  o.uid = 65534;  // drops every capability
  ASSERT_OK_AND_ASSIGN(Output r, RunCapturingStdout(o));
  EXPECT_EQ(r.out, "NoNewPrivs: 1\nSeccomp: 2\n");

  o.seccomp_keeps_privilege_gain = true;
  absl::StatusOr<ChildProcess> refused = ChildProcess::Spawn(o);
  EXPECT_THAT(refused, ErrnoIs(EACCES));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("install the seccomp filter ("));
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("needs CAP_SYS_ADMIN in the child's user namespace"));
  ASSERT_TRUE(SpawnFailureOf(refused.status()).has_value());
  EXPECT_EQ(SpawnFailureOf(refused.status())->step, SpawnStep::kSeccomp);

  o.uid.reset();  // root: kept, and set-user-ID programs would still work
  ASSERT_OK_AND_ASSIGN(r, RunCapturingStdout(o));
  EXPECT_EQ(r.out, "NoNewPrivs: 0\nSeccomp: 2\n");
}

TEST_F(ChildProcessTest, SeccompAsAnOrdinaryUserWithAndWithoutAUserNamespace) {
  testing::ForkedReport report = testing::RunForkedAndReport([]() -> std::string {
    if (!testing::DropToNobody()) return "could not drop to uid 65534";
    std::string out;
    SpawnOptions o = Shell(kShowStatus);
    o.seccomp = Compiled(SyscallFilter().Add("reboot", SyscallAction::Errno(EPERM)));
    absl::StatusOr<Output> plain = RunCapturingStdout(o);
    absl::StrAppend(&out, "plain: ", plain.ok() ? plain->out : plain.status().ToString());
    // Root in a new user namespace has CAP_SYS_ADMIN there.
    o.new_namespaces = {NsType::kUser};
    absl::StatusOr<Output> user = RunCapturingStdout(o);
    absl::StrAppend(&out, "user ns: ", user.ok() ? user->out : user.status().ToString());
    o.new_namespaces = {};
    o.seccomp_keeps_privilege_gain = true;
    absl::StrAppend(&out, "keep: ", ChildProcess::Spawn(o).status().ToString(), "\n");
    // A joined user namespace gives the child CAP_SYS_ADMIN there too, so
    // no_new_privs can stay unset, as it does in a new one.
    absl::StatusOr<Namespace> user_ns = Namespace::Create({NsType::kUser});
    if (!user_ns.ok()) return absl::StrCat(out, user_ns.status().ToString());
    o.join = {user_ns->Find(NsType::kUser)};
    absl::StatusOr<Output> joined = RunCapturingStdout(o);
    absl::StrAppend(
        &out, "joined user ns, keep: ", joined.ok() ? joined->out : joined.status().ToString());
    o.seccomp_keeps_privilege_gain = false;
    joined = RunCapturingStdout(o);
    absl::StrAppend(&out,
                    "joined user ns: ", joined.ok() ? joined->out : joined.status().ToString());
    return out;
  });
  EXPECT_EQ(report.code, 0);
  EXPECT_EQ(report.text,
            "plain: NoNewPrivs: 1\nSeccomp: 2\n"
            "user ns: NoNewPrivs: 0\nSeccomp: 2\n"
            "keep: INVALID_ARGUMENT: spawn: seccomp_keeps_privilege_gain: the child stays in "
            "this user namespace, where the calling thread has no CAP_SYS_ADMIN, and the kernel "
            "installs a filter without no_new_privs only for a process that has it\n"
            "joined user ns, keep: NoNewPrivs: 0\nSeccomp: 2\n"
            "joined user ns: NoNewPrivs: 0\nSeccomp: 2\n");
}

TEST_F(ChildProcessTest, SeccompOptionsThatContradictEachOther) {
  SpawnOptions o = Shell("true");
  o.seccomp_keeps_privilege_gain = true;
  EXPECT_THAT(ChildProcess::Spawn(o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("seccomp_keeps_privilege_gain without a seccomp filter")));
  o.seccomp = Compiled(SyscallFilter());
  o.no_new_privs = true;
  EXPECT_THAT(ChildProcess::Spawn(o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("seccomp_keeps_privilege_gain contradicts no_new_privs")));
}

// The launch paths other than the direct one install the filter too.
TEST_F(ChildProcessTest, SeccompOnEveryLaunchPath) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const SeccompProgram program =
      Compiled(SyscallFilter().Add("uname", SyscallAction::Errno(EPERM)));
  const std::string script = absl::StrCat(kShowStatus, "; uname >/dev/null 2>&1; echo $?");
  constexpr char kFiltered[] = "NoNewPrivs: 0\nSeccomp: 2\n1\n";

  SpawnOptions death = Shell(script);
  death.kill_on_parent_death = true;
  death.seccomp = program;
  ASSERT_OK_AND_ASSIGN(Output r, RunCapturingStdout(death));
  EXPECT_EQ(r.out, kFiltered) << "kill_on_parent_death";

  // With an init, both linuxns-init (PID 1) and the command run under it.
  SpawnOptions init = Shell(absl::StrCat(script, "; grep '^Seccomp:' /proc/1/status"));
  init.init = true;
  init.mount_proc = true;
  init.seccomp = program;
  ASSERT_OK_AND_ASSIGN(r, RunCapturingStdout(init));
  EXPECT_EQ(r.out, absl::StrCat(kFiltered, "Seccomp:\t2\n")) << "init";

  ASSERT_OK_AND_ASSIGN(Namespace pid, Namespace::Create({NsType::kPid}));
  SpawnOptions join = Shell(script);
  join.join = {pid.Find(NsType::kPid)};
  join.seccomp = program;
  ASSERT_OK_AND_ASSIGN(r, RunCapturingStdout(join));
  EXPECT_EQ(r.out, kFiltered) << "joined pid namespace";

  // Parent-written maps (a range beyond the caller's own id).
  SpawnOptions maps = Shell(script);
  maps.new_namespaces = {NsType::kUser};
  maps.uid_map = *IdMap::Parse("0 100000 65536\n");
  maps.gid_map = *IdMap::Parse("0 100000 65536\n");
  maps.seccomp = program;
  ASSERT_OK_AND_ASSIGN(r, RunCapturingStdout(maps));
  EXPECT_EQ(r.out, kFiltered) << "parent-written maps";
}

TEST_F(ChildProcessTest, SeccompInPlace) {
  testing::ForkedReport report = testing::RunForkedAndReport([]() -> std::string {
    int out[2];
    if (::pipe(out) != 0) return "pipe failed";
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(out[1], 1);
      SpawnOptions o = Shell(absl::StrCat(kShowStatus, "; uname >/dev/null 2>&1; echo $?"));
      o.inherit_fds = true;
      o.seccomp = Compiled(SyscallFilter().Add("uname", SyscallAction::Errno(EPERM)));
      absl::Status failed = ExecInPlace(o);
      std::fprintf(stderr, "%s\n", failed.ToString().c_str());
      ::_exit(99);
    }
    ::close(out[1]);
    std::string text;
    char buf[256];
    ssize_t n;
    while ((n = ::read(out[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    int status = 0;
    ::waitpid(pid, &status, 0);
    return absl::StrCat(text, "status ", status);
  });
  EXPECT_EQ(report.text, absl::StrCat(testing::IsRoot() ? "NoNewPrivs: 0\n" : "NoNewPrivs: 1\n",
                                      "Seccomp: 2\n1\nstatus 0"));
}

// A kernel without seccomp(2) (ENOSYS, simulated by an outer filter): the
// step says so; nothing is left behind.
TEST_F(ChildProcessTest, SeccompOnAKernelWithoutIt) {
  testing::ForkedReport report = testing::RunForkedAndReport([]() -> std::string {
    // The outer filter itself needs no_new_privs or root; it sets it.
    SpawnOptions o;
    o.argv = {"/bin/true"};
    o.seccomp = Compiled(SyscallFilter().Add("reboot", SyscallAction::Errno(EPERM)));
    if (!testing::FailSyscalls({SYS_seccomp}, ENOSYS)) return "no outer filter";
    absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
    std::optional<SpawnFailure> failure = SpawnFailureOf(child.status());
    return absl::StrCat(child.status().ToString(), "\nstep ",
                        failure ? static_cast<int>(failure->step) : 0);
  });
  EXPECT_EQ(report.code, 0);
  EXPECT_THAT(report.text, HasSubstr("spawn: child: install the seccomp filter ("));
  EXPECT_THAT(report.text, HasSubstr("this kernel has no seccomp(2)"));
  EXPECT_THAT(report.text, HasSubstr("\nstep 50"));
}

// The kernel refuses a program that is not valid BPF (here: one that does
// not end in a return): EINVAL at the step, with what it means.
TEST_F(ChildProcessTest, SeccompProgramTheKernelRefuses) {
  std::vector<sock_filter> no_return = {{BPF_LD | BPF_W | BPF_ABS, 0, 0, 0}};
  ASSERT_OK_AND_ASSIGN(SeccompProgram bad, SeccompProgram::FromBpf(no_return));
  SpawnOptions o;
  o.argv = {"/bin/true"};
  o.seccomp = bad;
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  EXPECT_THAT(child, ErrnoIs(EINVAL));
  EXPECT_THAT(std::string(child.status().message()),
              HasSubstr("install the seccomp filter (1 instruction): Invalid argument (the "
                        "kernel refused the program: an invalid BPF instruction or jump)"));
}

// A child with a filter allocates nothing between clone and exec: spawns
// with one, while 16 threads hold malloc's locks at random, never hang.
TEST_F(ChildProcessTest, SeccompSpawnsBesideAMallocStorm) {
  SpawnOptions o;
  o.argv = {"/bin/true"};
  o.seccomp = Compiled(ContainerDenyList({}));
  EXPECT_EQ(testing::SpawnsGoneWrongBesideAMallocStorm(o), 0);
}

}  // namespace
}  // namespace linuxns
