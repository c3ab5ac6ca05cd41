// The bad-input table of RELIABILITY.md, one test per row, named after the
// row: each asserts the exact error (code, errno, step, message) and that
// nothing is left behind. Rows proven elsewhere are listed with their tests in
// docs/reliability.md.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/exec_in_place.h"
#include "linuxns/id_map.h"
#include "linuxns/namespace.h"
#include "linuxns/ns_fd.h"
#include "linuxns/ns_type.h"
#include "linuxns/pid_fd.h"
#include "reliability/reliability_util.h"
#include "support/seccomp.h"
#include "support/spawn_util.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using testing::Describe;
using testing::Outcome;
using testing::RunForkedCheckingLeftovers;
using testing::Shell;
using testing::WithNewNamespaces;
using testing::WriteFile;

class BadInputTable : public testing::LeakCheckedTest {
 protected:
  // `text` with the scratch directory written as SCRATCH.
  std::string Anon(const std::string& text) const {
    return absl::StrReplaceAll(text, {{scratch(), "SCRATCH"}});
  }
};

std::string Pids(const std::string& text) {
  return std::regex_replace(text, std::regex("(pid |process |/proc/)[0-9]{3,}"), "$1PID");
}

// A process in which clone and clone3 fail with EPERM, so that anything that
// reaches them shows: "before clone" checks run, the rest fail there.
bool NoClone() { return testing::FailSyscalls({SYS_clone, SYS_clone3}, EPERM); }

// Row: unknown namespace type or name -> rejected while parsing.
TEST_F(BadInputTable, UnknownNamespaceTypeOrNameIsRejectedWhileParsing) {
  std::string out;
  for (const char* name : {"foo", "NET", " net", ""}) {
    absl::StrAppend(&out, "ParseNsType \"", name, "\": ", Describe(ParseNsType(name)), "\n");
  }
  for (const char* list : {"net,foo", "net,,pid", "net,net"}) {
    absl::StrAppend(&out, "NsTypeSet::Parse \"", list, "\": ", Describe(NsTypeSet::Parse(list)),
                    "\n");
  }
  absl::StrAppend(&out, "FromCloneFlags CLONE_VM: ",
                  Describe(NsTypeSet::FromCloneFlags(CLONE_VM | CLONE_NEWNET)), "\n");
  const std::string expected_types = " (expected one of: mnt,uts,ipc,pid,net,user,cgroup,time)\n";
  EXPECT_EQ(out, absl::StrCat("ParseNsType \"foo\": INVALID_ARGUMENT "
                              "errno=none: unknown namespace type "
                              "\"foo\"",
                              expected_types,
                              "ParseNsType \"NET\": INVALID_ARGUMENT "
                              "errno=none: unknown namespace type "
                              "\"NET\"",
                              expected_types,
                              "ParseNsType \" net\": INVALID_ARGUMENT "
                              "errno=none: unknown namespace type "
                              "\" net\"",
                              expected_types,
                              "ParseNsType \"\": INVALID_ARGUMENT errno=none: "
                              "unknown namespace type \"\"",
                              expected_types,
                              "NsTypeSet::Parse \"net,foo\": INVALID_ARGUMENT "
                              "errno=none: unknown namespace "
                              "type \"foo\"",
                              expected_types,
                              "NsTypeSet::Parse \"net,,pid\": INVALID_ARGUMENT "
                              "errno=none: empty item in "
                              "namespace type list \"net,,pid\"\n"
                              "NsTypeSet::Parse \"net,net\": INVALID_ARGUMENT "
                              "errno=none: namespace type "
                              "\"net\" listed twice in \"net,net\"\n"
                              "FromCloneFlags CLONE_VM: INVALID_ARGUMENT "
                              "errno=none: flags 0x100 are not "
                              "CLONE_NEW* namespace flags\n"));
}

