#include "linuxns/probe.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "internal/kernel.h"
#include "linuxns/namespace.h"
#include "linuxns/ns_fd.h"
#include "support/seccomp.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using ::linuxns::testing::StatusIs;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class ProbeTest : public testing::LeakCheckedTest {};

// "yes", or "no: <reason>", or "error: <status>".
std::string Verdict(const absl::StatusOr<NamespaceProbe>& probe) {
  if (!probe.ok()) return absl::StrCat("error: ", probe.status().ToString());
  if (probe->can_create) {
    return probe->reason.empty() ? "yes" : "yes, but: " + probe->reason;
  }
  return absl::StrCat("no: ", probe->reason);
}

std::string SetupFailed(const char* what) {
  return absl::StrCat("setup failed: ", what, ": ", std::strerror(errno));
}

bool WriteFile(const char* path, const std::string& text) {
  const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

const KernelFeature& Feature(const std::vector<KernelFeature>& features, KernelFeatureId id) {
  return features.at(static_cast<std::size_t>(id));
}

std::string Release() {
  struct utsname uts;
  ::uname(&uts);
  return uts.release;
}

// The running kernel's "MAJOR.MINOR".
std::string MajorMinor() {
  int major = 0, minor = 0;
  std::sscanf(Release().c_str(), "%d.%d", &major, &minor);
  return absl::StrCat(major, ".", minor);
}

// Whether this process may create a user namespace (then it holds every
// capability in it, and may set that namespace's limits).
bool UserNamespacesAllowed() {
  return testing::RunInForkedChild([] { return ::unshare(CLONE_NEWUSER) == 0 ? 0 : 1; }) == 0;
}

#define LINUXNS_SKIP_UNLESS_USERNS() \
  if (!UserNamespacesAllowed())      \
  GTEST_SKIP() << "needs user namespaces (unshare(CLONE_NEWUSER) is refused here)"

// --- RunningKernelVersion, ProbeKernelFeatures -----------------------------

TEST_F(ProbeTest, RunningKernelVersionIsUnames) {
  ASSERT_OK_AND_ASSIGN(KernelVersion version, RunningKernelVersion());
  EXPECT_EQ(version.release, Release());
  EXPECT_EQ(absl::StrCat(version.major, ".", version.minor), MajorMinor());
  EXPECT_TRUE(version.AtLeast(version.major, version.minor));
  EXPECT_TRUE(version.AtLeast(version.major - 1, 99));
  EXPECT_FALSE(version.AtLeast(version.major, version.minor + 1));
  EXPECT_FALSE(version.AtLeast(version.major + 1, 0));
}

TEST_F(ProbeTest, FeaturesComeInEnumOrderWithTheirFirstRelease) {
  ASSERT_OK_AND_ASSIGN(std::vector<KernelFeature> features, ProbeKernelFeatures());
  std::vector<std::string> listed;
  for (std::size_t i = 0; i < features.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(features[i].id), i);
    listed.push_back(
        absl::StrCat(features[i].name, " ", features[i].major, ".", features[i].minor));
  }
  EXPECT_THAT(listed,
              ::testing::ElementsAre("clone3 5.3", "pidfd_open 5.3", "setns by pidfd 5.8",
                                     "CLONE_INTO_CGROUP 5.7", "close_range 5.9",
                                     "time namespaces 5.6", "PIDFD_GET_*_NAMESPACE 6.11",
                                     "PIDFD_INFO_EXIT 6.15", "openat2 5.6", "NS_GET_NSTYPE 4.11"));
}

