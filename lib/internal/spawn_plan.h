// Private: the spawn corridor's plan. SpawnOptions go in; a PreparedSpawn
// comes out, complete and never modified afterwards:
//
//   ValidateSpawnOptions()   spawn_validate.cc    every field, before any system call
//   BuildSpawn()             spawn_plan.cc        the child's program, the launch mode
//                                                 (decided here, once), every descriptor
//                                                 and stack the launch will use
//   Launch()                 spawn_launch.cc      clone, the parent's side of the protocol
//   parent actions           spawn_parent.cc      id maps and pins, while the child waits
//   DescribeChildFailure()   spawn_failure.cc     the outcome the child wrote, as a Status
//
// ChildProcess::Spawn() and ExecInPlace() are the two users: the first runs
// the plan in a clone, the second in this process (SpawnTarget::kInPlace).
#ifndef LINUXNS_LIB_INTERNAL_SPAWN_PLAN_H_
#define LINUXNS_LIB_INTERNAL_SPAWN_PLAN_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "child/spawn.h"
#include "internal/clone.h"
#include "linuxns/pid_fd.h"
#include "linuxns/spawn_options.h"
#include "linuxns/unique_fd.h"

namespace linuxns::internal {

// How the child is cloned and how the parent learns the outcome. One value,
// decided by BuildSpawn(); docs/design.md has the table with the reasons the
// kernel gives for each.
enum class LaunchMode {
  // clone3(CLONE_VM|CLONE_VFORK): the parent sleeps until the child has
  // exec'd or failed, and reads the outcome from the memory they share.
  kVfork,
  // kVfork, and the child joins a pid namespace itself, then clones (with
  // CLONE_PARENT) the process that is born there and execs: setns into a pid
  // namespace moves only the caller's future children.
  kVforkJoiner,
  // CLONE_VM without CLONE_VFORK: the child waits on a socket while the
  // parent writes id maps beyond its own id or pins namespaces (both need the
  // child's pid and the parent's privileges); the outcome comes on a pipe.
  kParentActsFirst,
  // No CLONE_VM: the kernel lets only a process whose memory nobody shares
  // enter a time namespace. The parent may act first, as above; the outcome
  // comes on a pipe.
  kOwnMemory,
};

// "vfork", "vfork-joiner", "parent-acts-first", "own-memory".
const char* LaunchModeName(LaunchMode mode);

// Where the plan runs.
enum class SpawnTarget {
  kChild,    // ChildProcess::Spawn(): a clone
  kInPlace,  // ExecInPlace(): this process
};

// An anonymous MAP_SHARED mapping of NsRecords, which a child writes and the
// parent reads in every launch mode (own memory too); unmapped on
// destruction.
class SharedRecords {
 public:
  static absl::StatusOr<SharedRecords> Map(std::size_t count);
  SharedRecords() = default;
  SharedRecords(SharedRecords&& other) noexcept
      : records_(std::exchange(other.records_, nullptr)), count_(other.count_) {}
  SharedRecords& operator=(SharedRecords&& other) noexcept {
    std::swap(records_, other.records_);  // `other` unmaps what this held
    std::swap(count_, other.count_);
    return *this;
  }
  ~SharedRecords();
  child::NsRecord* get() const { return records_; }
  std::size_t size() const { return count_; }

 private:
  child::NsRecord* records_ = nullptr;
  std::size_t count_ = 0;
};

struct PreparedSpawn {
  PreparedSpawn() = default;
  PreparedSpawn(const PreparedSpawn&) = delete;
  PreparedSpawn& operator=(const PreparedSpawn&) = delete;

  const SpawnOptions* options = nullptr;  // borrowed from the caller of Spawn()

  // The launch, decided once.
  LaunchMode mode = LaunchMode::kVfork;
  // Cloned from the library's spawner thread, after it has taken the calling
  // thread's namespaces, root and working directory (caller_context.h):
  // for kill_on_parent_death (PR_SET_PDEATHSIG follows the thread that
  // clones), and for a pid join that the child cannot make (setns into the
  // pid namespace by the cloning thread, which must not be the caller's).
  bool on_spawner_thread = false;
  pid_t caller_tid = 0;  // the thread whose context the spawner thread takes
  // The thread that clones enters this pid namespace first (and leaves it
  // after): a pid join in kParentActsFirst or kOwnMemory.
  const NsFd* pid_join = nullptr;
  std::optional<NsFd> pid_join_owned;  // from join_process
  // The parent writes the id maps (beyond the caller's own id) while the
  // child waits; with pins, it also pins them.
  bool parent_writes_maps = false;
  bool parent_pins = false;
  // SpawnOptions::EffectiveNewNamespaces(): the asked-for and implied ones.
  NsTypeSet new_namespaces;
  NsTypeSet clone_types;  // the new namespaces the clone makes