// Row: a file that is not a namespace, or one of the wrong type -> the type
// is checked (NS_GET_NSTYPE) before setns; the error says what the file is.
TEST_F(BadInputTable, FileThatIsNotANamespaceOrOfTheWrongTypeIsNamedBeforeSetns) {
  const std::string file = scratch() + "/file";
  ASSERT_TRUE(WriteFile(file, "x"));
  std::string out;
  absl::StrAppend(&out, "regular file: ", Describe(NsFd::OpenPath(file)), "\n");
  absl::StrAppend(&out, "directory: ", Describe(NsFd::OpenPath(scratch())), "\n");
  absl::StrAppend(&out, "missing: ", Describe(NsFd::OpenPath(scratch() + "/none")), "\n");
  absl::StrAppend(&out, "wrong type: ", Describe(NsFd::OpenPath("/proc/self/ns/net", NsType::kUts)),
                  "\n");
  absl::StrAppend(&out, "pid_for_children as uts: ",
                  Describe(NsFd::OpenPath("/proc/self/ns/pid_for_children", NsType::kUts)), "\n");
  absl::StrAppend(
      &out, "Adopt /dev/null: ",
      std::regex_replace(Describe(NsFd::Adopt(UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)))),
                         std::regex("fd [0-9]+"), "fd 3"),
      "\n");
  EXPECT_EQ(Anon(out),
            "regular file: INVALID_ARGUMENT errno=none: SCRATCH/file is not a "
            "namespace file "
            "(it is a regular file)\n"
            "directory: INVALID_ARGUMENT errno=none: SCRATCH is not a namespace file "
            "(it is a "
            "directory)\n"
            "missing: NOT_FOUND errno=2: open SCRATCH/none: No such file or "
            "directory\n"
            "wrong type: INVALID_ARGUMENT errno=none: /proc/self/ns/net is a net "
            "namespace, "
            "not a uts namespace\n"
            "pid_for_children as uts: INVALID_ARGUMENT errno=none: "
            "/proc/self/ns/pid_for_children is a pid namespace, not a uts namespace\n"
            "Adopt /dev/null: INVALID_ARGUMENT errno=none: fd 3 is not a namespace "
            "file (it is "
            "a character device)\n");
}

// Row: pid that does not exist, is not a number, or exits midway -> "no such
// process" (ESRCH); never act on a reused pid. (Not a number: the pid is a
// pid_t here; the tools' parsers reject "abc", see docs/reliability.md.)
TEST_F(BadInputTable, PidThatDoesNotExistOrExitsMidwayIsNoSuchProcess) {
  std::string out;
  absl::StrAppend(&out, "pid INT_MAX: ", Describe(NsFd::FromPid(INT_MAX, NsType::kNet)), "\n");
  absl::StrAppend(&out, "pid 0: ", Describe(PidFd::Open(0)), "\n");
  absl::StrAppend(&out, "pid -5: ", Describe(NsFd::FromPid(-5, NsType::kNet)), "\n");
  // Exits midway: a handle taken while it lived, used after it is gone.
  ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(testing::Sleeper()));
  ASSERT_OK_AND_ASSIGN(PidFd handle, PidFd::Open(child.pid()));
  ASSERT_OK(child.Signal(SIGKILL));
  ASSERT_OK(child.Wait().status());
  absl::StrAppend(&out, "FromPidFd after exit: ", Describe(NsFd::FromPidFd(handle, NsType::kNet)),
                  "\n");
  absl::StrAppend(&out, "signal after exit: ", Describe(handle.SendSignal(SIGKILL)), "\n");
  SpawnOptions join = Shell("true");
  join.join_process = &handle;
  join.join_process_types = {NsType::kNet};
  absl::StrAppend(&out, "join_process after exit: ", Outcome(join), "\n");
  EXPECT_EQ(Pids(out),
            "pid INT_MAX: NOT_FOUND errno=3: pidfd_open 2147483647: No such process\n"
            "pid 0: INVALID_ARGUMENT errno=none: pidfd_open: invalid pid 0 (must be "
            "> 0)\n"
            "pid -5: INVALID_ARGUMENT errno=none: pidfd_open: invalid pid -5 (must "
            "be > 0)\n"
            "FromPidFd after exit: NOT_FOUND errno=3: open /proc/PID/ns/net: process "
            "PID has "
            "exited: No such process\n"
            "signal after exit: NOT_FOUND errno=3: pidfd_send_signal 9 to pid PID: "
            "No such "
            "process\n"
            "join_process after exit: spawn: NOT_FOUND errno=3: spawn: child: setns "
            "into the "
            "namespaces of pid PID: No such process (the process has exited)\n");
}

