// Private: Launch(), the step of the spawn corridor (spawn_plan.h) that runs
// a PreparedSpawn: the clone in the mode BuildSpawn() decided, the parent's
// side of the protocol, and the child's outcome turned into a pidfd or a
// Status.
#ifndef LINUXNS_LIB_INTERNAL_SPAWN_LAUNCH_H_
#define LINUXNS_LIB_INTERNAL_SPAWN_LAUNCH_H_

#include "absl/status/statusor.h"
#include "linuxns/exit_status.h"
#include "linuxns/pid_fd.h"

namespace linuxns::internal {

struct PreparedSpawn;

// Clones the child of `prepared` (from the calling thread, or from the
// spawner thread after it has taken the calling thread's context), does what
// the parent must while the child waits (id maps, pins), and returns once
// the child has exec'd: its pidfd. On failure the child is reaped and the
// Status names the step (DescribeChildFailure). Reads prepared.plan only;
// closes the child's ends of the launch's descriptors (so that end-of-file
// means exec), and leaves the parent's ends of stdio pipes in `prepared`.
absl::StatusOr<PidFd> Launch(PreparedSpawn& prepared);

// Waits for a child cloned by Launch() and returns how it ended (also when a
// host's reaper took it first, from the pidfd on Linux 6.15), with the
// usage the kernel gave at reaping (none when another reaper took it).
absl::StatusOr<ExitStatus> WaitForExit(const PidFd& child);

}  // namespace linuxns::internal

#endif  // LINUXNS_LIB_INTERNAL_SPAWN_LAUNCH_H_
