#include "internal/init_image.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <new>

#include "absl/strings/str_cat.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"

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

// What identifies the memfd made here.
struct Image {
  int fd;  // the cached number; never closed once published
  dev_t dev;
  ino_t ino;
  off_t size;
  int seals;  // F_GET_SEALS after sealing
  // The image this one replaced. Another thread may still read a replaced
  // image, so none is ever freed; the chain keeps them reachable (and shows
  // LeakSanitizer they are kept on purpose). It grows only when a host
  // closes or reuses the cached number.
  const Image* replaced = nullptr;
};

// The published image, replaced (not freed) when it goes stale.
std::atomic<const Image*> cached{nullptr};

// How often InitImageCopy() makes a new memfd before it gives up: more than
// one only when a host closes the new one again at once.
constexpr int kMaxRemakes = 4;

std::size_t ImageSize() {
  return static_cast<std::size_t>(linuxns_init_image_end - linuxns_init_image_begin);
}

absl::StatusOr<Image> MakeImage() {
  UniqueFd fd(::memfd_create("linuxns-init", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd) return ErrnoError(errno, "memfd_create linuxns-init");
  const char* p = linuxns_init_image_begin;
  std::size_t left = ImageSize();
  while (left > 0) {
    ssize_t n = ::write(fd.get(), p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoError(n < 0 ? errno : EIO, "write linuxns-init to its memfd");
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fchmod(fd.get(), 0555) != 0 ||
      ::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) !=
          0) {
    return ErrnoError(errno, "seal the linuxns-init memfd");
  }
  const int seals = ::fcntl(fd.get(), F_GET_SEALS);
  if (seals < 0) return ErrnoError(errno, "fcntl F_GET_SEALS of the linuxns-init memfd");
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoError(errno, "fstat the linuxns-init memfd");
  return Image{fd.release(), st.st_dev, st.st_ino, st.st_size, seals, nullptr};
}

// Whether `fd` is the memfd `image` describes. Sealed against writes, growing
// and shrinking, and with its seals sealed, that file still holds what was
// written; any other file differs in st_dev/st_ino (a host's own memfd, even
// one named and sealed alike, has its own inode).
bool IsImage(int fd, const Image& image) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return false;
  return st.st_dev == image.dev && st.st_ino == image.ino && st.st_size == image.size &&
         ::fcntl(fd, F_GET_SEALS) == image.seals;
}

// A copy of the published image's descriptor at `min_fd` or above, or, when
// the published one is missing or stale, an empty UniqueFd (with `*seen` set
// to what was found, for the compare-exchange that replaces it).
absl::StatusOr<UniqueFd> CopyPublished(int min_fd, const Image** seen) {
  const Image* image = cached.load(std::memory_order_acquire);
  *seen = image;
  if (image == nullptr) return UniqueFd();
  UniqueFd copy(::fcntl(image->fd, F_DUPFD_CLOEXEC, min_fd));
  if (!copy) {
    const int err = errno;
    // EBADF: the host closed it. Anything else (EMFILE, EINVAL for a
    // min_fd past RLIMIT_NOFILE) is about this call, not the cache.
    if (err == EBADF) return UniqueFd();
    return ErrnoError(err,
                      absl::StrCat("fcntl F_DUPFD_CLOEXEC ", min_fd, " of the linuxns-init memfd"));
  }
  if (!IsImage(copy.get(), *image)) return UniqueFd();  // the number names another file
  return copy;
}

}  // namespace

absl::StatusOr<UniqueFd> InitImageCopy(int min_fd) {
  if (min_fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("InitImageCopy: min_fd ", min_fd, " is negative"));
  }
  for (int remakes = 0;; ++remakes) {
    const Image* seen = nullptr;
    LINUXNS_ASSIGN_OR_RETURN(UniqueFd copy, CopyPublished(min_fd, &seen));
    if (copy) return copy;
    if (remakes == kMaxRemakes) {
      return absl::UnavailableError(
          "the linuxns-init memfd was closed or replaced each time it was made again");
    }
    // Missing or stale. The stale number is forgotten, not closed: it is the
    // host's now, maybe for a file of its own.
    LINUXNS_ASSIGN_OR_RETURN(Image made, MakeImage());
    auto* fresh = new (std::nothrow) Image(made);
    if (fresh == nullptr) {
      ::close(made.fd);
      return absl::ResourceExhaustedError("linuxns-init memfd: out of memory");
    }
    fresh->replaced = seen;
    if (!cached.compare_exchange_strong(seen, fresh, std::memory_order_acq_rel,
                                        std::memory_order_acquire)) {
      // Another thread replaced it first: use that one.
      ::close(fresh->fd);
      delete fresh;
    }
  }
}

}  // namespace linuxns::internal
