#include "clone_trampoline.h"

#include <sys/syscall.h>

// The syscall preserves every register the child needs (rdx/r8 on x86_64,
// x2/x3 on aarch64); the kernel has already switched the child to its stack.
#if defined(__x86_64__)
__asm__(
    ".text\n"
    ".globl linuxns_clone3_run\n"
    ".hidden linuxns_clone3_run\n"
    ".type linuxns_clone3_run,@function\n"
    "linuxns_clone3_run:\n"
    "  .cfi_startproc\n"
    "  mov %rcx, %r8\n"   // arg survives the syscall in r8 (rcx does not)
    "  mov $435, %eax\n"  // SYS_clone3
    "  syscall\n"
    "  test %rax, %rax\n"
    "  jz 1f\n"
    "  ret\n"  // parent (pid) or error (-errno)
    "1:\n"
    "  .cfi_undefined rip\n"  // the child has no caller to unwind to
    "  xor %ebp, %ebp\n"
    "  mov %r8, %rdi\n"
    "  call *%rdx\n"
    "  mov %eax, %edi\n"
    "  mov $60, %eax\n"  // SYS_exit
    "  syscall\n"
    "  hlt\n"
    "  .cfi_endproc\n"
    ".size linuxns_clone3_run, .-linuxns_clone3_run\n");
#elif defined(__aarch64__)
__asm__(
    ".text\n"
    ".globl linuxns_clone3_run\n"
    ".hidden linuxns_clone3_run\n"
    ".type linuxns_clone3_run,%function\n"
    "linuxns_clone3_run:\n"
    "  mov x8, #435\n"
    "  svc #0\n"
    "  cbnz x0, 1f\n"
    "  mov x29, xzr\n"
    "  mov x0, x3\n"
    "  blr x2\n"
    "  mov x8, #93\n"
    "  svc #0\n"
    "1:\n"
    "  ret\n"
    ".size linuxns_clone3_run, .-linuxns_clone3_run\n");
#else
#error "linuxns supports x86_64 and aarch64"
#endif