// Row: /proc/PID/ns not readable (non-dumpable target) -> EACCES with a hint.
TEST_F(BadInputTable, ProcPidNsNotReadableIsEaccesWithAHint) {
  testing::ForkedReport r = RunForkedCheckingLeftovers([] {
    if (!testing::DropToNobody()) return std::string("cannot drop privileges");
    return absl::StrCat("pid 1: ", Describe(NsFd::FromPid(1, NsType::kNet)), "\n");
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text,
            "pid 1: PERMISSION_DENIED errno=13: open /proc/1/ns/net (the "
            "process is not "
            "dumpable or belongs to another user; ptrace read access is "
            "needed): Permission "
            "denied\n");
}

// Row: entering the namespace one is already in (own user ns, own mnt ns) ->
// a no-op decided by comparing ids, not a bare EINVAL and not a reset
// working directory; also from a multi-threaded process.
TEST_F(BadInputTable, EnteringTheNamespaceOneIsAlreadyInIsANoOpDecidedByIds) {
  const std::string dir = scratch();
  testing::ForkedReport r = RunForkedCheckingLeftovers([&] {
    std::string out;
    if (::chdir(dir.c_str()) != 0) return std::string("chdir failed");
    for (bool threaded : {false, true}) {
      std::optional<testing::ExtraThread> extra;
      if (threaded) extra.emplace();
      for (NsType type : {NsType::kUser, NsType::kMnt}) {
        absl::StatusOr<NsFd> own = NsFd::OpenCurrent(type);
        if (!own.ok()) return Describe(own);
        absl::StrAppend(&out, threaded ? "threaded " : "", NsTypeName(type), ": ",
                        Describe(own->Enter()), "; cwd ",
                        std::filesystem::current_path().string() == dir ? "kept" : "reset", "\n");
      }
    }
    return out;
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text,
            "user: OK; cwd kept\nmnt: OK; cwd kept\n"
            "threaded user: OK; cwd kept\nthreaded mnt: OK; cwd kept\n");
}

// Row: uid/gid map with count 0, negative, non-numeric, overflow, overlap,
// >340 lines, >4095 bytes -> field-level error from the parser; the kernel is
// never asked (IdMap values that break a rule cannot be made).
TEST_F(BadInputTable, IdMapCountZeroNegativeNonNumericOverflowOverlapOrTooLongIsAFieldError) {
  std::string too_many_lines;
  for (int i = 0; i < 341; ++i) absl::StrAppend(&too_many_lines, i, " ", i, " 1\n");
  std::string too_many_bytes;
  for (int i = 0; i < 200; ++i) {
    absl::StrAppend(&too_many_bytes, 1000000000 + i, " ", 1000000000 + i, " 1\n");
  }
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"count 0", "0 1000 0"},
      {"negative", "-1 1000 1"},
      {"non-numeric", "0 abc 1"},
      {"overflow", "0 4294967296 1"},
      {"range past 2^32", "0 4294967200 1000"},
      {"overlap inside", "0 1000 10\n5 2000 10"},
      {"overlap outside", "0 1000 10\n100 1005 10"},
      {"341 lines", too_many_lines},
      {"over 4095 bytes", too_many_bytes},
  };
  std::string out;
  for (const auto& [what, text] : cases) {
    absl::StrAppend(&out, what, ": ", Describe(IdMap::Parse(text)), "\n");
  }
  absl::StrAppend(&out, "Create count 0: ", Describe(IdMap::Create({{0, 1000, 0}})), "\n");
  EXPECT_EQ(out,
            "count 0: INVALID_ARGUMENT errno=none: id map line 1: COUNT must "
            "be greater than 0\n"
            "negative: INVALID_ARGUMENT errno=none: id map line 1: INNER "
            "\"-1\" is not a number "
            "in 0..4294967295\n"
            "non-numeric: INVALID_ARGUMENT errno=none: id map line 1: OUTER "
            "\"abc\" is not a "
            "number in 0..4294967295\n"
            "overflow: INVALID_ARGUMENT errno=none: id map line 1: OUTER "
            "\"4294967296\" is not "
            "a number in 0..4294967295\n"
            "range past 2^32: INVALID_ARGUMENT errno=none: id map line 1: "
            "outer range "
            "4294967200+1000 reaches 4294967295, which cannot be mapped\n"
            "overlap inside: INVALID_ARGUMENT errno=none: id map line 2: inner "
            "range 5+10 "
            "overlaps line 1\n"
            "overlap outside: INVALID_ARGUMENT errno=none: id map line 2: "
            "outer range 1005+10 "
            "overlaps line 1\n"
            "341 lines: INVALID_ARGUMENT errno=none: id map has 341 lines; the "
            "kernel takes at "
            "most 340\n"
            "over 4095 bytes: INVALID_ARGUMENT errno=none: id map is 4800 "
            "bytes long; the "
            "kernel takes at most 4095\n"
            "Create count 0: INVALID_ARGUMENT errno=none: id map line 1: COUNT "
            "must be greater "
            "than 0\n");
}

