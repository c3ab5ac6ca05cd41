#include "internal/caller_context.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "internal/small_file.h"
#include "internal/spawn_plan.h"
#include "linuxns/ns_type.h"
#include "linuxns/status.h"

namespace linuxns::internal {
namespace {

// The fields of a /proc/.../status text after `name`, split on white space.
std::vector<std::string> StatusField(const std::string& status, absl::string_view name) {
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (absl::ConsumePrefix(&line, name)) {
      return absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    }
  }
  return {};
}

struct Identity {
  dev_t dev;
  ino_t ino;
  bool operator==(const Identity&) const = default;
};

std::optional<Identity> IdentityOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return Identity{st.st_dev, st.st_ino};
}

// The namespaces the spawner thread takes, mnt first: entering it resets the
// root and working directory, which are taken after.
struct SwitchedType {
  const char* name;  // under /proc/.../ns/
  NsType type;
};
constexpr SwitchedType kSwitched[] = {
    {"mnt", NsType::kMnt}, {"net", NsType::kNet},       {"uts", NsType::kUts},
    {"ipc", NsType::kIpc}, {"cgroup", NsType::kCgroup}, {"pid_for_children", NsType::kPid},
};

}  // namespace

unsigned long long IgnoredSignals() {
  std::optional<std::string> status = ReadSmallFile("/proc/self/status");
  if (!status) return ~0ULL;
  std::vector<std::string> field = StatusField(*status, "SigIgn:");
  unsigned long long mask = 0;
  if (field.empty() || !absl::SimpleHexAtoi(field[0], &mask)) return ~0ULL;
  return mask;
}

absl::Status TakeCallerIdentity(PreparedSpawn& p) {
  child::SpawnPlan& plan = p.plan;
  p.caller_tid = ::gettid();
  LINUXNS_ASSIGN_OR_RETURN(std::string mine_text, ReadSmallFileOrError("/proc/thread-self/status"));
  const std::optional<std::string> mine = std::move(mine_text);
  if (plan.umask < 0) {
    std::vector<std::string> umask = StatusField(*mine, "Umask:");
    char* end = nullptr;
    const unsigned long value =
        umask.empty() ? 0 : std::strtoul(umask[0].c_str(), &end, 8);  // "0022"
    if (end != nullptr && *end == '\0' && value <= 0777) plan.umask = static_cast<int>(value);
  }
  // Credentials are per thread in the kernel; glibc's set*id(2) changes
  // every thread's, so they differ only after a raw system call on one. The
  // child takes the ids only where this thread's differ from the process's
  // (the Uid:/Gid: lines of /proc/thread-self and /proc/self/status), and
  // the groups likewise (setgroups(2) needs CAP_SETGID even for the same
  // list). Not into a new user namespace: there the child's ids are those
  // of its maps, and the outer ids cannot be set before the maps exist
  // (EINVAL); the namespace is owned by the cloning thread's euid.
  LINUXNS_ASSIGN_OR_RETURN(std::string process_text, ReadSmallFileOrError("/proc/self/status"));
  const std::optional<std::string> process = std::move(process_text);
  if (p.clone_types.Contains(NsType::kUser)) return absl::OkStatus();
  if (StatusField(*process, "Uid:") != StatusField(*mine, "Uid:") ||
      StatusField(*process, "Gid:") != StatusField(*mine, "Gid:")) {
    uid_t r, e, s;
    gid_t gr, ge, gs;
    if (::getresuid(&r, &e, &s) != 0 || ::getresgid(&gr, &ge, &gs) != 0) {
      return ErrnoError(errno, "spawn: getresuid/getresgid");
    }
    const long uids[3] = {r, e, s};
    const long gids[3] = {gr, ge, gs};
    for (int i = 0; i < 3; ++i) {
      plan.caller_uid[i] = uids[i];
      plan.caller_gid[i] = gids[i];
    }
  }
  if (StatusField(*process, "Groups:") != StatusField(*mine, "Groups:")) {
    const int n = ::getgroups(0, nullptr);
    if (n < 0) return ErrnoError(errno, "spawn: getgroups");
    std::vector<gid_t> groups(static_cast<std::size_t>(n));
    if (::getgroups(n, groups.data()) < 0) return ErrnoError(errno, "spawn: getgroups");
    p.caller_groups.assign(groups.begin(), groups.end());
    plan.caller_groups = p.caller_groups.data();
    plan.caller_group_count = static_cast<int>(p.caller_groups.size());
  }
  return absl::OkStatus();
}

