// Private: linuxns-init (lib/init), carried inside the library.
//
// A new pid namespace's PID 1 must be something the child can exec after
// its namespaces, root and mounts have changed: a file path could be missing
// there. So the static init program is linked into the library as bytes and
// executed from a sealed memfd (execveat with AT_EMPTY_PATH), which works in
// any mount namespace and under any root.
#ifndef LINUXNS_LIB_INTERNAL_INIT_IMAGE_H_
#define LINUXNS_LIB_INTERNAL_INIT_IMAGE_H_

#include "absl/status/statusor.h"

namespace linuxns::internal {

// A close-on-exec, sealed memfd holding linuxns-init, made once per process
// (memfd_create, Linux 3.17). The descriptor stays open for the process's
// life.
absl::StatusOr<int> InitImageFd();

}  // namespace linuxns::internal

#endif  // LINUXNS_LIB_INTERNAL_INIT_IMAGE_H_
