// The command line of unshare (util-linux 2.42 compatible), parsed without
// side effects on the process (no exit, no output, no namespace change), so
// that it can be tested and fuzzed in-process.
//
//   absl::StatusOr<UnshareOptions> o = ParseUnshareOptions(argc, argv);
//   if (!o.ok()) return IsUnshareUsageError(o.status())
//                           ? ReportUsageError("unshare", o.status())
//                           : ReportFailure("unshare", o.status());
//
// Every implication and conflict util-linux documents is resolved here: the
// result says exactly which namespaces are new, what the id maps are (already
// checked by IdMap), and whether setgroups is denied. The parser reads files
// only for --map-users=auto|subids|all, --map-auto, --map-subids (the subid
// files and the caller's uid_map/gid_map) and user or group names (the
// password and group databases); UnshareEnvironment names those inputs so
// tests can substitute them.
#ifndef LINUXNS_EXAMPLES_UNSHARE_OPTIONS_H_
#define LINUXNS_EXAMPLES_UNSHARE_OPTIONS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "linuxns/id_map.h"
#include "linuxns/ns_type.h"
#include "linuxns/spawn_options.h"

namespace linuxns::tools {

// What the parse depends on outside argv.
struct UnshareEnvironment {
  uid_t euid = 0;
  gid_t egid = 0;
  std::string subuid_file = "/etc/subuid";
  std::string subgid_file = "/etc/subgid";
  std::string uid_map_file = "/proc/self/uid_map";  // for --map-users=all
  std::string gid_map_file = "/proc/self/gid_map";  // for --map-groups=all

  // The calling process's effective ids and the system's files.
  static UnshareEnvironment Current();
};

struct UnshareOptions {
  bool help = false;
  bool version = false;

  NsTypeSet types;                        // the new namespaces, implications included
  std::vector<NsPin> pins;                // -n=FILE etc., in the order given
  bool fork = false;                      // -f, or implied by --kill-child, --forward-signals
  std::optional<std::string> mount_proc;  // --mount-proc[=DIR]: where
  Propagation propagation = Propagation::kPrivate;
  std::optional<std::string> root;  // -R
  std::optional<std::string> wd;    // -w
  std::optional<uid_t> setuid;      // -S
  std::optional<gid_t> setgid;      // -G

  // The final maps (single ids and ranges merged as util-linux merges them).
  std::optional<IdMap> uid_map;
  std::optional<IdMap> gid_map;
  // Whether "deny" is written to setgroups before the gid map: implied by a
  // single --map-group (and -r, -c), or --setgroups=deny.
  bool deny_setgroups = false;
  // --setgroups=allow: written after the maps (util-linux writes "allow"
  // explicitly; it is also the kernel's default).
  bool allow_setgroups = false;
  std::optional<uid_t> owner_uid;  // --owner UID:GID
  std::optional<gid_t> owner_gid;

  std::optional<int> kill_child_signal;  // --kill-child[=SIGNAL]
  bool forward_signals = false;
  bool keep_caps = false;
  std::optional<absl::Duration> monotonic;
  std::optional<absl::Duration> boottime;
  bool clear_env = false;
  std::optional<std::vector<std::string>> whitelist_env;  // names

  std::vector<std::string> command;  // empty: run a shell
};

// Parses argv (argv[0] is the program name) with getopt_long: bundled short
// options (-Urmpf), optional arguments only in the attached form (--net=FILE;
// "-n FILE" makes FILE the command, as in util-linux), "--" ends the options,
// and parsing stops at the command. Resets getopt's state before and after.
//
// Errors are InvalidArgument with util-linux's wording: getopt's own
// complaints ("unrecognized option '--bogus'"), which IsUnshareUsageError()
// recognizes, and value errors such as "invalid mapping '1:2'", "unsupported
// propagation mode: foo", "options --monotonic and --boottime require
// unsharing of a time namespace (-T)", or an IdMap rule ("id map line 1:
// ...").
absl::StatusOr<UnshareOptions> ParseUnshareOptions(int argc, char* const* argv,
                                                   const UnshareEnvironment& env);
absl::StatusOr<UnshareOptions> ParseUnshareOptions(int argc, char* const* argv);

// True for a getopt complaint, which gets util-linux's second line "Try
// 'unshare --help' for more information.".
bool IsUnshareUsageError(const absl::Status& status);

// The signal number for a name as util-linux's --kill-child takes it:
// "KILL", "SIGTERM", "term", the aliases "IOT", "CLD", "POLL", and real-time
// signals as "RTMIN+N", "RTMAX-N" or "RTN" (case does not matter, "SIG" is
// optional). std::nullopt otherwise.
std::optional<int> SignalFromName(const std::string& name);

// The --help text.
extern const char kUnshareUsage[];

}  // namespace linuxns::tools

#endif  // LINUXNS_EXAMPLES_UNSHARE_OPTIONS_H_
