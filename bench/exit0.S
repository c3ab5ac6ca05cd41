/* The smallest program to spawn in benchmarks: no libc, no dynamic loader,
   no start-up code. _start makes the exit_group(0) system call and nothing
   else, so that a spawn benchmark measures the spawn (clone, the child's
   set-up, execve, exit, wait) and not the start-up of the program spawned:
   a static glibc `true` spends ~0.45 ms in its own start-up on these VMs.
   Built with -nostdlib -static (bench/CMakeLists.txt). */
#include <asm/unistd.h>

	.text
	.globl	_start
	.type	_start, @function
_start:
#if defined(__x86_64__)
	movl	$__NR_exit_group, %eax
	xorl	%edi, %edi
	syscall
	hlt
#elif defined(__aarch64__)
	mov	x8, #__NR_exit_group
	mov	x0, #0
	svc	#0
#else
#error "linuxns_bench_exit0: write _start for this architecture (exit_group(0))"
#endif
	.size	_start, . - _start

	.section .note.GNU-stack, "", %progbits
