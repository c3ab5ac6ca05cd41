#include "linuxns/unique_fd.h"

#include <unistd.h>

namespace linuxns {

void UniqueFd::reset(int fd) noexcept {
  // Linux releases the descriptor even when close() fails (EINTR included),
  // so retrying could close a descriptor another thread just received.
  if (fd_ != kEmpty) ::close(fd_);
  fd_ = fd < 0 ? kEmpty : fd;
}

}  // namespace linuxns