  // The child's program, and where the child writes.
  child::SpawnPlan plan;

  // Descriptors and stacks of the launch, made by BuildSpawn().
  UniqueFd child_ends[3];               // the child's stdio (moved onto 0, 1, 2)
  UniqueFd parent_ends[3];              // the parent's ends of kPipe streams
  UniqueFd go_parent, go_child;         // kParentActsFirst / kOwnMemory with parent actions
  UniqueFd report_read, report_write;   // every mode but kVfork/kVforkJoiner without init
  UniqueFd init_image;                  // a verified copy of linuxns-init, above every target
  std::optional<ChildStack> own_stack;  // a child that runs while the parent works
  ChildStack* stack = nullptr;          // the one the clone uses
  std::unique_ptr<PidFd> self;          // kill_on_parent_death: our pidfd
  SharedRecords records;                // record_namespaces: where the child writes

  // What the plan points into.
  std::vector<const NsFd*> joins;
  std::vector<int> join_fds, join_types;
  // The maps of a new user namespace (explicit or from user_mapping), and
  // their text.
  std::optional<IdMap> uid_ids, gid_ids;
  std::string uid_map, gid_map, timens_offsets;
  std::vector<std::string> candidates;
  std::vector<const char*> candidate_ptrs;
  std::vector<char*> argv, envp;
  // SpawnOptions::shell_fallback: /bin/sh's argv for each candidate.
  std::vector<std::vector<char*>> shell_argvs;
  std::vector<char* const*> shell_argv_ptrs;
  std::vector<child::FdMove> moves;
  std::vector<int> keep;
  int max_target = 2;
  std::vector<child::SpawnPlan::RlimitSetting> rlimits;
  std::vector<unsigned> groups, caller_groups;
  std::vector<child::MountStep> mounts;
  std::vector<std::string> init_args;
  std::vector<char*> init_argv;
  std::vector<std::string> record_paths;  // record_namespaces, kAllNsTypes order
  std::vector<const char*> record_path_ptrs;
};

// The namespaces the child of `prepared` recorded (record_namespaces), once
// it has exec'd: the ones it could read, in kAllNsTypes order.
std::vector<NsId> RecordedNamespaces(const PreparedSpawn& prepared);

// Checks every field of `options`: InvalidArgument naming it. No system
// call but fcntl(F_GETFD) of the descriptors it names.
absl::Status ValidateSpawnOptions(const SpawnOptions& options, SpawnTarget target);

// Validates `options` and builds everything the launch needs (see above).
// Resolves a command in PATH here when the child keeps our mount namespace
// (NotFound/PermissionDenied then). Runs on the calling thread, whose
// namespaces, root, working directory and credentials the child gets.
absl::StatusOr<std::unique_ptr<PreparedSpawn>> BuildSpawn(const SpawnOptions& options,
                                                          SpawnTarget target);

// The error of an execve of `program` that failed with `err` ("not found in
// PATH" for a bare name that was not found), with a SpawnFailure payload of
// step kExec and `index` (the candidate; -2 for the parent's PATH search).
// `filtered`: the child had installed SpawnOptions::seccomp (said in the
// message).
absl::Status ExecError(int err, const std::string& program, int index, bool filtered = false);

// `status` with a SpawnFailure payload (linuxns/spawn_failure.h).
absl::Status WithSpawnFailure(absl::Status status, child::SpawnStep step, int index);

// The status for the failed step in `outcome`, its message starting with
// `who` ("spawn: child", "exec in place"), with a SpawnFailure payload
// (linuxns/spawn_failure.h).
absl::Status DescribeChildFailure(const PreparedSpawn& prepared, const child::SpawnOutcome& outcome,
                                  absl::string_view who = "spawn: child");

}  // namespace linuxns::internal

#endif  // LINUXNS_LIB_INTERNAL_SPAWN_PLAN_H_
