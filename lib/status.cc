#include "linuxns/status.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace linuxns {
namespace {

// The payload's type URL; the value is the errno in decimal.
constexpr absl::string_view kErrnoPayload = "linuxns/errno";

std::string ErrnoText(int err) {
  char buf[128];
  // GNU strerror_r returns a pointer that may or may not be `buf`.
  return strerror_r(err, buf, sizeof buf);
}

absl::Status WithErrno(absl::StatusCode code, int err, absl::string_view message) {
  absl::Status status(code, message);
  status.SetPayload(kErrnoPayload, absl::Cord(absl::StrCat(err)));
  return status;
}

}  // namespace

absl::Status ErrnoError(absl::StatusCode code, int err, absl::string_view what) {
  return WithErrno(code, err, absl::StrCat(what, ": ", ErrnoText(err)));
}

absl::Status ErrnoError(int err, absl::string_view what) {
  return ErrnoError(absl::ErrnoToStatusCode(err), err, what);
}

absl::Status ErrnoError(int err, absl::string_view what, absl::string_view hint) {
  if (hint.empty()) return ErrnoError(err, what);
  return WithErrno(absl::ErrnoToStatusCode(err), err,
                   absl::StrCat(what, ": ", ErrnoText(err), " (", hint, ")"));
}

std::optional<int> ErrnoOf(const absl::Status& status) {
  auto payload = status.GetPayload(kErrnoPayload);
  if (!payload.has_value()) return std::nullopt;
  std::string text(*payload);
  int err = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), err);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return err;
}

absl::Status WithContext(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  absl::Status result(status.code(), absl::StrCat(context, ": ", status.message()));
  status.ForEachPayload(
      [&result](absl::string_view url, const absl::Cord& value) { result.SetPayload(url, value); });
  return result;
}

}  // namespace linuxns