// Row: unprivileged: several ranges, mapping host root, gid map without
// setgroups deny -> explained before the write; newuidmap/newgidmap used
// where present, named in the error where absent.
TEST_F(BadInputTable, UnprivilegedSeveralRangesHostRootOrGidMapWithoutSetgroupsDenyIsExplained) {
  testing::ForkedReport r = RunForkedCheckingLeftovers([] {
    if (!testing::DropToNobody()) return std::string("cannot drop privileges");
    std::string out;
    SpawnOptions ranges = Shell("true");
    ranges.new_namespaces = {NsType::kUser};
    ranges.uid_map = *IdMap::Parse(absl::StrCat("0 ", ::geteuid(), " 1\n1 3000000000 1000"));
    SpawnOptions host_root = ranges;
    host_root.uid_map = IdMap::Single(0, 0);
    SpawnOptions no_deny = Shell("true");
    no_deny.new_namespaces = {NsType::kUser};
    no_deny.gid_map = IdMap::Single(0, ::getegid());
    no_deny.deny_setgroups = false;
    for (const char* path : {"/usr/bin:/bin", "/nonexistent"}) {
      ::setenv("PATH", path, 1);
      absl::StrAppend(&out, "PATH=", path, "\n");
      absl::StrAppend(&out, "  several ranges: ", Outcome(ranges), "\n");
      absl::StrAppend(&out, "  host root: ", Outcome(host_root), "\n");
      absl::StrAppend(&out, "  gid map without setgroups deny: ", Outcome(no_deny), "\n");
    }
    return Pids(out);
  });
  EXPECT_EQ(r.code, 0);
  const std::string no_helper = "(package uidmap) is not installed, and without it: spawn: ";
  const std::string not_own =
      "Operation not permitted (a map of other ids than one's own needs "
      "CAP_SETUID/CAP_SETGID "
      "over the parent user namespace)\n";
  // A range outside /etc/subuid, so that newuidmap refuses it whatever the
  // machine grants uid 65534.
  std::string expected = absl::StrCat(
      "PATH=/usr/bin:/bin\n"
      "  several ranges: spawn: PERMISSION_DENIED errno=none: spawn: "
      "/usr/bin/newuidmap exited "
      "with code 1: newuidmap: uid range [1-1001) -> [3000000000-3000001000) "
      "not allowed\n"
      "  host root: spawn: PERMISSION_DENIED errno=none: spawn: "
      "/usr/bin/newuidmap exited with "
      "code 1: newuidmap: uid range [0-1) -> [0-1) not allowed\n"
      "  gid map without setgroups deny: => exited with code 0\n"
      "PATH=/nonexistent\n"
      "  several ranges: spawn: PERMISSION_DENIED errno=1: newuidmap ",
      no_helper, "write \"0 65534 1\\n1 3000000000 1000\\n\" to /proc/PID/uid_map: ", not_own,
      "  host root: spawn: PERMISSION_DENIED errno=1: newuidmap ", no_helper,
      "write \"0 0 1\\n\" to /proc/PID/uid_map: ", not_own);
  if (::access("/usr/bin/newuidmap", X_OK) != 0) {
    GTEST_SKIP() << "needs newuidmap and newgidmap (package uidmap) for the first half";
  }
  ASSERT_EQ(r.text.substr(0, std::min(r.text.size(), expected.size())), expected);
  // The last line: a gid map of one's own gid without "deny" in setgroups,
  // with no newgidmap to fall back on.
  const std::string last = r.text.substr(expected.size());
  EXPECT_THAT(last, ::testing::StartsWith(absl::StrCat(
                        "  gid map without setgroups deny: spawn: PERMISSION_DENIED errno=1: "
                        "newgidmap ",
                        no_helper, "write \"0 65534 1\\n\" to /proc/PID/gid_map: ")));
  // The cause is named: setgroups still says "allow".
  EXPECT_THAT(last,
              ::testing::HasSubstr("without it, even a map of one's own gid needs \"deny\" in "
                                   "/proc/PID/setgroups first (deny_setgroups)"));
}

// Row: user namespaces disabled or limits reached (ENOSPC, EUSERS) -> which
// limit, and how to change it. Disabled: max_user_namespaces = 0 (as root of
// a user namespace); nesting: 32 levels deep.
TEST_F(BadInputTable, UserNamespacesDisabledOrLimitsReachedNameTheLimit) {
  testing::ForkedReport r = RunForkedCheckingLeftovers([] {
    std::string out;
    uid_t outer_uid = ::geteuid();
    gid_t outer_gid = ::getegid();
    int depth = 0;
    for (; depth < 40; ++depth) {
      if (::unshare(CLONE_NEWUSER) != 0) break;
      if (!WriteFile("/proc/self/setgroups", "deny") ||
          !WriteFile("/proc/self/uid_map", absl::StrCat("0 ", outer_uid, " 1")) ||
          !WriteFile("/proc/self/gid_map", absl::StrCat("0 ", outer_gid, " 1"))) {
        return absl::StrCat("maps at depth ", depth + 1, " failed");
      }
      outer_uid = 0;
      outer_gid = 0;
    }
    absl::StrAppend(&out, "nested ", depth >= 32 ? "32 or more" : absl::StrCat(depth),
                    " deep, then ", std::strerror(errno), "\n");
    SpawnOptions o = Shell("true");
    o.new_namespaces = {NsType::kUser};
    absl::StrAppend(&out, "nesting: ", Outcome(o), "\n");
    return out;
  });
  EXPECT_EQ(r.code, 0);
  // 32 deep, the limit readable there is that of the innermost user
  // namespace, which the kernel starts at INT_MAX: the explanation names it
  // and the 32 levels.
  EXPECT_EQ(r.text,
            "nested 32 or more deep, then No space left on device\n"
            "nesting: spawn: RESOURCE_EXHAUSTED errno=28: spawn: clone with new user namespaces: "
            "No space left on device (a namespace limit is reached: "
            "/proc/sys/user/max_user_namespaces is 2147483647 here, and a parent user namespace "
            "may set a lower limit that cannot be read from here; user and pid namespaces also "
            "nest at most 32 deep: end unused namespaces of this user, or raise the limit "
            "(sysctl -w user.max_<type>_namespaces=N))\n");
  testing::ForkedReport disabled = RunForkedCheckingLeftovers([] {
    if (::unshare(CLONE_NEWUSER) != 0) return std::string("unshare failed");
    if (!WriteFile("/proc/sys/user/max_user_namespaces", "0")) return std::string("limit");
    SpawnOptions o = Shell("true");
    o.new_namespaces = {NsType::kUser, NsType::kNet};
    return absl::StrCat("disabled: ", Outcome(o), "\n");
  });
  EXPECT_EQ(disabled.code, 0);
  // Only the user limit is 0, and only it is named; the user namespace made
  // here has no uid_map, which would refuse a user namespace next (EPERM):
  // named too.
  EXPECT_EQ(disabled.text,
            "disabled: spawn: RESOURCE_EXHAUSTED errno=28: spawn: clone with new net,user "
            "namespaces: No space left on device (user namespaces are disabled: "
            "/proc/sys/user/max_user_namespaces is 0; raise it (sysctl -w "
            "user.max_user_namespaces=N, as root of the user namespace it belongs to); besides, "
            "this process's effective uid has no mapping in its own user namespace "
            "(/proc/self/uid_map does not cover it), and the kernel lets no unmapped owner create "
            "a user namespace: write uid_map and gid_map of the current user namespace first)\n");
}

