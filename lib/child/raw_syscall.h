// Private, child side: system calls without libc.
//
// Everything in lib/child/ may run in a process created with CLONE_VM that
// shares the parent's memory but not its thread: it must not touch thread-local
// storage (errno included: libc's wrappers would write the *parent thread's*
// errno, and that thread may even be gone), take a lock, allocate, or call
// anything the sanitizers intercept. These inline-assembly system calls return
// the kernel's raw result: >= 0 on success, -errno on failure.
//
// Async-signal-safe; CLONE_VM-child-safe.
#ifndef LINUXNS_LIB_CHILD_RAW_SYSCALL_H_
#define LINUXNS_LIB_CHILD_RAW_SYSCALL_H_

#include <sys/syscall.h>

namespace linuxns::child {

#if defined(__x86_64__)
inline long RawSyscall(long nr, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0,
                       long a6 = 0) {
  long ret;
  register long r10 __asm__("r10") = a4;
  register long r8 __asm__("r8") = a5;
  register long r9 __asm__("r9") = a6;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}
#elif defined(__aarch64__)
inline long RawSyscall(long nr, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0,
                       long a6 = 0) {
  register long x8 __asm__("x8") = nr;
  register long x0 __asm__("x0") = a1;
  register long x1 __asm__("x1") = a2;
  register long x2 __asm__("x2") = a3;
  register long x3 __asm__("x3") = a4;
  register long x4 __asm__("x4") = a5;
  register long x5 __asm__("x5") = a6;
  __asm__ volatile("svc 0"
                   : "+r"(x0)
                   : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                   : "memory");
  return x0;
}
#else
#error "linuxns supports x86_64 and aarch64"
#endif

// Pointers and small integers as syscall arguments.
template <typename T>
inline long Arg(T* p) {
  return reinterpret_cast<long>(p);
}

// The kernel's struct sigaction for rt_sigaction(2).
struct KernelSigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)();
  unsigned long mask;
};

[[noreturn]] inline void RawExit(int code) {
  for (;;) RawSyscall(SYS_exit, code);
}

}  // namespace linuxns::child

#endif  // LINUXNS_LIB_CHILD_RAW_SYSCALL_H_
