#include "internal/probe_util.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "child/kernel_constants.h"
#include "internal/small_file.h"
#include "linuxns/status.h"

namespace linuxns::internal {

std::string ErrnoName(int err) {
  const char* name = ::strerrorname_np(err);
  return name != nullptr ? name : absl::StrCat("errno ", err);
}

// The number after "`key`:" in /proc/self/status ("Seccomp", "Threads").
std::optional<long long> ProcStatusNumber(absl::string_view key) {
  std::optional<std::string> text = ReadSmallFile("/proc/self/status");
  if (!text) return std::nullopt;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (!absl::ConsumePrefix(&line, key) || !absl::ConsumePrefix(&line, ":")) continue;
    long long value = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &value)) return value;
  }
  return std::nullopt;
}

// A clause for a refused call: the seccomp mode, when a filter is installed.
std::string SeccompClause() {
  std::optional<long long> mode = ProcStatusNumber("Seccomp");
  if (mode.value_or(0) == 0) return "";
  return absl::StrCat("this process runs under a seccomp filter (Seccomp: ", *mode,
                      " in /proc/self/status)");
}

bool HasEffectiveCap(int cap) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  return (data[cap / 32].effective & (1u << (cap % 32))) != 0;
}

// Whether `id` lies in an "inside" range of a uid_map/gid_map text.
bool IdMapCovers(absl::string_view map, std::uint32_t id) {
  for (absl::string_view line : absl::StrSplit(map, '\n', absl::SkipWhitespace())) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    std::uint64_t inside = 0, count = 0;
    if (fields.size() == 3 && absl::SimpleAtoi(fields[0], &inside) &&
        absl::SimpleAtoi(fields[2], &count) && id >= inside && id - inside < count) {
      return true;
    }
  }
  return false;
}

// Waits for a probe child and returns its exit code.
absl::StatusOr<int> WaitExitCode(const PidFd& child) {
  siginfo_t info{};
  while (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(child.get()), &info,
                  WEXITED | __WALL) != 0) {
    const int err = errno;
    if (err != EINTR) return ErrnoError(err, absl::StrCat("waitid pid ", child.pid()));
  }
  if (info.si_code == CLD_EXITED) return info.si_status;
  return absl::InternalError(
      absl::StrCat("probe child pid ", child.pid(), " was killed by signal ", info.si_status));
}

