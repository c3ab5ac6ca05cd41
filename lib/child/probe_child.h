// Private, child side: the programs of the probe's throwaway children
// (linuxns/probe.h). Raw system calls only (see raw_syscall.h).
#ifndef LINUXNS_LIB_CHILD_PROBE_CHILD_H_
#define LINUXNS_LIB_CHILD_PROBE_CHILD_H_

namespace linuxns::child {

// For a CLONE_VM child whose only job is to have been created.
int ExitAtOnce(void* unused);

struct EnterPlan {
  int fd;
  long nstype;
};

// For a child with its own memory: setns(plan->fd, plan->nstype); the exit
// code is its errno, or 0.
int EnterAndExit(void* plan);

}  // namespace linuxns::child

#endif  // LINUXNS_LIB_CHILD_PROBE_CHILD_H_
