// Private: the library's long-lived spawner thread.
//
// PR_SET_PDEATHSIG fires when the *thread* that created a child exits, not
// when its process does. Children that must die with their parent process
// are therefore cloned from this thread, which lives as long as the process:
// its exit is the process's exit.
#ifndef LINUXNS_LIB_INTERNAL_SPAWNER_THREAD_H_
#define LINUXNS_LIB_INTERNAL_SPAWNER_THREAD_H_

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace linuxns::internal {

// Runs `job` on the spawner thread (started on first use; started anew in a
// forked child, where it does not exist) and returns when it is done. Calls
// from several threads are served one at a time. Fails only when the thread
// cannot be started.
absl::Status RunOnSpawnerThread(absl::FunctionRef<void()> job);

}  // namespace linuxns::internal

#endif  // LINUXNS_LIB_INTERNAL_SPAWNER_THREAD_H_
