#include "internal/small_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"

namespace linuxns::internal {
namespace {

// How reading a file failed: the errno and the call that gave it; err is 0
// when nothing failed.
struct ReadFailure {
  int err = 0;
  const char* call = "";
};

// The most any of these files may hold: far above a mountinfo of thousands
// of mounts or a subuid file of thousands of users, and a bound for a path
// that names something without end (/dev/zero, a pipe that keeps writing).
constexpr std::size_t kMaxBytes = std::size_t{64} << 20;

// Appends the whole of the file at `path` to `text`; EFBIG past kMaxBytes.
ReadFailure ReadInto(const char* path, std::string& text) {
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return {errno, "open"};
  // procfs files report st_size 0 and may be longer than one page
  // (mountinfo): read until end of file, never by the size.
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return {errno, "read"};
    if (n == 0) return {};
    if (text.size() + static_cast<std::size_t>(n) > kMaxBytes) return {EFBIG, "read"};
    text.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

std::optional<std::string> ReadSmallFile(const char* path) {
  std::string text;
  if (ReadInto(path, text).err != 0) return std::nullopt;
  return text;
}

absl::StatusOr<std::string> ReadSmallFileOrError(const char* path) {
  std::string text;
  const ReadFailure failure = ReadInto(path, text);
  if (failure.err != 0) return ErrnoError(failure.err, absl::StrCat(failure.call, " ", path));
  return text;
}

std::optional<std::string> ReadOneLineFile(const char* path) {
  std::optional<std::string> text = ReadSmallFile(path);
  if (text && !text->empty() && text->back() == '\n') text->pop_back();
  return text;
}

std::optional<long long> ReadNumberFile(const char* path) {
  std::optional<std::string> text = ReadSmallFile(path);
  long long value = 0;
  if (!text || !absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &value)) {
    return std::nullopt;
  }
  return value;
}

}  // namespace linuxns::internal
