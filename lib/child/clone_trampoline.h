// Private, child side: clone3(2) with a function to run on a new stack.
//
// glibc 2.36 exports no clone3() wrapper, and a raw syscall cannot switch
// stacks, so this small assembly routine does what glibc's clone() does for
// the old clone(2): the child starts on `args->stack`, calls fn(arg), and
// exits with its result without returning into the parent's frames.
#ifndef LINUXNS_LIB_CHILD_CLONE_TRAMPOLINE_H_
#define LINUXNS_LIB_CHILD_CLONE_TRAMPOLINE_H_

#include <cstddef>

extern "C" {
// In the parent: returns the child's pid, or -errno. Never returns in the child.
// A C symbol defined in assembly, so named in C's manner with the library's
// prefix. NOLINTNEXTLINE(readability-identifier-naming)
long linuxns_clone3_run(void* clone_args, std::size_t size, int (*fn)(void*), void* arg);
}

#endif  // LINUXNS_LIB_CHILD_CLONE_TRAMPOLINE_H_