absl::StatusOr<CallerContextSwitch> CallerContextSwitch::Enter(pid_t caller_tid) {
  CallerContextSwitch sw;
  sw.active_ = true;
  const std::string caller = absl::StrCat("/proc/self/task/", caller_tid, "/");
  if (IdentityOf(caller + "ns/time_for_children") !=
      IdentityOf("/proc/thread-self/ns/time_for_children")) {
    return absl::FailedPreconditionError(
        "spawn: the calling thread has a time namespace for its children of its own, which the "
        "thread that must clone (kill_on_parent_death, or a pid join) cannot enter: only a "
        "single-threaded process can");
  }
  // A mount namespace is entered only by a thread with a filesystem context
  // (root, cwd, umask) of its own.
  if (::unshare(CLONE_FS) != 0) return ErrnoError(errno, "spawn: unshare(CLONE_FS)");
  sw.cwd_.reset(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!sw.cwd_) return ErrnoError(errno, "spawn: open the spawner thread's working directory");
  for (const SwitchedType& t : kSwitched) {
    const std::string theirs = caller + "ns/" + t.name;
    const std::string ours = absl::StrCat("/proc/thread-self/ns/", t.name);
    if (IdentityOf(theirs) == IdentityOf(ours)) continue;
    UniqueFd own(::open(ours.c_str(), O_RDONLY | O_CLOEXEC));
    UniqueFd target(::open(theirs.c_str(), O_RDONLY | O_CLOEXEC));
    if (!own || !target) {
      return ErrnoError(errno,
                        absl::StrCat("spawn: open the calling thread's ", t.name, " namespace"));
    }
    const int nstype = static_cast<int>(CloneFlag(t.type));
    if (::setns(target.get(), nstype) != 0) {
      return ErrnoError(errno, absl::StrCat("spawn: enter the calling thread's ", t.name,
                                            " namespace on the spawner thread"));
    }
    sw.namespaces_.push_back(Saved{std::move(own), nstype});
  }
  if (IdentityOf(caller + "root") != IdentityOf("/")) {
    UniqueFd own(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    UniqueFd theirs(::open((caller + "root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!own || !theirs) return ErrnoError(errno, "spawn: open the calling thread's root");
    if (::fchdir(theirs.get()) != 0 || ::chroot(".") != 0) {
      return ErrnoError(errno, "spawn: take the calling thread's root on the spawner thread");
    }
    sw.root_ = std::move(own);
  }
  UniqueFd cwd(::open((caller + "cwd").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!cwd || ::fchdir(cwd.get()) != 0) {
    return ErrnoError(errno, "spawn: take the calling thread's working directory");
  }
  return sw;
}

CallerContextSwitch::CallerContextSwitch(CallerContextSwitch&& other) noexcept
    : namespaces_(std::move(other.namespaces_)),
      root_(std::move(other.root_)),
      cwd_(std::move(other.cwd_)),
      active_(std::exchange(other.active_, false)) {}

CallerContextSwitch::~CallerContextSwitch() { static_cast<void>(Restore()); }

absl::Status CallerContextSwitch::Restore() {
  if (!active_) return absl::OkStatus();
  active_ = false;
  absl::Status result;
  // In the reverse order of entering: mnt last, whose setns resets the root
  // and working directory restored below.
  std::reverse(namespaces_.begin(), namespaces_.end());
  for (const Saved& saved : namespaces_) {
    if (::setns(saved.fd.get(), saved.nstype) != 0) {
      result.Update(ErrnoError(absl::StatusCode::kInternal, errno,
                               "spawn: put the spawner thread back into its namespace"));
    }
  }
  namespaces_.clear();
  if (root_ && (::fchdir(root_.get()) != 0 || ::chroot(".") != 0)) {
    result.Update(ErrnoError(absl::StatusCode::kInternal, errno,
                             "spawn: put the spawner thread back into its root"));
  }
  if (cwd_ && ::fchdir(cwd_.get()) != 0) {
    result.Update(ErrnoError(absl::StatusCode::kInternal, errno,
                             "spawn: put the spawner thread back into its directory"));
  }
  return result;
}

}  // namespace linuxns::internal
