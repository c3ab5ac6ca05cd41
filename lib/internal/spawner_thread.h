// Private: the library's long-lived spawner thread.
//
// PR_SET_PDEATHSIG fires when the *thread* that created a child exits, not
// when its process does (RELIABILITY.md rule 7). Children that must die with
// their parent process are therefore cloned from this thread, which lives as
// long as the process: its exit is the process's exit.
//
// The contract of RunOnSpawnerThread(job):
//
// - One job at a time per process, on one thread per process, started on
//   first use. Callers from several threads are served one after another;
//   the caller sleeps until its job is done.
//
// - The thread is neutral (RELIABILITY.md rule 13): it never keeps the
//   namespaces, root or working directory of the host thread that happened to
//   start it. When it starts it unshares its filesystem context
//   (unshare(CLONE_FS), so that it may enter a mount namespace and no host
//   chdir() moves it) and goes home: into those namespaces of the process's
//   main thread that differ from its own, compared by id (net, uts, ipc,
//   cgroup, mnt and pid_for_children; user and time cannot differ, since no
//   thread of a multi-threaded process can enter either), then to the main
//   thread's root (/proc/self/root) with "/" as its working directory. After
//   every job it goes home again, reading the main thread's anew, so that it
//   follows the main thread. A child cloned from it therefore starts in the
//   main thread's namespaces and root; putting a child where the *caller* is
//   is the job's business, not this thread's.
//
// - A job may move the thread (setns, chroot, fchdir) and should put it
//   back; going home after the job undoes what it could not.
//
// - When the thread cannot go home (setns or chroot refused, /proc
//   unreadable), nothing ends the program: the next call tries again before
//   it runs its job, and if that fails too it returns the error without
//   running the job. When the main thread has exited (pthread_exit from
//   main), its namespaces and root can no longer be read and the thread stays
//   where it is. Should unshare(CLONE_FS) fail, the thread shares its
//   creator's root and working directory and leaves them alone.
//
// - fork() safety: no lock is shared between processes. The instance is
//   found through an atomic pointer tagged with the pid of the process that
//   made it (and cleared by a pthread_atfork child handler). A fork child,
//   whose copy of the instance has no thread and may hold mutexes locked by
//   threads that did not come along, leaves that copy alone (it is never
//   freed) and starts its own; so a fork child may spawn whatever the other
//   threads of its parent were doing when it forked.
//
// - Exceptions: std::bad_alloc or any other exception escaping the job (or
//   the thread's own work) is caught on the spawner thread and returned as
//   ResourceExhausted (bad_alloc) or Internal (anything else); nothing here
//   calls std::terminate.
//
// Not async-signal-safe. The namespaces are read through pidfds (of the
// process, and of the thread with PIDFD_THREAD, Linux 6.9) with the
// PIDFD_GET_*_NAMESPACE ioctls (Linux 6.11), which need no /proc, and from
// /proc/self/ns and /proc/thread-self/ns (pid_for_children: Linux 4.12) on
// older kernels. A type the kernel lacks is skipped.
#ifndef LINUXNS_LIB_INTERNAL_SPAWNER_THREAD_H_
#define LINUXNS_LIB_INTERNAL_SPAWNER_THREAD_H_

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace linuxns::internal {

// RunOnSpawnerThread()
//
// Runs `job` on the spawner thread (started on first use in this process)
// and returns when it is done, as described above. Errors: the errno of a
// thread that cannot be started (EAGAIN); ResourceExhausted for bad_alloc and
// Internal for another exception thrown by `job` or by the thread's own work;
// the reason the thread could not return to the main thread's namespaces (then
// `job` did not run).
absl::Status RunOnSpawnerThread(absl::FunctionRef<void()> job);

}  // namespace linuxns::internal

#endif  // LINUXNS_LIB_INTERNAL_SPAWNER_THREAD_H_
