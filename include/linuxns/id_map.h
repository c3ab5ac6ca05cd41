// linuxns/id_map.h: uid and gid maps of a user namespace, checked before the
// kernel sees them.
//
// An IdMap is the content of /proc/PID/uid_map or gid_map (user_namespaces(7)):
// lines "INNER OUTER COUNT" mapping COUNT ids starting at INNER inside the
// namespace onto ids starting at OUTER in the parent namespace. The kernel
// answers a bad map with a bare EINVAL; IdMap checks every one of its rules in
// user space first and says which field of which line is wrong:
//   - at most 340 lines, and under 4096 bytes once written out;
//   - every field a decimal number in 0..4294967295; COUNT > 0;
//   - no range that reaches 4294967295 ((uid_t)-1, "no id") on either side;
//   - no two lines overlapping, inside or outside.
//
//   absl::StatusOr<linuxns::IdMap> map = linuxns::IdMap::Parse("0 100000 65536");
//   linuxns::IdMap me = linuxns::IdMap::Single(0, getuid());   // unshare -r
//
// Who may write which map is the kernel's other rule: a process without
// CAP_SETUID (CAP_SETGID) over the parent namespace may write only one line
// of count 1 mapping its own effective id (and, for gid_map, only after
// writing "deny" to setgroups). MapsOnlyOwnId() tells whether a map is of
// that kind.
//
// One vocabulary for both creators of user namespaces, Namespace::Create()
// (NamespaceOptions) and ChildProcess::Spawn() / ExecInPlace()
// (SpawnOptions): a UserNsMapping names the usual map of the caller's own
// ids, and an explicit IdMap replaces it for uids or gids. Both default to
// UserNsMapping::kCurrentUserToRoot: the caller is root inside, as with
// `unshare -r`, because a user namespace is nearly always made to be root in
// it (an unmapped one shows every id, files included, as 65534 and cannot
// setuid to anything); kNone asks for the kernel's own unmapped state
// (`unshare -U` without a map option).
//
// Thread-safety: a value; no function makes a system call.
#ifndef LINUXNS_ID_MAP_H_
#define LINUXNS_ID_MAP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "linuxns/export.h"

namespace linuxns {

// IdMapEntry: one line of a uid or gid map, `count` ids from `inner` inside
// the namespace onto `outer` in its parent.
struct LINUXNS_EXPORT IdMapEntry {
  std::uint32_t inner = 0;  // first id inside the namespace
  std::uint32_t outer = 0;  // first id in the parent namespace
  std::uint32_t count = 0;  // how many ids, > 0

  // True when all three fields are equal.
  friend bool operator==(const IdMapEntry&, const IdMapEntry&) = default;
};

// IdMap: a uid or gid map that obeys every rule above; only Create() and
// Parse() make one from arbitrary entries.
class LINUXNS_EXPORT IdMap {
 public:
  // The most lines a map may have (the kernel's limit, Linux 4.15 and later).
  static constexpr std::size_t kMaxLines = 340;
  // The most bytes the map's text, ToString(), may have (the kernel's limit).
  static constexpr std::size_t kMaxBytes = 4095;

  // Create()
  //
  // A map of `entries`, checked against every rule above. InvalidArgument
  // naming the line (1-based) and the rule otherwise.
  static absl::StatusOr<IdMap> Create(std::vector<IdMapEntry> entries);

  // Parse()
  //
  // Parses map text: one "INNER OUTER COUNT" line per entry, fields separated
  // by spaces or tabs, an optional newline at the end. Errors name the line
  // and the field: `id map line 2: COUNT "-1" is not a number in
  // 0..4294967295`.
  static absl::StatusOr<IdMap> Parse(absl::string_view text);

  // Single()
  //
  // The one-line map of `inner` onto `outer`, count 1.
  static IdMap Single(std::uint32_t inner, std::uint32_t outer) {
    return IdMap({IdMapEntry{inner, outer, 1}});
  }

  // The lines, in the order given.
  const std::vector<IdMapEntry>& entries() const { return entries_; }

  // The text the kernel takes: "INNER OUTER COUNT\n" per line.
  std::string ToString() const;

  // True when this map is one line of count 1 whose OUTER is `id`: the only
  // map a process may write without privilege over the parent namespace.
  bool MapsOnlyOwnId(std::uint32_t id) const {
    return entries_.size() == 1 && entries_[0].count == 1 && entries_[0].outer == id;
  }

  // True when both have the same lines in the same order.
  friend bool operator==(const IdMap&, const IdMap&) = default;

 private:
  explicit IdMap(std::vector<IdMapEntry> entries) : entries_(std::move(entries)) {}
  std::vector<IdMapEntry> entries_;
};

// How the caller's own ids are mapped into a new user namespace, when no
// explicit IdMap is given (NamespaceOptions and SpawnOptions alike).
enum class UserNsMapping {
  // The caller's effective uid and gid appear as 0 inside (`unshare -r`).
  // The default.
  kCurrentUserToRoot,
  // The caller's effective uid and gid appear as themselves (`unshare -c`).
  kCurrentUser,
  // No map is written: every id inside is the overflow id (65534) until
  // someone writes one (`unshare -U`).
  kNone,
};

// OwnIdMap()
//
// The map `mapping` gives for the caller's effective id `own_id` (its euid for
// a uid map, its egid for a gid map): "0 own_id 1", "own_id own_id 1", or
// std::nullopt for kNone.
inline std::optional<IdMap> OwnIdMap(UserNsMapping mapping, std::uint32_t own_id) {
  switch (mapping) {
    case UserNsMapping::kCurrentUserToRoot:
      return IdMap::Single(0, own_id);
    case UserNsMapping::kCurrentUser:
      return IdMap::Single(own_id, own_id);
    case UserNsMapping::kNone:
      break;
  }
  return std::nullopt;
}

}  // namespace linuxns

#endif  // LINUXNS_ID_MAP_H_
