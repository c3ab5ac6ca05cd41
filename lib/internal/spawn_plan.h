// Private: SpawnOptions turned into what the child program reads.
//
// ValidateSpawnOptions() checks everything before any system call;
// PrepareSpawn() renders the options into a PreparedSpawn, which owns every
// buffer that the child::SpawnPlan inside it points into (so it must stay
// where it was built: it is neither copied nor moved). ChildProcess::Spawn()
// and ExecInPlace() share both, and DescribeChildFailure() (spawn_failure.cc)
// for the errors.
#ifndef LINUXNS_LIB_INTERNAL_SPAWN_PLAN_H_
#define LINUXNS_LIB_INTERNAL_SPAWN_PLAN_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "child/spawn.h"
#include "linuxns/pid_fd.h"
#include "linuxns/spawn_options.h"

namespace linuxns::internal {

struct PreparedSpawn {
  PreparedSpawn() = default;
  PreparedSpawn(const PreparedSpawn&) = delete;
  PreparedSpawn& operator=(const PreparedSpawn&) = delete;

  child::SpawnPlan plan;

  // Decisions the parent side acts on.
  bool parent_writes_maps = false;  // maps beyond the caller's own id
  bool joins_time = false;          // the child must not share our memory
  NsTypeSet clone_types;            // new namespaces made by clone/unshare
  // A pid namespace to join: the clone must happen from a thread whose
  // pid_for_children it is (not in place, where the plan's setns is right),
  // unless JoinPidInChild() has put it back into the plan.
  const NsFd* pid_join = nullptr;
  std::optional<NsFd> pid_join_owned;  // from join_process
  std::string timens_offsets;

  // What the plan points into.
  std::vector<const NsFd*> joins;
  std::vector<int> join_fds, join_types;
  std::string uid_map, gid_map;
  std::vector<std::string> candidates;
  std::vector<const char*> candidate_ptrs;
  std::vector<char*> argv, envp;
  std::vector<child::FdMove> moves;
  std::vector<int> keep;
  int max_target = 2;
  std::vector<child::SpawnPlan::RlimitSetting> rlimits;
  std::vector<unsigned> groups;
  std::vector<child::MountStep> mounts;
  std::vector<std::string> init_args;
  std::vector<char*> init_argv;
};

// InvalidArgument naming the field for options that do not fit together.
absl::Status ValidateSpawnOptions(const SpawnOptions& options);

// Fills `out` for `options` (validated). Resolves a command in PATH here when
// the child keeps our mount namespace (NotFound/PermissionDenied then).
// `in_place` for ExecInPlace (a pid namespace is then joined by the plan).
absl::Status PrepareSpawn(const SpawnOptions& options, PreparedSpawn& out, bool in_place);

// Moves prepared.pid_join into the plan's joins, for a child that joins the
// pid namespace itself and clones the process that execs (SpawnPlan's
// after_joins_stack, which the caller sets); prepared.pid_join becomes null.
void JoinPidInChild(PreparedSpawn& prepared, const SpawnOptions& options);

// Makes the child exec linuxns-init (from `image_fd`) with the command as its
// child, reporting on `report_fd` (the child's number).
void UseInit(PreparedSpawn& prepared, const SpawnOptions& options, int image_fd, int report_fd);

// Adds a descriptor move (parent's `source` to the child's `target`).
void AddMove(PreparedSpawn& prepared, int source, int target);

// Keeps descriptor `fd` open in the child (it must be above every target).
void KeepFdInChild(PreparedSpawn& prepared, int fd);

// The error of an execve of `program` that failed with `err` ("not found in
// PATH" for a bare name that was not found).
absl::Status ExecError(int err, const std::string& program);

// The status for the step reported in prepared.plan, its message starting
// with `who` ("spawn: child", "exec in place").
absl::Status DescribeChildFailure(const PreparedSpawn& prepared, const SpawnOptions& options,
                                  absl::string_view who = "spawn: child");

// Pins the namespaces options.pins names, of process `child` (the
// *_for_children view for pid and time: a process in place has unshared
// those for its children); on failure removes the pins made so far.
absl::Status PinNamespacesOf(const PidFd& child, const SpawnOptions& options);

// Writes setgroups/uid_map/gid_map of process `pid` as `options` ask, from
// the parent user namespace; where that is refused (EPERM), through
// newuidmap/newgidmap, run as a ChildProcess.
absl::Status WriteMapsOf(pid_t pid, const SpawnOptions& options);

}  // namespace linuxns::internal

#endif  // LINUXNS_LIB_INTERNAL_SPAWN_PLAN_H_
