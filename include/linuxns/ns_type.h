// linuxns/ns_type.h: the eight namespace types and sets of them.
//
// NsType names one namespace type; NsTypeSet is a small value set of them. The
// names are those of /proc/PID/ns (namespaces(7)): "cgroup", "ipc", "mnt",
// "net", "pid", "time", "user", "uts". Each type has its CLONE_NEW* flag, so a
// set converts to and from the flags of clone(2), unshare(2) and setns(2).
//
//   absl::StatusOr<linuxns::NsTypeSet> set = linuxns::NsTypeSet::Parse("net,pid");
//   for (linuxns::NsType t : *set) std::cout << linuxns::NsTypeName(t) << "\n";
//   unshare(static_cast<int>(set->ToCloneFlags()));
//
// Iteration follows the enum's order, which is also the order in which the
// kernel documentation lists the types. Parsing rejects unknown names and
// empty items; conversion from flags rejects bits that are not CLONE_NEW*.
//
// Thread-safety: values; every function is thread-safe and makes no system
// call. Everything except Parse() and ToString() is constexpr, allocates
// nothing and is async-signal-safe. CLONE_NEWCGROUP needs Linux 4.6 and
// CLONE_NEWTIME Linux 5.6; the others are older.
#ifndef LINUXNS_NS_TYPE_H_
#define LINUXNS_NS_TYPE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <iterator>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "linuxns/export.h"

namespace linuxns {

// NsType: one of the eight namespace types of namespaces(7), in the order of
// the kernel documentation. The value is an index (0..kNsTypeCount-1).
enum class NsType : std::uint8_t {
  kMnt,
  kUts,
  kIpc,
  kPid,
  kNet,
  kUser,
  kCgroup,
  kTime,
};

// The number of namespace types: NsType's values are 0..kNsTypeCount-1.
inline constexpr int kNsTypeCount = 8;

// Every type, in enum order.
inline constexpr std::array<NsType, kNsTypeCount> kAllNsTypes = {
    NsType::kMnt, NsType::kUts,  NsType::kIpc,    NsType::kPid,
    NsType::kNet, NsType::kUser, NsType::kCgroup, NsType::kTime,
};

// NsTypeName()
//
// Returns the /proc/PID/ns name of `type`: "mnt", "uts", "ipc", "pid", "net",
// "user", "cgroup" or "time".
constexpr absl::string_view NsTypeName(NsType type) {
  constexpr std::array<absl::string_view, kNsTypeCount> kNames = {"mnt", "uts",  "ipc",    "pid",
                                                                  "net", "user", "cgroup", "time"};
  return kNames[static_cast<std::size_t>(type)];
}

// CloneFlag()
//
// Returns the CLONE_NEW* flag of `type` (CLONE_NEWNS for kMnt).
constexpr std::uint64_t CloneFlag(NsType type) {
  // The values of <sched.h>, spelled out so this header does not pull in
  // glibc's and so CLONE_NEWTIME exists with older headers.
  constexpr std::array<std::uint64_t, kNsTypeCount> kFlags = {
      0x00020000,  // CLONE_NEWNS
      0x04000000,  // CLONE_NEWUTS
      0x08000000,  // CLONE_NEWIPC
      0x20000000,  // CLONE_NEWPID
      0x40000000,  // CLONE_NEWNET
      0x10000000,  // CLONE_NEWUSER
      0x02000000,  // CLONE_NEWCGROUP
      0x00000080,  // CLONE_NEWTIME
  };
  return kFlags[static_cast<std::size_t>(type)];
}

// ParseNsType()
//
// Parses one /proc/PID/ns name. Returns InvalidArgument naming the accepted
// names for anything else (case matters, as in util-linux).
LINUXNS_EXPORT absl::StatusOr<NsType> ParseNsType(absl::string_view name);

// NsTypeFromCloneFlag()
//
// Returns the type whose CLONE_NEW* flag is exactly `flag`, or std::nullopt.
LINUXNS_EXPORT std::optional<NsType> NsTypeFromCloneFlag(std::uint64_t flag);

// Writes NsTypeName(type) to `os`.
LINUXNS_EXPORT std::ostream& operator<<(std::ostream& os, NsType type);

// NsTypeSet: a set of namespace types.
class LINUXNS_EXPORT NsTypeSet {
 public:
  // The empty set.
  constexpr NsTypeSet() = default;

  // The set of the listed types: NsTypeSet{NsType::kNet, NsType::kUts}.
  constexpr NsTypeSet(std::initializer_list<NsType> types) {
    for (NsType t : types) Add(t);
  }

  // Every type.
  static constexpr NsTypeSet All() {
    NsTypeSet set;
    set.bits_ = (1u << kNsTypeCount) - 1;
    return set;
  }

  // Parse()
  //
  // Parses a comma-separated list of /proc/PID/ns names ("net,pid"). An empty
  // string gives the empty set; an unknown or empty item, or one given twice,
  // is InvalidArgument naming the item.
  static absl::StatusOr<NsTypeSet> Parse(absl::string_view text);

