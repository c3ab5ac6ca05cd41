// Test support: make chosen system calls fail with a chosen errno in the
// calling process (and its future children), with a raw seccomp BPF filter.
// Needs no privilege (it sets no_new_privs first). Use it in a forked child:
// the filter cannot be removed.
#ifndef LINUXNS_TESTS_SUPPORT_SECCOMP_H_
#define LINUXNS_TESTS_SUPPORT_SECCOMP_H_

#include <initializer_list>

namespace linuxns::testing {

// Installs a filter under which each of `syscalls` fails with `err`; every
// other system call is allowed. Returns false (with a message on stderr) on
// failure.
bool FailSyscalls(std::initializer_list<long> syscalls, int err);

}  // namespace linuxns::testing

#endif  // LINUXNS_TESTS_SUPPORT_SECCOMP_H_