TEST_F(ProbeTest, EveryFeatureIsAvailableOnThisKernel) {
  ASSERT_OK_AND_ASSIGN(KernelVersion version, RunningKernelVersion());
  if (!version.AtLeast(6, 15)) {
    GTEST_SKIP() << "needs Linux 6.15, this is " << version.release;
  }
  ASSERT_OK_AND_ASSIGN(std::vector<KernelFeature> features, ProbeKernelFeatures());
  for (const KernelFeature& f : features) {
    EXPECT_TRUE(f.available) << f.name << ": " << f.detail;
  }
  EXPECT_EQ(Feature(features, KernelFeatureId::kClone3).detail,
            "clone3(NULL, 0) answers EINVAL: it exists");
  EXPECT_EQ(Feature(features, KernelFeatureId::kPidfdOpen).detail,
            "pidfd_open(0, 0) answers EINVAL: it exists");
  EXPECT_EQ(Feature(features, KernelFeatureId::kPidfdNsIoctls).detail,
            "PIDFD_GET_UTS_NAMESPACE on this process's pidfd gives a fd");
  EXPECT_EQ(Feature(features, KernelFeatureId::kSetnsPidfd).detail,
            "setns(pidfd of a reaped child, CLONE_NEWUTS) answers ESRCH");
  EXPECT_EQ(Feature(features, KernelFeatureId::kCloneIntoCgroup).detail,
            "clone3 answers EINVAL to an out-of-range cgroup fd: the field exists");
  EXPECT_EQ(Feature(features, KernelFeatureId::kPidfdInfoExit).detail,
            "PIDFD_GET_INFO keeps the exit status of a reaped child");
}

TEST_F(ProbeTest, Clone3RefusedBySeccompIsMissingAndTheFilterNamed) {
  ASSERT_OK_AND_ASSIGN(KernelVersion version, RunningKernelVersion());
  if (!version.AtLeast(5, 8)) GTEST_SKIP() << "needs Linux 5.8";
  testing::ForkedReport r = testing::RunForkedAndReport([] {
    if (!testing::FailSyscalls({SYS_clone3}, ENOSYS)) return std::string("no filter");
    absl::StatusOr<std::vector<KernelFeature>> features = ProbeKernelFeatures();
    if (!features.ok()) return features.status().ToString();
    std::string out;
    for (KernelFeatureId id : {KernelFeatureId::kClone3, KernelFeatureId::kCloneIntoCgroup,
                               KernelFeatureId::kPidfdOpen, KernelFeatureId::kSetnsPidfd}) {
      const KernelFeature& f = Feature(*features, id);
      absl::StrAppend(&out, f.name, ": ", f.available ? "yes" : "no", ": ", f.detail, "\n");
    }
    return out;
  });
  EXPECT_EQ(r.code, 0);
  const std::string filter =
      "this process runs under a seccomp filter (Seccomp: 2 in /proc/self/status) that "
      "probably refuses it";
  EXPECT_EQ(r.text, absl::StrCat("clone3: no: clone3(NULL, 0) answers ENOSYS although Linux ",
                                 MajorMinor(), " has it: ", filter, "\n",
                                 "CLONE_INTO_CGROUP: no: clone3 answers ENOSYS, and the flag "
                                 "needs clone3 although Linux ",
                                 MajorMinor(), " has it: ", filter, "\n",
                                 "pidfd_open: yes: pidfd_open(0, 0) answers EINVAL: it exists\n",
                                 // The reaped child came from clone(2), the fallback.
                                 "setns by pidfd: yes: setns(pidfd of a reaped child, "
                                 "CLONE_NEWUTS) answers ESRCH\n"));
}

// --- ProbeCreate ------------------------------------------------------------

TEST_F(ProbeTest, EmptySetIsInvalidArgument) {
  EXPECT_THAT(ProbeCreate(NsTypeSet()),
              StatusIs(absl::StatusCode::kInvalidArgument, "ProbeCreate: no namespace type given"));
}

TEST_F(ProbeTest, RootCanCreateEveryType) {
  LINUXNS_SKIP_UNLESS_ROOT();
  for (NsType type : kAllNsTypes) {
    absl::StatusOr<NamespaceProbe> probe = ProbeCreate({type});
    EXPECT_EQ(Verdict(probe), "yes") << type;
    if (probe.ok()) {
      EXPECT_EQ(probe->types, NsTypeSet{type});
    }
  }
  EXPECT_EQ(Verdict(ProbeCreate(NsTypeSet::All())), "yes");
}

TEST_F(ProbeTest, UnprivilegedNetWithoutUserNeedsCapSysAdmin) {
  testing::ForkedReport r = testing::RunForkedAndReport([] {
    if (!testing::DropToNobody()) return std::string("drop failed");
    return absl::StrCat(Verdict(ProbeCreate({NsType::kNet})), "\n",
                        Verdict(ProbeCreate({NsType::kNet, NsType::kUts})));
  });
  EXPECT_EQ(r.code, 0);
  const std::string advice =
      " needs CAP_SYS_ADMIN in this process's user namespace, which this process "
      "(euid 65534) does not have: run it as root, or create a user namespace along "
      "with it (add NsType::kUser, as `unshare --user --map-root-user` does) (clone: "
      "EPERM)";
  EXPECT_EQ(r.text, absl::StrCat("no: creating a net namespace", advice, "\n",
                                 "no: creating uts and net namespaces", advice));
}

