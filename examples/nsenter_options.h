// The command line of nsenter (util-linux 2.42 options), parsed without side
// effects (no exit, no output, no system call), so that it can be tested and
// fuzzed in-process.
#ifndef LINUXNS_EXAMPLES_NSENTER_OPTIONS_H_
#define LINUXNS_EXAMPLES_NSENTER_OPTIONS_H_

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "linuxns/ns_type.h"

namespace linuxns::tools {

// One namespace to enter: the target's (file empty) or the one a file names.
struct NsenterNamespace {
  bool enter = false;
  std::optional<std::string> file;  // -n=FILE, --net=FILE
};

// -S/-G: an id, or "follow" the target's.
struct NsenterId {
  bool follow = false;
  std::uint32_t id = 0;
};

struct NsenterOptions {
  bool help = false;
  bool version = false;
  bool all = false;                                       // -a
  std::optional<pid_t> target;                            // -t PID
  std::optional<std::uint64_t> target_inode;              // -t PID:INODE (pidfd inode)
  std::array<NsenterNamespace, kNsTypeCount> namespaces;  // by NsType index
  std::optional<int> net_socket;                          // -N FD
  bool user_parent = false;                               // --user-parent
  std::optional<NsenterId> uid;                           // -S
  std::optional<NsenterId> gid;                           // -G
  bool preserve_credentials = false;
  bool keep_caps = false;
  // -r / -w: present when given; an empty string means "the target's".
  std::optional<std::string> root;
  std::optional<std::string> wd;
  std::optional<std::string> wdns;   // -W DIR
  bool env = false;                  // -e
  bool no_fork = false;              // -F
  bool join_cgroup = false;          // -c
  std::vector<std::string> command;  // empty: $SHELL or /bin/sh

  NsenterNamespace& ns(NsType type) { return namespaces[static_cast<std::size_t>(type)]; }
  const NsenterNamespace& ns(NsType type) const {
    return namespaces[static_cast<std::size_t>(type)];
  }
};

// Parses argv (argv[0] is the program name) with getopt_long, as util-linux
// does: bundled short options, optional arguments attached (-nFILE, -n=FILE,
// --net=FILE), parsing stops at the first non-option (the command), "--" ends
// the options. Resets getopt's state before and after. Errors are
// InvalidArgument with glibc's wording for option errors, util-linux's for
// values ("failed to parse pid: 'x'"), and for combinations ("neither
// filename nor target pid supplied for ns/net", "--wd and --wdns are mutually
// exclusive"). Only getopt's own complaints are usage errors
// (IsNsenterUsageError()).
absl::StatusOr<NsenterOptions> ParseNsenterOptions(int argc, char* const* argv);

// True for a getopt complaint (an unknown option, a missing or unexpected
// argument), which gets util-linux's second line "Try 'nsenter --help' for
// more information."; a bad value or combination is reported alone, as
// util-linux's errx() reports it.
bool IsNsenterUsageError(const absl::Status& status);

// The --help text.
extern const char kNsenterUsage[];

}  // namespace linuxns::tools

#endif  // LINUXNS_EXAMPLES_NSENTER_OPTIONS_H_
