#include "internal/spawn_parent.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "internal/kernel.h"
#include "internal/probe_util.h"
#include "internal/spawn_launch.h"
#include "internal/spawn_plan.h"
#include "linuxns/pin.h"
#include "linuxns/status.h"

namespace linuxns::internal {
namespace {

// Runs newuidmap/newgidmap PID INNER OUTER COUNT... and waits for it. A plan
// of the same corridor, launched here: no public API is re-entered.
absl::Status RunMapHelper(const std::string& helper, pid_t pid, const IdMap& map,
                          absl::string_view who) {
  SpawnOptions run;
  run.argv = {helper, absl::StrCat(pid)};
  for (const IdMapEntry& e : map.entries()) {
    absl::StrAppend(&run.argv.emplace_back(), e.inner);
    absl::StrAppend(&run.argv.emplace_back(), e.outer);
    absl::StrAppend(&run.argv.emplace_back(), e.count);
  }
  run.stderr_mode = Stdio::kPipe;
  LINUXNS_ASSIGN_OR_RETURN(std::unique_ptr<PreparedSpawn> prepared,
                           BuildSpawn(run, SpawnTarget::kChild));
  LINUXNS_ASSIGN_OR_RETURN(PidFd child, Launch(*prepared));
  const UniqueFd err_read = std::move(prepared->parent_ends[2]);
  prepared.reset();
  std::string said;
  char buf[512];
  ssize_t n;
  while ((n = ::read(err_read.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) said.append(buf, static_cast<std::size_t>(n));
  }
  LINUXNS_ASSIGN_OR_RETURN(ExitStatus status, WaitForExit(child));
  if (status.success()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(who, ": ", helper, " ", status.ToString(), ": ",
                                                  absl::StripTrailingAsciiWhitespace(said)));
}

absl::Status WriteMap(pid_t pid, const char* file, const char* helper_name, const IdMap& map,
                      absl::string_view who) {
  absl::Status direct = WithContext(WriteProcFile(pid, file, map.ToString()), who);
  if (direct.ok() || ErrnoOf(direct) != EPERM) return direct;
  std::optional<std::string> helper = FindHelper(helper_name);
  if (!helper) {
    return WithContext(direct, absl::StrCat(helper_name,
                                            " (package uidmap) is not installed, "
                                            "and without it"));
  }
  return RunMapHelper(*helper, pid, map, who);
}

}  // namespace

absl::Status WriteIdMaps(pid_t pid, const IdMap* uid_map, const IdMap* gid_map, bool deny_setgroups,
                         absl::string_view who) {
  if (deny_setgroups) {
    LINUXNS_RETURN_IF_ERROR(WithContext(WriteProcFile(pid, "setgroups", "deny"), who));
  }
  if (uid_map != nullptr) {
    LINUXNS_RETURN_IF_ERROR(WriteMap(pid, "uid_map", "newuidmap", *uid_map, who));
  }
  if (gid_map != nullptr) {
    LINUXNS_RETURN_IF_ERROR(WriteMap(pid, "gid_map", "newgidmap", *gid_map, who));
  }
  return absl::OkStatus();
}

void RemovePins(const MadePins& pins) {
  for (const auto& [path, file] : pins) static_cast<void>(UnpinNamespace(path, file));
}

absl::StatusOr<MadePins> PinNamespacesOf(const PidFd& child, const SpawnOptions& o) {
  MadePins made;
  for (const NsPin& pin : o.pins) {
    absl::StatusOr<NsFd> ns = pin.type == NsType::kTime || pin.type == NsType::kPid
                                  ? NsFd::FromPidFdForChildren(child, pin.type)
                                  : NsFd::FromPidFd(child, pin.type);
    absl::StatusOr<bool> created =
        ns.ok() ? PinNamespace(*ns, pin.path) : absl::StatusOr<bool>(ns.status());
    if (!created.ok()) {
      RemovePins(made);
      return WithContext(created.status(), "spawn");
    }
    made.emplace_back(pin.path, *created);
  }
  return made;
}

}  // namespace linuxns::internal