TEST_F(ProbeTest, UnprivilegedUserCanCreateUserNamespaceAndOthersWithIt) {
  testing::ForkedReport r = testing::RunForkedAndReport([] {
    if (!testing::DropToNobody()) return std::string("drop failed");
    return absl::StrCat(Verdict(ProbeCreate({NsType::kUser})), "\n",
                        Verdict(ProbeCreate({NsType::kUser, NsType::kNet})), "\n",
                        Verdict(ProbeCreate(NsTypeSet::All())));
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text, "yes\nyes\nyes");
}

// In a new user namespace the caller owns, it may set that namespace's limits
// (/proc/sys/user is per user namespace), and they bind its descendants too.
TEST_F(ProbeTest, ZeroLimitRefusesWithTheLimitFileNamed) {
  LINUXNS_SKIP_UNLESS_USERNS();
  testing::ForkedReport r = testing::RunForkedAndReport([] {
    if (::unshare(CLONE_NEWUSER) != 0) return SetupFailed("unshare");
    if (!WriteFile("/proc/sys/user/max_net_namespaces", "0")) {
      return SetupFailed("write limit");
    }
    return absl::StrCat(Verdict(ProbeCreate({NsType::kNet})), "\n",
                        Verdict(ProbeCreate({NsType::kUts})));
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text,
            "no: net namespaces are disabled: /proc/sys/user/max_net_namespaces is 0; "
            "raise it (sysctl -w user.max_net_namespaces=N, as root of the user "
            "namespace it belongs to) (clone: ENOSPC)\n"
            "yes");
}

TEST_F(ProbeTest, ReachedLimitNamesTheLimitAndItsValue) {
  LINUXNS_SKIP_UNLESS_USERNS();
  testing::ForkedReport r = testing::RunForkedAndReport([] {
    if (::unshare(CLONE_NEWUSER) != 0) return SetupFailed("unshare user");
    if (!WriteFile("/proc/sys/user/max_net_namespaces", "1")) {
      return SetupFailed("write limit");
    }
    // The one net namespace the limit allows.
    if (::unshare(CLONE_NEWNET) != 0) return SetupFailed("unshare net");
    return Verdict(ProbeCreate({NsType::kNet}));
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text,
            "no: a namespace limit is reached: /proc/sys/user/max_net_namespaces is 1 "
            "here, and a parent user namespace may set a lower limit that cannot be read "
            "from here; user and pid namespaces also nest at most 32 deep: end unused "
            "namespaces of this user, or raise the limit (sysctl -w "
            "user.max_<type>_namespaces=N) (clone: ENOSPC)");
}

TEST_F(ProbeTest, UnmappedOwnerCannotCreateUserNamespaceAndOtherCausesFollow) {
  LINUXNS_SKIP_UNLESS_USERNS();
  testing::ForkedReport r = testing::RunForkedAndReport([] {
    // No uid_map written: the process's uid has no mapping in its namespace.
    if (::unshare(CLONE_NEWUSER) != 0) return SetupFailed("unshare");
    if (!WriteFile("/proc/sys/user/max_net_namespaces", "0")) {
      return SetupFailed("write limit");
    }
    return Verdict(ProbeCreate({NsType::kUser, NsType::kNet}));
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text,
            "no: this process's effective uid has no mapping in its own user namespace "
            "(/proc/self/uid_map does not cover it), and the kernel lets no unmapped "
            "owner create a user namespace: write uid_map and gid_map of the current "
            "user namespace first; besides, net namespaces are disabled: "
            "/proc/sys/user/max_net_namespaces is 0; raise it (sysctl -w "
            "user.max_net_namespaces=N, as root of the user namespace it belongs to) "
            "(clone: EPERM)");
}

TEST_F(ProbeTest, RefusalWithoutVisibleCauseNamesTheSeccompFilter) {
  LINUXNS_SKIP_UNLESS_USERNS();
  testing::ForkedReport r = testing::RunForkedAndReport([] {
    // In a user namespace of its own, the process has CAP_SYS_ADMIN.
    if (::unshare(CLONE_NEWUSER) != 0) return SetupFailed("unshare");
    if (!testing::FailSyscalls({SYS_clone3, SYS_clone}, EPERM)) {
      return std::string("no filter");
    }
    return Verdict(ProbeCreate({NsType::kUts}));
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text,
            "no: the kernel refuses to create a uts namespace and nothing this process "
            "can read explains it: this process runs under a seccomp filter (Seccomp: 2 in "
            "/proc/self/status) that may refuse clone; a security module (SELinux, "
            "AppArmor, Landlock) may refuse it, see the kernel log (dmesg) (clone: "
            "EPERM)");
}

TEST_F(ProbeTest, ErrnoWithoutVisibleCauseIsExplainedByItsMeaning) {
  LINUXNS_SKIP_UNLESS_USERNS();
  std::string text;
  for (int err : {EINVAL, EACCES, EBADF}) {
    testing::ForkedReport r = testing::RunForkedAndReport([&] {
      if (::unshare(CLONE_NEWUSER) != 0) return SetupFailed("unshare");
      if (!testing::FailSyscalls({SYS_clone3, SYS_clone}, err)) return std::string("no filter");
      return Verdict(ProbeCreate({NsType::kUts}));
    });
    EXPECT_EQ(r.code, 0);
    absl::StrAppend(&text, r.text, "\n");
  }
  EXPECT_EQ(text,
            "no: this kernel rejects this combination of flags, or lacks one of the namespace "
            "types (CONFIG_*_NS) (clone: EINVAL)\n"
            "no: a security module refuses to create a uts namespace (SELinux, AppArmor or "
            "another LSM policy; see the kernel log, dmesg or journalctl -k): allow it in the "
            "policy (clone: EACCES)\n"
            "no: clone: Bad file descriptor (clone: EBADF)\n");
}

TEST_F(ProbeTest, TimeNamespaceWithoutClone3NamesClone3) {
  LINUXNS_SKIP_UNLESS_USERNS();
  testing::ForkedReport r = testing::RunForkedAndReport([] {
    if (::unshare(CLONE_NEWUSER) != 0) return SetupFailed("unshare");
    if (!testing::FailSyscalls({SYS_clone3}, ENOSYS)) return std::string("no filter");
    return absl::StrCat(Verdict(ProbeCreate({NsType::kTime})), "\n",
                        Verdict(ProbeCreate({NsType::kUts})));
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text,
            "no: clone: a new time namespace or CLONE_INTO_CGROUP needs clone3 (Linux "
            "5.3), which this system refuses: Function not implemented (clone: ENOSYS)\n"
            "yes");
}

TEST_F(ProbeTest, ProbeLeavesNoNamespaceBehind) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(NsFd before, NsFd::OpenCurrent(NsType::kNet));
  ASSERT_OK_AND_ASSIGN(NamespaceProbe probe, ProbeCreate(NsTypeSet::All()));
  EXPECT_TRUE(probe.can_create);
  for (NsType type : kAllNsTypes) {
    ASSERT_OK_AND_ASSIGN(NsFd now, NsFd::OpenCurrent(type));
    ASSERT_OK_AND_ASSIGN(NsFd self,
                         NsFd::OpenPath(absl::StrCat("/proc/self/ns/", NsTypeName(type))));
    EXPECT_EQ(now.id(), self.id()) << type;
  }
  ASSERT_OK_AND_ASSIGN(NsFd after, NsFd::OpenCurrent(NsType::kNet));
  EXPECT_EQ(before.id(), after.id());
  // The fixture checks that no child and no descriptor is left.
}

// --- ProbeEnter -------------------------------------------------------------

TEST_F(ProbeTest, RootCanEnterAHeldNetNamespaceFromBoth) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kNet}));
  ASSERT_OK_AND_ASSIGN(EnterProbe probe, ProbeEnter(*ns.Find(NsType::kNet)));
  EXPECT_EQ(probe.target, ns.Find(NsType::kNet)->id());
  EXPECT_TRUE(probe.from_child);
  EXPECT_TRUE(probe.from_this_thread);
  EXPECT_EQ(probe.reason, "");
}

TEST_F(ProbeTest, OwnUserAndMountNamespacesAreEnterableAsNoOps) {
  for (NsType type : {NsType::kUser, NsType::kMnt}) {
    ASSERT_OK_AND_ASSIGN(NsFd own, NsFd::OpenCurrent(type));
    testing::ExtraThread thread;  // even so: entering one's own is a no-op
    ASSERT_OK_AND_ASSIGN(EnterProbe probe, ProbeEnter(own));
    EXPECT_TRUE(probe.from_child) << type;
    EXPECT_TRUE(probe.from_this_thread) << type;
    EXPECT_EQ(probe.reason, "") << type;
  }
}

TEST_F(ProbeTest, UnprivilegedCannotEnterTheHostNetNamespace) {
  testing::ForkedReport r = testing::RunForkedAndReport([] {
    if (!testing::DropToNobody()) return std::string("drop failed");
    absl::StatusOr<NsFd> net = NsFd::OpenCurrent(NsType::kNet);
    if (!net.ok()) return net.status().ToString();
    absl::StatusOr<EnterProbe> probe = ProbeEnter(*net);
    if (!probe.ok()) return probe.status().ToString();
    return absl::StrCat(probe->from_child, probe->from_this_thread, " ", probe->reason, "|",
                        net->id().ToString());
  });
  EXPECT_EQ(r.code, 0);
  const std::size_t bar = r.text.rfind('|');
  ASSERT_NE(bar, std::string::npos) << r.text;
  EXPECT_EQ(r.text.substr(0, bar),
            absl::StrCat("00 entering ", r.text.substr(bar + 1),
                         " needs CAP_SYS_ADMIN both in the user namespace that owns it "
                         "and in this process's own user namespace, which this process "
                         "(euid 65534) does not have: run as root, or enter its owning "
                         "user namespace first (setns: EPERM)"));
}

TEST_F(ProbeTest, MultiThreadedProcessCanEnterUserNamespaceOnlyFromAChild) {
  LINUXNS_SKIP_UNLESS_USERNS();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUser}));
  {
    ASSERT_OK_AND_ASSIGN(EnterProbe alone, ProbeEnter(*ns.Find(NsType::kUser)));
    ASSERT_OK_AND_ASSIGN(int threads, internal::CountThreads());
    if (threads == 1) {
      EXPECT_TRUE(alone.from_this_thread) << alone.reason;
    }
  }
  testing::ExtraThread thread;
  ASSERT_OK_AND_ASSIGN(int threads, internal::CountThreads());
  ASSERT_OK_AND_ASSIGN(EnterProbe probe, ProbeEnter(*ns.Find(NsType::kUser)));
  EXPECT_TRUE(probe.from_child);
  EXPECT_FALSE(probe.from_this_thread);
  EXPECT_EQ(
      probe.reason,
      absl::StrCat("only a single-threaded process can enter a user namespace, and "
                   "this one has ",
                   threads, " threads: enter it from a child process (ChildProcess) instead"));
}