std::optional<std::string> FindHelper(absl::string_view name) {
  if (name.empty() || absl::StrContains(name, '/')) return std::nullopt;
  const char* path_env = std::getenv("PATH");
  const std::string path = path_env != nullptr ? path_env : "/bin:/usr/bin";
  for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
    std::string candidate = absl::StrCat(dir, absl::EndsWith(dir, "/") ? "" : "/", name);
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::faccessat(AT_FDCWD, candidate.c_str(), X_OK, AT_EACCESS) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Why creating namespaces fails.

namespace {

// "a net namespace", "mnt, net and uts namespaces"; "a process" for none (a
// clone without CLONE_NEW*).
std::string DescribeTypes(NsTypeSet types) {
  std::vector<std::string> names;
  for (NsType t : types) names.emplace_back(NsTypeName(t));
  if (names.empty()) return "a process";
  if (names.size() == 1) return absl::StrCat("a ", names[0], " namespace");
  std::string last = std::move(names.back());
  names.pop_back();
  return absl::StrCat(absl::StrJoin(names, ", "), " and ", last, " namespaces");
}

std::string LimitFile(NsType type) {
  return absl::StrCat("/proc/sys/user/max_", NsTypeName(type), "_namespaces");
}

// Something this process can read that stops a creation, and the errno(s)
// the kernel gives for it.
struct Blocker {
  int err;
  int other_err;
  std::string text;
};

const char* ConfigOption(NsType type) {
  switch (type) {
    case NsType::kMnt:
      return "CONFIG_NAMESPACES";
    case NsType::kUts:
      return "CONFIG_UTS_NS";
    case NsType::kIpc:
      return "CONFIG_IPC_NS";
    case NsType::kPid:
      return "CONFIG_PID_NS";
    case NsType::kNet:
      return "CONFIG_NET_NS";
    case NsType::kUser:
      return "CONFIG_USER_NS";
    case NsType::kCgroup:
      return "CONFIG_CGROUPS";
    case NsType::kTime:
      return "CONFIG_TIME_NS";
  }
  return "";
}

void FindMissingTypes(NsTypeSet types, std::vector<Blocker>& blockers) {
  if (::access("/proc/self/ns", F_OK) != 0) return;  // no /proc: nothing to tell
  for (NsType t : types) {
    const std::string path = absl::StrCat("/proc/self/ns/", NsTypeName(t));
    if (::access(path.c_str(), F_OK) == 0 || errno != ENOENT) continue;
    blockers.push_back({EINVAL, 0,
                        absl::StrCat("this kernel has no ", NsTypeName(t), " namespaces (", path,
                                     " does not exist): it was built without ", ConfigOption(t),
                                     t == NsType::kTime ? ", or is older than Linux 5.6" : "")});
  }
}

void FindDisabledTypes(NsTypeSet types, std::vector<Blocker>& blockers) {
  for (NsType t : types) {
    const std::string file = LimitFile(t);
    if (ReadNumberFile(file.c_str()) != 0) continue;
    blockers.push_back(
        {ENOSPC, 0,
         absl::StrCat(NsTypeName(t), " namespaces are disabled: ", file,
                      " is 0; raise it (sysctl -w user.max_", NsTypeName(t),
                      "_namespaces=N, as root of the user namespace it belongs to)")});
  }
}

void FindUserNsBlockers(bool cap_sys_admin, std::vector<Blocker>& blockers) {
  const std::optional<std::string> uid_map = ReadSmallFile("/proc/self/uid_map");
  const std::optional<std::string> gid_map = ReadSmallFile("/proc/self/gid_map");
  const bool uid_unmapped = uid_map && !IdMapCovers(*uid_map, ::geteuid());
  const bool gid_unmapped = gid_map && !IdMapCovers(*gid_map, ::getegid());
  if (uid_unmapped || gid_unmapped) {
    blockers.push_back({EPERM, 0,
                        absl::StrCat("this process's effective ", uid_unmapped ? "uid" : "gid",
                                     " has no mapping in its own user namespace (/proc/self/",
                                     uid_unmapped ? "uid_map" : "gid_map",
                                     " does not cover it), and the kernel lets no unmapped owner "
                                     "create a user namespace: write uid_map and gid_map of the "
                                     "current user namespace first")});
  }
  if (cap_sys_admin) return;
  if (ReadNumberFile("/proc/sys/kernel/unprivileged_userns_clone") == 0) {
    blockers.push_back({EPERM, 0,
                        "unprivileged user namespaces are disabled: "
                        "/proc/sys/kernel/unprivileged_userns_clone is 0; enable them (sysctl -w "
                        "kernel.unprivileged_userns_clone=1) or run as root"});
  }
  if (ReadNumberFile("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1) {
    blockers.push_back({EACCES, EPERM,
                        "AppArmor restricts unprivileged user namespaces "
                        "(/proc/sys/kernel/apparmor_restrict_unprivileged_userns is 1): one made "
                        "without a profile that allows it gets no capabilities; confine this "
                        "program with an AppArmor profile containing `userns,`, or set the sysctl "
                        "to 0"});
  }
}

std::vector<Blocker> FindBlockers(NsTypeSet types) {
  std::vector<Blocker> blockers;
  FindMissingTypes(types, blockers);
  FindDisabledTypes(types, blockers);
  const bool cap_sys_admin = HasEffectiveCap(CAP_SYS_ADMIN);
  if (!types.Contains(NsType::kUser) && !cap_sys_admin) {
    blockers.push_back({EPERM, 0,
                        absl::StrCat("creating ", DescribeTypes(types),
                                     " needs CAP_SYS_ADMIN in this process's user namespace, which "
                                     "this process (euid ",
                                     ::geteuid(),
                                     ") does not have: run it as root, or create a user namespace "
                                     "along with it (add NsType::kUser, as `unshare --user "
                                     "--map-root-user` does)")});
  }
  if (types.Contains(NsType::kUser)) FindUserNsBlockers(cap_sys_admin, blockers);
  return blockers;
}

// What `err` alone says about creating `what`, when nothing readable explains
// it; "" for an errno that says nothing particular.
std::string ErrnoMeaning(int err, NsTypeSet types, const std::string& what) {
  switch (err) {
    case EPERM: {
      std::string seccomp = SeccompClause();
      return absl::StrCat(
          "the kernel refuses to create ", what, " and nothing this process can read explains it: ",
          seccomp.empty() ? "" : absl::StrCat(seccomp, " that may refuse clone; "),
          "a security module (SELinux, AppArmor, Landlock) may refuse it, see the "
          "kernel log (dmesg)",
          types.Contains(NsType::kUser) ? "; a process in a chroot cannot create user namespaces"
                                        : "");
    }
    case ENOSPC: {
      std::vector<std::string> limits;
      for (NsType t : types) {
        const std::string file = LimitFile(t);
        std::optional<long long> max = ReadNumberFile(file.c_str());
        limits.push_back(absl::StrCat(file, " is ", max ? absl::StrCat(*max) : "unreadable"));
      }
      return absl::StrCat(
          "a namespace limit is reached: ",
          limits.empty() ? "" : absl::StrCat(absl::StrJoin(limits, ", "), " here, and "),
          "a parent user namespace may set a lower limit that cannot be "
          "read from here; user and pid namespaces also nest at most 32 deep: end "
          "unused namespaces of this user, or raise the limit (sysctl -w "
          "user.max_<type>_namespaces=N)");
    }
    case EACCES:
      return absl::StrCat("a security module refuses to create ", what,
                          " (SELinux, AppArmor or another LSM policy; see the kernel "
                          "log, dmesg or journalctl -k): allow it in the policy");
    case EUSERS:
      // Linux 4.9 and later say ENOSPC for this.
      return "user namespaces are nested too deep (at most 32 levels): create it from "
             "a shallower one";
    case EINVAL:
      return "this kernel rejects this combination of flags, or lacks one of the "
             "namespace types (CONFIG_*_NS)";
    case EAGAIN:
      return "too many processes: RLIMIT_NPROC, or kernel.threads-max / pid_max";
    case ENOMEM:
      return "out of memory, or the pid namespace to create the process in has no "
             "init anymore (its PID 1 exited)";
    default:
      return "";
  }
}

}  // namespace

std::string ExplainCreateError(int err, NsTypeSet types, absl::string_view otherwise) {
  std::string reason;
  std::vector<std::string> others;
  if (!types.empty()) {
    for (Blocker& b : FindBlockers(types)) {
      if (reason.empty() && (b.err == err || (b.other_err != 0 && b.other_err == err))) {
        reason = std::move(b.text);
      } else {
        others.push_back(std::move(b.text));
      }
    }
  }
  if (reason.empty()) reason = ErrnoMeaning(err, types, DescribeTypes(types));
  if (reason.empty()) reason = std::string(otherwise);
  if (others.empty()) return reason;
  return absl::StrCat(reason, reason.empty() ? "" : "; besides, ", absl::StrJoin(others, "; "));
}

}  // namespace linuxns::internal