// Row: clone fails (EAGAIN from RLIMIT_NPROC, ENOMEM, EPERM) -> the error;
// the descriptors made for the spawn (three stdio pipes here) are closed.
TEST_F(BadInputTable, CloneFailureEagainEnomemEpermClosesTheSpawnsDescriptors) {
  auto spawn = [] {
    SpawnOptions o = Shell("true");
    o.stdin_mode = o.stdout_mode = o.stderr_mode = Stdio::kPipe;
    return Describe(ChildProcess::Spawn(o)) + "\n";
  };
  std::string out;
  for (int err : {EPERM, ENOMEM}) {
    testing::ForkedReport r = RunForkedCheckingLeftovers([&] {
      if (!testing::FailSyscalls({SYS_clone, SYS_clone3}, err)) return std::string("filter");
      return spawn();
    });
    EXPECT_EQ(r.code, 0);
    out += r.text;
  }
  testing::ForkedReport nproc = RunForkedCheckingLeftovers([&] {
    if (!testing::DropToNobody()) return std::string("cannot drop privileges");
    const rlimit zero{0, 0};
    if (::setrlimit(RLIMIT_NPROC, &zero) != 0) return std::string("setrlimit failed");
    return spawn();
  });
  EXPECT_EQ(nproc.code, 0);
  out += nproc.text;
  EXPECT_EQ(out,
            "PERMISSION_DENIED errno=1: spawn: clone: Operation not permitted (the kernel "
            "refuses to create a process and nothing this process can read explains it: this "
            "process runs under a seccomp filter (Seccomp: 2 in /proc/self/status) that may "
            "refuse clone; a security module (SELinux, AppArmor, Landlock) may refuse it, see the "
            "kernel log (dmesg))\n"
            "RESOURCE_EXHAUSTED errno=12: spawn: clone: Cannot allocate memory "
            "(out of memory, "
            "or the pid namespace to create the process in has no init anymore "
            "(its PID 1 "
            "exited))\n"
            "UNAVAILABLE errno=11: spawn: clone: Resource temporarily "
            "unavailable (too many "
            "processes: RLIMIT_NPROC, or kernel.threads-max / pid_max)\n");
}