TEST_F(ProbeTest, MultiThreadedProcessNeedsUnshareFsForAMountNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kMnt}));
  testing::ExtraThread thread;
  ASSERT_OK_AND_ASSIGN(int threads, internal::CountThreads());
  ASSERT_OK_AND_ASSIGN(EnterProbe probe, ProbeEnter(*ns.Find(NsType::kMnt)));
  EXPECT_TRUE(probe.from_child);
  EXPECT_FALSE(probe.from_this_thread);
  EXPECT_EQ(probe.reason,
            absl::StrCat("this process has ", threads,
                         " threads, and a thread can enter a mount namespace only after "
                         "unshare(CLONE_FS) (RunInNamespacesOnThread does that)"));
}

TEST_F(ProbeTest, RootCanEnterANewTimeNamespaceFromAChild) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kTime}));
  ASSERT_OK_AND_ASSIGN(EnterProbe probe, ProbeEnter(*ns.Find(NsType::kTime)));
  EXPECT_TRUE(probe.from_child) << probe.reason;
}

TEST_F(ProbeTest, MovedFromNsFdIsFailedPrecondition) {
  ASSERT_OK_AND_ASSIGN(NsFd net, NsFd::OpenCurrent(NsType::kNet));
  NsFd taken = std::move(net);
  EXPECT_THAT(ProbeEnter(net),  // NOLINT(bugprone-use-after-move): on purpose
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "ProbeEnter: the NsFd is empty (moved from)"));
}

