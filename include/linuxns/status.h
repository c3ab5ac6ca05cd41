// linuxns/status.h: errors that keep their errno.
//
// Every fallible linuxns call returns absl::Status or absl::StatusOr<T>. When
// the failure comes from a system call, the status carries the exact errno as
// a payload, so a caller can branch on ENOENT versus EACCES and not only on
// the canonical code that absl derives from it:
//
//   absl::StatusOr<linuxns::NsFd> ns = linuxns::NsFd::FromPid(pid, NsType::kNet);
//   if (!ns.ok() && linuxns::ErrnoOf(ns.status()) == ESRCH) { ... }
//
// The message names the operation and the arguments that matter, then the
// errno's text: "open /proc/42/ns/net: No such file or directory".
//
// The two macros below mirror the ones newer Abseil releases ship, so that an
// upgrade is a rename.
//
// Thread-safety: all functions are thread-safe. Not async-signal-safe (they
// allocate). Nothing here makes a system call.
#ifndef LINUXNS_STATUS_H_
#define LINUXNS_STATUS_H_

#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "linuxns/export.h"

namespace linuxns {

// ErrnoError()
//
// Returns a status for a failed system call: the code is derived from `err`
// (absl::ErrnoToStatusCode), the message is "`what`: strerror(err)" and `err`
// itself is kept as a payload that ErrnoOf() returns. `err` must be > 0.
LINUXNS_EXPORT absl::Status ErrnoError(int err, absl::string_view what);

// ErrnoError() with a hint: "`what`: strerror(err) (`hint`)", where the hint
// tells the user what to do about it. An empty hint adds nothing.
LINUXNS_EXPORT absl::Status ErrnoError(int err, absl::string_view what, absl::string_view hint);

// ErrnoError() with an explicit code, for failures whose errno is kept but
// whose meaning is better told by another code, for example EINVAL from
// setns() in a multi-threaded process, which is a FailedPrecondition.
LINUXNS_EXPORT absl::Status ErrnoError(absl::StatusCode code, int err, absl::string_view what);

// ErrnoOf()
//
// Returns the errno kept in `status` by ErrnoError() (or by WithContext() on
// such a status), or std::nullopt when the status carries none (an OK status,
// or an error not made from an errno).
LINUXNS_EXPORT std::optional<int> ErrnoOf(const absl::Status& status);

// WithContext()
//
// Returns `status` with "`context`: " put before its message, keeping its code
// and every payload (the errno included). An OK status is returned unchanged.
LINUXNS_EXPORT absl::Status WithContext(const absl::Status& status, absl::string_view context);

}  // namespace linuxns

// LINUXNS_RETURN_IF_ERROR(expr)
//
// Evaluates `expr`, which yields an absl::Status, and returns it from the
// enclosing function when it is not OK.
#define LINUXNS_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::absl::Status linuxns_status_ = (expr);           \
    if (!linuxns_status_.ok()) return linuxns_status_; \
  } while (false)

// LINUXNS_ASSIGN_OR_RETURN(lhs, expr)
//
// Evaluates `expr`, which yields an absl::StatusOr<T>; returns its status from
// the enclosing function when it is not OK, else move-assigns its value to
// `lhs`, which may be a declaration (`auto fd`) or an existing variable.
#define LINUXNS_ASSIGN_OR_RETURN(lhs, expr) \
  LINUXNS_ASSIGN_OR_RETURN_IMPL_(LINUXNS_STATUS_CONCAT_(linuxns_statusor_, __LINE__), lhs, expr)

// `statusor` is a name being declared and `lhs` may be a declaration
// (`auto fd`): neither can be put in parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define LINUXNS_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                   \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()
// NOLINTEND(bugprone-macro-parentheses)

#define LINUXNS_STATUS_CONCAT_(a, b) LINUXNS_STATUS_CONCAT_INNER_(a, b)
#define LINUXNS_STATUS_CONCAT_INNER_(a, b) a##b

#endif  // LINUXNS_STATUS_H_