  // FromCloneFlags()
  //
  // Returns the set of types whose CLONE_NEW* flags are in `flags`. Any other
  // bit is InvalidArgument naming the bits, so that a caller mixing in
  // CLONE_VM or a typo learns it here and not from the kernel.
  static absl::StatusOr<NsTypeSet> FromCloneFlags(std::uint64_t flags);

  // The CLONE_NEW* flags of the members, ORed together.
  constexpr std::uint64_t ToCloneFlags() const {
    std::uint64_t flags = 0;
    for (NsType t : kAllNsTypes) {
      if (Contains(t)) flags |= CloneFlag(t);
    }
    return flags;
  }

  // The members' names in enum order, joined by commas ("" when empty).
  std::string ToString() const;

  // True when `type` is a member.
  constexpr bool Contains(NsType type) const { return (bits_ & Bit(type)) != 0; }
  // True when every member of `other` is a member of this set (the empty
  // set is contained in any set).
  constexpr bool ContainsAll(NsTypeSet other) const { return (bits_ & other.bits_) == other.bits_; }
  // True when the set has no member.
  constexpr bool empty() const { return bits_ == 0; }
  // The number of members, 0..kNsTypeCount.
  constexpr int size() const { return __builtin_popcount(bits_); }

  // Adds `type` (a no-op when it is a member already); returns *this.
  constexpr NsTypeSet& Add(NsType type) {
    bits_ = static_cast<std::uint8_t>(bits_ | Bit(type));
    return *this;
  }
  // Removes `type` (a no-op when it is not a member); returns *this.
  constexpr NsTypeSet& Remove(NsType type) {
    bits_ = static_cast<std::uint8_t>(bits_ & ~Bit(type));
    return *this;
  }

  // The union of `a` and `b`.
  friend constexpr NsTypeSet operator|(NsTypeSet a, NsTypeSet b) {
    return FromBits(static_cast<std::uint8_t>(a.bits_ | b.bits_));
  }
  // The intersection of `a` and `b`.
  friend constexpr NsTypeSet operator&(NsTypeSet a, NsTypeSet b) {
    return FromBits(static_cast<std::uint8_t>(a.bits_ & b.bits_));
  }
  // The members of `a` that are not in `b`.
  friend constexpr NsTypeSet operator-(NsTypeSet a, NsTypeSet b) {
    return FromBits(static_cast<std::uint8_t>(a.bits_ & ~b.bits_));
  }
  // True when `a` and `b` have the same members.
  friend constexpr bool operator==(NsTypeSet a, NsTypeSet b) = default;

  // Forward iteration over the members, in enum order.
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;  // a forward iterator
    using value_type = NsType;                            // the members are NsType values
    using difference_type = std::ptrdiff_t;               // as std::iterator_traits wants
    using pointer = const NsType*;                        // as std::iterator_traits wants
    using reference = NsType;                             // members are yielded by value

    // A past-the-end iterator of the empty set.
    constexpr Iterator() = default;
    // The current member. Undefined at end().
    constexpr NsType operator*() const { return static_cast<NsType>(index_); }
    // Moves to the next member in enum order (or to end()).
    constexpr Iterator& operator++() {
      index_ = Next(bits_, index_ + 1);
      return *this;
    }
    // Moves to the next member; returns the iterator as it was before.
    constexpr Iterator operator++(int) {
      Iterator old = *this;
      ++*this;
      return old;
    }
    // True when `a` and `b` stand at the same member; meaningful only for
    // iterators of one set.
    friend constexpr bool operator==(Iterator a, Iterator b) { return a.index_ == b.index_; }

   private:
    friend class NsTypeSet;
    constexpr Iterator(std::uint8_t bits, int index) : bits_(bits), index_(Next(bits, index)) {}
    static constexpr int Next(std::uint8_t bits, int index) {
      while (index < kNsTypeCount && (bits & (1u << index)) == 0) ++index;
      return index;
    }
    std::uint8_t bits_ = 0;
    int index_ = kNsTypeCount;
  };

  // The first member in enum order (end() when empty).
  constexpr Iterator begin() const { return Iterator(bits_, 0); }
  // Past the last member.
  constexpr Iterator end() const { return Iterator(bits_, kNsTypeCount); }

 private:
  static constexpr std::uint8_t Bit(NsType type) {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(type));
  }
  static constexpr NsTypeSet FromBits(std::uint8_t bits) {
    NsTypeSet set;
    set.bits_ = bits;
    return set;
  }
  std::uint8_t bits_ = 0;
};

// Writes set.ToString() to `os`: "net,pid", or nothing for the empty set.
LINUXNS_EXPORT std::ostream& operator<<(std::ostream& os, NsTypeSet set);

}  // namespace linuxns

#endif  // LINUXNS_NS_TYPE_H_
