// linuxns/unique_fd.h: an owning, move-only file descriptor.
//
// UniqueFd owns one file descriptor and closes it when destroyed. It cannot be
// copied; moving it leaves the source empty. Every descriptor that linuxns
// opens is opened with O_CLOEXEC and handed out as a UniqueFd (or inside a
// type built on it, such as NsFd or PidFd), so nothing the library opens
// leaks into a program that another thread of the host executes.
//
//   linuxns::UniqueFd fd(open("/etc/hostname", O_RDONLY | O_CLOEXEC));
//   if (!fd) return linuxns::ErrnoError(errno, "open /etc/hostname");
//   read(fd.get(), buf, sizeof buf);
//   // closed here
//
// Constructors make no system call; the destructor and reset() call close(2)
// and ignore its result (after close(2) fails, the descriptor is released
// anyway on Linux, so there is nothing to retry).
//
// Thread-safety: a UniqueFd is a value; distinct objects may be used from
// distinct threads, one object needs external synchronization. The destructor
// is async-signal-safe.
#ifndef LINUXNS_UNIQUE_FD_H_
#define LINUXNS_UNIQUE_FD_H_

#include "linuxns/export.h"

namespace linuxns {

// UniqueFd: sole owner of one file descriptor, closed on destruction.
class LINUXNS_EXPORT UniqueFd {
 public:
  // An empty UniqueFd: valid() is false.
  UniqueFd() noexcept = default;

  // Takes ownership of `fd`. A negative `fd` makes an empty UniqueFd, so the
  // result of open(2) can be passed straight in and tested with valid().
  explicit UniqueFd(int fd) noexcept : fd_(fd < 0 ? kEmpty : fd) {}

  // Takes the descriptor of `other`, which is empty afterwards.
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  // Closes the owned descriptor, if any, then takes that of `other`, which is
  // empty afterwards. Self-assignment does nothing.
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  ~UniqueFd() { reset(); }

  // Returns the descriptor, still owned by this object, or -1 when empty.
  [[nodiscard]] int get() const noexcept { return fd_; }

  // True when this object owns a descriptor.
  [[nodiscard]] bool valid() const noexcept { return fd_ != kEmpty; }
  // valid(), for `if (!fd)` after open(2).
  explicit operator bool() const noexcept { return valid(); }

  // Gives up ownership without closing; returns the descriptor (or -1 when
  // empty). The object is empty afterwards.
  [[nodiscard]] int release() noexcept {
    int fd = fd_;
    fd_ = kEmpty;
    return fd;
  }

  // Closes the owned descriptor, if any, then owns `fd` (empty when < 0).
  void reset(int fd = kEmpty) noexcept;

 private:
  static constexpr int kEmpty = -1;
  int fd_ = kEmpty;
};

}  // namespace linuxns

#endif  // LINUXNS_UNIQUE_FD_H_