// Row: multi-threaded caller asks for an in-process user/mount change ->
// FailedPrecondition naming the rule, before anything changes.
TEST_F(BadInputTable, MultiThreadedCallerAskingForAnInProcessUserOrMountChangeIsRefused) {
  testing::ForkedReport r = RunForkedCheckingLeftovers([] {
    absl::StatusOr<Namespace> ns = Namespace::Create({NsType::kUser, NsType::kMnt});
    if (!ns.ok()) return Describe(ns);
    testing::ExtraThread extra;
    std::string out;
    absl::StrAppend(&out, "Enter user: ", Describe(ns->Find(NsType::kUser)->Enter()), "\n");
    absl::StrAppend(&out, "Enter mnt: ", Describe(ns->Find(NsType::kMnt)->Enter()), "\n");
    SpawnOptions user = Shell("true");
    user.MapCurrentUserToRoot();
    absl::StrAppend(&out, "ExecInPlace user: ", Describe(ExecInPlace(user)), "\n");
    SpawnOptions mnt = WithNewNamespaces(Shell("true"), {NsType::kMnt});
    absl::StrAppend(&out, "ExecInPlace mnt: ", Describe(ExecInPlace(mnt)), "\n");
    return absl::StrReplaceAll(out, {{ns->Find(NsType::kUser)->id().ToString(), "USERNS"},
                                     {ns->Find(NsType::kMnt)->id().ToString(), "MNTNS"}});
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text,
            std::string("Enter user: FAILED_PRECONDITION errno=22: setns into USERNS: the "
                        "process has 2 threads, and only a single-threaded process can enter "
                        "a "
                        "user namespace: Invalid argument\n") +
                // Unprivileged, the missing capability is found first.
                (testing::IsRoot() ? "Enter mnt: FAILED_PRECONDITION errno=22: setns into MNTNS: "
                                     "the process has "
                                     "2 threads, and a thread can enter a mount namespace only "
                                     "after "
                                     "unshare(CLONE_FS) (linuxns::RunInNamespacesOnThread does "
                                     "that): Invalid "
                                     "argument\n"
                                   : "Enter mnt: PERMISSION_DENIED errno=1: setns into MNTNS "
                                     "(CAP_SYS_ADMIN in "
                                     "the namespace's owning user namespace is needed): Operation "
                                     "not "
                                     "permitted\n") +
                std::string("ExecInPlace user: FAILED_PRECONDITION errno=none: exec "
                            "in place: the process has 2 "
                            "threads; changing its own namespaces needs a "
                            "single-threaded process\n"
                            "ExecInPlace mnt: FAILED_PRECONDITION errno=none: exec "
                            "in place: the process has 2 "
                            "threads; changing its own namespaces needs a "
                            "single-threaded process\n"));
}

// Row: hostname longer than 64 bytes, or with a NUL -> rejected before clone
// (here clone itself would fail with EPERM, so reaching it would show).
TEST_F(BadInputTable, HostnameLongerThan64BytesOrWithANulIsRejectedBeforeClone) {
  testing::ForkedReport r = RunForkedCheckingLeftovers([] {
    if (!NoClone()) return std::string("filter");
    std::string out;
    SpawnOptions o = Shell("true");
    o.new_namespaces = {NsType::kUts};
    o.hostname = std::string(65, 'h');
    absl::StrAppend(&out, "65 bytes: ", Outcome(o), "\n");
    o.hostname = std::string("a\0b", 3);
    absl::StrAppend(&out, "NUL: ", Outcome(o), "\n");
    o.hostname.reset();
    o.domainname = std::string(65, 'd');
    absl::StrAppend(&out, "domainname 65 bytes: ", Outcome(o), "\n");
    o.domainname = std::string(64, 'd');
    absl::StrAppend(&out, "64 bytes reaches clone: ", Outcome(o), "\n");
    return out;
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.text, ::testing::StartsWith("65 bytes: spawn: INVALID_ARGUMENT errno=none: "
                                            "spawn: hostname is 65 bytes "
                                            "long; at most 64 are allowed\n"
                                            "NUL: spawn: INVALID_ARGUMENT errno=none: spawn: "
                                            "hostname contains a NUL byte\n"
                                            "domainname 65 bytes: spawn: INVALID_ARGUMENT "
                                            "errno=none: spawn: domainname is "
                                            "65 bytes long; at most 64 are allowed\n"
                                            "64 bytes reaches clone: spawn: PERMISSION_DENIED "
                                            "errno=1: spawn: clone with "
                                            "new uts namespaces: Operation not permitted"));
}

// A minimal root: merged-/usr symlinks to a /usr bound in read-only.
std::string MakeRoot(const std::string& root) {
  for (const char* d : {"usr", "proc", "tmp"}) std::filesystem::create_directories(root + "/" + d);
  for (const char* l : {"bin", "lib", "lib64", "sbin"}) {
    const std::string host = std::string("/") + l;
    if (std::filesystem::is_symlink(host)) {
      std::filesystem::create_symlink(std::filesystem::read_symlink(host), root + "/" + l);
    }
  }
  return root;
}

// Row: bind source or target missing, target a symlink -> error naming which.
TEST_F(BadInputTable, BindSourceOrTargetMissingOrTargetASymlinkNamesWhichOne) {
  const std::string dir = scratch() + "/dir";
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  ASSERT_EQ(::symlink(dir.c_str(), (scratch() + "/link").c_str()), 0);
  std::string out;
  SpawnOptions o = WithNewNamespaces(Shell("true"), {NsType::kMnt});
  o.mounts = {MountSpec::Bind(scratch() + "/nope", dir)};
  absl::StrAppend(&out, "source missing: ", Outcome(o), "\n");
  o.mounts = {MountSpec::Bind(dir, scratch() + "/missing")};
  absl::StrAppend(&out, "target missing: ", Outcome(o), "\n");
  o.mounts = {MountSpec::Bind(dir, scratch() + "/link")};
  absl::StrAppend(&out, "target a symlink: ", Outcome(o), "\n");
  o.mounts = {MountSpec::Bind(dir, scratch() + "/link/sub")};
  absl::StrAppend(&out, "target through a symlink: ", Outcome(o), "\n");
  // ELOOP has no better canonical code than absl's kUnknown.
  EXPECT_EQ(Anon(out),
            "source missing: spawn: NOT_FOUND errno=2: spawn: child: open bind "
            "source "
            "\"SCRATCH/nope\": No such file or directory\n"
            "target missing: spawn: NOT_FOUND errno=2: spawn: child: open "
            "mount target "
            "\"SCRATCH/missing\": No such file or directory\n"
            "target a symlink: spawn: UNKNOWN errno=40: spawn: child: open "
            "mount target "
            "\"SCRATCH/link\": Too many levels of symbolic links (a component "
            "is a symbolic "
            "link; targets are resolved without following any)\n"
            "target through a symlink: spawn: UNKNOWN errno=40: spawn: child: "
            "open mount target "
            "\"SCRATCH/link/sub\": Too many levels of symbolic links (a "
            "component is a "
            "symbolic link; targets are resolved without following any)\n");
}

// Row: pivot_root preconditions not met (not a mount point, shared
// propagation) -> the library makes them hold, or names the one that fails.
TEST_F(BadInputTable, PivotRootPreconditionsNotMetAreMadeToHoldOrNamed) {
  const std::string root = MakeRoot(scratch() + "/root");
  testing::ForkedReport r = RunForkedCheckingLeftovers([&] {
    std::string out;
    // Not a mount point: bound onto itself by the library.
    SpawnOptions o = WithNewNamespaces(Shell("pwd; test -x /bin/sh && echo sh"), {NsType::kMnt});
    o.root = root;
    o.mounts = {MountSpec::Bind("/usr", "/usr", true)};
    absl::StrAppend(&out, "not a mount point: ", Outcome(o), "\n");
    // Shared: "/" made shared in a mount namespace of this process.
    if (testing::IsRoot()) {
      if (::unshare(CLONE_NEWNS) != 0 ||
          ::mount(nullptr, "/", nullptr, MS_REC | MS_SHARED, nullptr) != 0) {
        return std::string("cannot make / shared");
      }
      o.propagation = Propagation::kShared;
      absl::StrAppend(&out, "shared: ", Outcome(o), "\n");
    }
    return absl::StrReplaceAll(out, {{root, "ROOT"}});
  });
  EXPECT_EQ(r.code, 0);
  std::string expected = "not a mount point: /\nsh\n=> exited with code 0\n";
  if (testing::IsRoot()) {
    absl::StrAppend(&expected,
                    "shared: spawn: INVALID_ARGUMENT errno=22: spawn: child: "
                    "pivot_root into "
                    "\"ROOT\": Invalid argument (the new root's mount must not "
                    "be shared: use a "
                    "private or slave propagation)\n");
  }
  EXPECT_EQ(r.text, expected);
}

// Row: /proc mount without our own pid namespace, or /proc is a symlink ->
// refused with the reason.
TEST_F(BadInputTable, ProcMountWithoutOwnPidNamespaceOrProcASymlinkIsRefused) {
  const std::string root = MakeRoot(scratch() + "/root");
  std::filesystem::remove(root + "/proc");
  std::filesystem::create_directory_symlink("/tmp", root + "/proc");
  std::string out;
  ASSERT_OK_AND_ASSIGN(NsFd own_mnt, NsFd::OpenCurrent(NsType::kMnt));
  SpawnOptions joined_mnt = Shell("true");
  joined_mnt.join = {&own_mnt};
  joined_mnt.mount_proc = true;
  absl::StrAppend(&out, "joined mnt namespace: ", Outcome(joined_mnt), "\n");
  SpawnOptions symlink = WithNewNamespaces(Shell("true"), {NsType::kMnt, NsType::kPid});
  symlink.root = root;
  symlink.mounts = {MountSpec::Bind("/usr", "/usr", true)};
  symlink.mount_proc = true;
  absl::StrAppend(&out, "/proc a symlink: ", Outcome(symlink), "\n");
  // Without a pid namespace of its own, an unprivileged child (root only in
  // its user namespace) may not mount the host's pid namespace's procfs.
  testing::ForkedReport r = RunForkedCheckingLeftovers([] {
    if (!testing::DropToNobody()) return std::string("cannot drop privileges");
    SpawnOptions o = Shell("true");
    o.MapCurrentUserToRoot();
    o.new_namespaces.Add(NsType::kMnt);
    o.mount_proc = true;
    return absl::StrCat("unprivileged, no pid namespace: ", Outcome(o), "\n");
  });
  EXPECT_EQ(r.code, 0);
  out += r.text;
  const std::string expected =
      "joined mnt namespace: spawn: INVALID_ARGUMENT errno=none: spawn: mount_proc "
      "needs a new mnt namespace, and the mnt namespace is joined (it would cover the /proc "
      "of every process in it)\n"
      "/proc a symlink: spawn: UNKNOWN errno=40: spawn: child: mount proc on "
      "/proc: Too many "
      "levels of symbolic links (/proc is a symbolic link; refusing to mount "
      "over it)\n"
      "unprivileged, no pid namespace: spawn: PERMISSION_DENIED errno=1: "
      "spawn: child: mount "
      "proc on /proc: Operation not permitted";
  ASSERT_THAT(Anon(out), ::testing::StartsWith(expected));
  // With the reason: procfs needs CAP_SYS_ADMIN over the owner of the pid
  // namespace, so a new pid namespace is needed.
  EXPECT_THAT(Anon(out),
              ::testing::EndsWith("Operation not permitted (proc can be mounted only with "
                                  "CAP_SYS_ADMIN over the user namespace that owns the pid "
                                  "namespace: ask for a new pid namespace too)\n"));
}

// Row: exec of a missing or non-executable file -> error with errno (ENOENT,
// EACCES) from the child (the tools then exit 127/126).
TEST_F(BadInputTable, ExecOfAMissingOrNonExecutableFileReportsTheErrno) {
  const std::string file = scratch() + "/not-executable";
  ASSERT_TRUE(WriteFile(file, "#!/bin/sh\n"));
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  std::string out;
  for (bool new_mnt : {false, true}) {
    SpawnOptions o;
    // A PATH every user can search: an unsearchable directory in it would
    // turn ENOENT into EACCES in the child, as execvp(3) does.
    o.env = std::vector<std::string>{"PATH=/usr/bin:/bin"};
    if (new_mnt) o = WithNewNamespaces(o, {NsType::kMnt});
    const char* where = new_mnt ? "new mnt ns, " : "";
    o.argv = {scratch() + "/missing"};
    absl::StrAppend(&out, where, "missing: ", Outcome(o), "\n");
    o.argv = {file};
    absl::StrAppend(&out, where, "not executable: ", Outcome(o), "\n");
    o.argv = {"no-such-command-anywhere"};
    absl::StrAppend(&out, where, "not in PATH: ", Outcome(o), "\n");
    o.argv = {scratch()};
    absl::StrAppend(&out, where, "a directory: ", Outcome(o), "\n");
  }
  std::string expected;
  for (const char* where : {"", "new mnt ns, "}) {
    absl::StrAppend(&expected, where,
                    "missing: spawn: NOT_FOUND errno=2: spawn: execve SCRATCH/missing: No "
                    "such file or "
                    "directory\n",
                    where,
                    "not executable: spawn: PERMISSION_DENIED errno=13: spawn: execve "
                    "SCRATCH/not-executable: Permission denied\n",
                    where,
                    "not in PATH: spawn: NOT_FOUND errno=2: spawn: execve "
                    "no-such-command-anywhere: No such "
                    "file or directory (not found in PATH)\n",
                    where,
                    "a directory: spawn: PERMISSION_DENIED errno=13: spawn: execve "
                    "SCRATCH: "
                    "Permission denied\n");
  }
  EXPECT_EQ(Anon(out), expected);
}

// Row: child killed by any signal, SIGKILL included -> reported as a signal.
TEST_F(BadInputTable, ChildKilledByAnySignalSigkillIncludedIsReportedAsASignal) {
  std::string out;
  for (int sig :
       {SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGABRT, SIGKILL, SIGSEGV, SIGPIPE, SIGTERM, SIGUSR1}) {
    SpawnOptions o = Shell(absl::StrCat("kill -", sig, " $$"));
    o.rlimits = {{RLIMIT_CORE, 0, 0}};  // no core file, so no "(core dumped)"
    absl::StrAppend(&out, Outcome(o), "\n");
  }
  // Killed from outside, through the handle, while it sleeps.
  ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(testing::Sleeper()));
  ASSERT_OK(child.Signal(SIGKILL));
  ASSERT_OK_AND_ASSIGN(ExitStatus status, child.Wait());
  absl::StrAppend(&out, "Signal(SIGKILL): ", status.ToString(), ", shell code ", status.ShellCode(),
                  "\n");
  EXPECT_EQ(out,
            "=> killed by signal 1 (Hangup)\n"
            "=> killed by signal 2 (Interrupt)\n"
            "=> killed by signal 3 (Quit)\n"
            "=> killed by signal 4 (Illegal instruction)\n"
            "=> killed by signal 6 (Aborted)\n"
            "=> killed by signal 9 (Killed)\n"
            "=> killed by signal 11 (Segmentation fault)\n"
            "=> killed by signal 13 (Broken pipe)\n"
            "=> killed by signal 15 (Terminated)\n"
            "=> killed by signal 10 (User defined signal 1)\n"
            "Signal(SIGKILL): killed by signal 9 (Killed), shell code 137\n");
}

}  // namespace
}  // namespace linuxns
