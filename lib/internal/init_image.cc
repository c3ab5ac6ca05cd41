#include "internal/init_image.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "linuxns/status.h"

// The bytes of linuxns-init, put in read-only data by the assembler.
__asm__(
    ".section .rodata\n"
    ".balign 16\n"
    ".globl linuxns_init_image_begin\n"
    ".hidden linuxns_init_image_begin\n"
    "linuxns_init_image_begin:\n"
    ".incbin \"" LINUXNS_INIT_IMAGE
    "\"\n"
    ".globl linuxns_init_image_end\n"
    ".hidden linuxns_init_image_end\n"
    "linuxns_init_image_end:\n"
    ".previous\n");
// Symbols of the assembly above, named in C's manner with the library's prefix.
extern "C" const char linuxns_init_image_begin[];  // NOLINT(readability-identifier-naming)
extern "C" const char linuxns_init_image_end[];    // NOLINT(readability-identifier-naming)

namespace linuxns::internal {
namespace {

absl::StatusOr<int> MakeImageFd() {
  int fd = ::memfd_create("linuxns-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return ErrnoError(errno, "memfd_create linuxns-init");
  const char* p = linuxns_init_image_begin;
  auto left = static_cast<std::size_t>(linuxns_init_image_end - linuxns_init_image_begin);
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      return ErrnoError(err, "write linuxns-init to its memfd");
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0555) != 0 ||
      ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoError(err, "seal the linuxns-init memfd");
  }
  return fd;
}

}  // namespace

absl::StatusOr<int> InitImageFd() {
  static std::mutex mu;
  static int fd = -1;
  std::lock_guard<std::mutex> lock(mu);
  if (fd < 0) {
    LINUXNS_ASSIGN_OR_RETURN(fd, MakeImageFd());
  }
  return fd;
}

}  // namespace linuxns::internal
