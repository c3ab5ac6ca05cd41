// Private: linuxns-init (lib/init), carried inside the library.
//
// A new pid namespace's PID 1 must be something the child can exec after
// its namespaces, root and mounts have changed: a file path could be missing
// there. So the static init program is linked into the library as bytes and
// executed from a sealed memfd (execveat with AT_EMPTY_PATH), which works in
// any mount namespace and under any root.
//
// The memfd is made once and cached by number, but the number is not trusted:
// a host may close descriptors it does not know (closefrom), and may then get
// the same number for a file of its own. So callers never see the cached
// number; they get a copy that has been checked to be the very memfd made
// here (RELIABILITY.md rule 13: a cached descriptor is verified before use).
#ifndef LINUXNS_LIB_INTERNAL_INIT_IMAGE_H_
#define LINUXNS_LIB_INTERNAL_INIT_IMAGE_H_

#include "absl/status/statusor.h"
#include "linuxns/unique_fd.h"

namespace linuxns::internal {

// InitImageCopy()
//
// Returns a close-on-exec copy, numbered `min_fd` or above
// (fcntl F_DUPFD_CLOEXEC), of the sealed memfd holding linuxns-init
// (memfd_create, Linux 3.17). The copy itself is verified: its st_dev and
// st_ino are those of the memfd made here, its size the image's, and its seals
// (F_GET_SEALS) the ones set here. When the cached descriptor was closed, or its
// number now names another file, the number is forgotten (never closed: it
// belongs to the host now) and a new memfd is made and cached.
//
// Errors: InvalidArgument for a negative `min_fd`; the errno of fcntl for
// EMFILE or for `min_fd` at or above RLIMIT_NOFILE (EINVAL); the errno of
// memfd_create, write or F_ADD_SEALS when a new memfd cannot be made.
//
// Thread-safe and fork-safe: it takes no lock (the cache is an atomic
// pointer), so a fork child can call it whatever its parent's other threads
// were doing; the child inherits the cached memfd with its descriptors. Each
// replaced cache record (a few bytes) is leaked: another thread may still be
// reading it. Not async-signal-safe (it allocates).
absl::StatusOr<UniqueFd> InitImageCopy(int min_fd);

}  // namespace linuxns::internal

#endif  // LINUXNS_LIB_INTERNAL_INIT_IMAGE_H_
