// Test support: make chosen system calls fail with a chosen errno in the
// calling process (and its future children), or wait for a supervisor, with
// a raw seccomp BPF filter.
// Needs no privilege (it sets no_new_privs first). Use it in a forked child:
// the filter cannot be removed.
#ifndef LINUXNS_TESTS_SUPPORT_SECCOMP_H_
#define LINUXNS_TESTS_SUPPORT_SECCOMP_H_

#include <initializer_list>
#include <vector>

namespace linuxns::testing {

// Installs a filter under which each of `syscalls` fails with `err`; every
// other system call is allowed. Returns false (with a message on stderr) on
// failure.
bool FailSyscalls(std::initializer_list<long> syscalls, int err);

// Installs, on the calling thread only (not on threads that exist already),
// a filter that hands each of `syscalls` to the returned listener
// (SECCOMP_RET_USER_NOTIF, Linux 5.0; answering CONTINUE needs 5.5): the
// thread sleeps inside the call until the listener answers. -1 with errno on
// failure.
int NotifyOnSyscalls(const std::vector<long>& syscalls);

}  // namespace linuxns::testing

#endif  // LINUXNS_TESTS_SUPPORT_SECCOMP_H_
