// linuxns/time_offsets.h: clock offsets of a new time namespace.
//
// A time namespace (time_namespaces(7), Linux 5.6) shifts CLOCK_MONOTONIC and
// CLOCK_BOOTTIME for the processes inside it, for example so that a restored
// container sees its clocks continue. The offsets can be set only before any
// process has entered the namespace; Namespace::Create() and
// ChildProcess::Spawn() take care of that.
//
//   linuxns::TimeOffsets offsets;
//   offsets.monotonic = absl::Hours(24);        // inside: a day later
//   offsets.boottime = absl::Milliseconds(-500);
//   // ToProcText(offsets) == "monotonic 86400 0\nboottime -1 500000000\n"
//
// Thread-safety: a value; nothing here makes a system call.
#ifndef LINUXNS_TIME_OFFSETS_H_
#define LINUXNS_TIME_OFFSETS_H_

#include <string>

#include "absl/time/time.h"
#include "linuxns/export.h"

namespace linuxns {

// Negative values are allowed as long as the clocks inside stay positive
// (the kernel says ERANGE otherwise).
struct LINUXNS_EXPORT TimeOffsets {
  absl::Duration monotonic = absl::ZeroDuration();  // added to CLOCK_MONOTONIC
  absl::Duration boottime = absl::ZeroDuration();   // added to CLOCK_BOOTTIME
};

// The text /proc/PID/timens_offsets takes for `offsets`: seconds and
// nanoseconds per clock, the nanoseconds in 0..999999999.
LINUXNS_EXPORT std::string ToProcText(const TimeOffsets& offsets);

}  // namespace linuxns

#endif  // LINUXNS_TIME_OFFSETS_H_