// --- FindHelper, ProbeIdMapHelpers ------------------------------------------

TEST_F(ProbeTest, FindHelperFindsShellInPath) {
  EXPECT_THAT(FindHelper("sh"), AnyOf(std::optional<std::string>("/bin/sh"),
                                      std::optional<std::string>("/usr/bin/sh")));
  EXPECT_EQ(FindHelper("no-such-helper-xyz"), std::nullopt);
  EXPECT_EQ(FindHelper(""), std::nullopt);
  EXPECT_EQ(FindHelper("bin/sh"), std::nullopt);
}

TEST_F(ProbeTest, FindHelperSkipsWhatCannotBeExecuted) {
  const std::string dir_a = scratch() + "/a";
  const std::string dir_b = scratch() + "/b";
  ASSERT_EQ(::mkdir(dir_a.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(dir_b.c_str(), 0755), 0);
  std::ofstream(dir_a + "/tool") << "#!/bin/sh\n";        // not executable
  ASSERT_EQ(::mkdir((dir_a + "/sub").c_str(), 0755), 0);  // a directory
  std::ofstream(dir_b + "/tool") << "#!/bin/sh\n";
  ASSERT_EQ(::chmod((dir_b + "/tool").c_str(), 0755), 0);
  testing::ForkedReport r = testing::RunForkedAndReport([&] {
    ::setenv("PATH", absl::StrCat(dir_a, "::", dir_b, "/").c_str(), 1);
    return absl::StrCat(FindHelper("tool").value_or("none"), " ",
                        FindHelper("sub").value_or("none"));
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text, absl::StrCat(dir_b, "/tool none"));
}

TEST_F(ProbeTest, MissingIdMapHelpersNameTheUidmapPackage) {
  testing::ForkedReport r = testing::RunForkedAndReport([&] {
    ::setenv("PATH", scratch().c_str(), 1);
    IdMapHelpers helpers = ProbeIdMapHelpers();
    return absl::StrCat(helpers.usable, helpers.newuidmap.has_value(), " ", helpers.reason);
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text, absl::StrCat("00 newuidmap is not in PATH (", scratch(),
                                 "): install the uidmap package (Debian, Ubuntu; "
                                 "shadow-utils elsewhere), which provides newuidmap and "
                                 "newgidmap"));
}

TEST_F(ProbeTest, IdMapHelpersWithoutSetuidAreUnusable) {
  for (const char* name : {"newuidmap", "newgidmap"}) {
    const std::string path = absl::StrCat(scratch(), "/", name);
    std::ofstream(path) << "#!/bin/sh\n";
    ASSERT_EQ(::chmod(path.c_str(), 0755), 0);
  }
  testing::ForkedReport r = testing::RunForkedAndReport([&] {
    ::setenv("PATH", scratch().c_str(), 1);
    IdMapHelpers helpers = ProbeIdMapHelpers();
    return absl::StrCat(helpers.usable, " ", helpers.newuidmap.value_or("none"), " ",
                        helpers.newgidmap.value_or("none"), " ", helpers.reason);
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text,
            absl::StrCat("0 ", scratch(), "/newuidmap ", scratch(), "/newgidmap ", scratch(),
                         "/newuidmap is neither set-user-ID root nor given file "
                         "capabilities, so it cannot write maps: reinstall the "
                         "uidmap package"));
}

TEST_F(ProbeTest, InstalledIdMapHelpersAreTheOnesInPath) {
  IdMapHelpers helpers = ProbeIdMapHelpers();
  EXPECT_EQ(helpers.newuidmap, FindHelper("newuidmap"));
  EXPECT_EQ(helpers.newgidmap, FindHelper("newgidmap"));
  if (!helpers.newuidmap || !helpers.newgidmap) {
    EXPECT_FALSE(helpers.usable);
    EXPECT_THAT(helpers.reason, HasSubstr("install the uidmap package"));
  } else if (!helpers.usable) {
    EXPECT_THAT(helpers.reason,
                AnyOf(StartsWith("/etc/subuid gives "), StartsWith("/etc/subgid gives "),
                      HasSubstr("is neither set-user-ID root")));
  } else {
    EXPECT_EQ(helpers.reason, "");
  }
}

}  // namespace
}  // namespace linuxns
