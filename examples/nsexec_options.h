// The command line of nsexec, parsed without side effects (no exit, no
// output), so that it can be tested and fuzzed in-process.
#ifndef LINUXNS_EXAMPLES_NSEXEC_OPTIONS_H_
#define LINUXNS_EXAMPLES_NSEXEC_OPTIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "linuxns/net_address.h"
#include "linuxns/ns_type.h"

namespace linuxns::tools {

// --veth HOST_ADDR/PREFIX,PEER_ADDR/PREFIX: the addresses of the two ends of
// the veth pair that connects the new network namespace to the caller's.
struct VethAddresses {
  IpPrefix host;  // of the end in the caller's network namespace
  IpPrefix peer;  // of "eth0" inside the new one
};

struct NsexecOptions {
  bool help = false;
  bool version = false;
  bool verbose = false;
  bool init = false;                    // --init
  bool no_kill_child = false;           // --no-kill-child
  bool stats = false;                   // --stats
  bool dev = false;                     // --dev (implies -m)
  NsTypeSet types;                      // the new namespaces
  std::optional<std::string> hostname;  // -u HOSTNAME
  std::optional<VethAddresses> veth;    // --veth (implies -n)
  std::vector<std::string> command;     // CMD [ARGS...]
  // --seccomp: the system-call filter; with neither set, nsexec's built-in
  // deny list (linuxns::ContainerDenyList).
  std::optional<std::string> seccomp_file;  // --seccomp FILE, read by nsexec
  bool seccomp_unconfined = false;          // --seccomp unconfined: none
};

// Parses argv (argv[0] is the program name) with getopt_long: bundled short
// options (-npu host) work, parsing stops at the first non-option (the
// command), and "--" ends the options. Resets getopt's state before and
// after. Errors are InvalidArgument with glibc's wording for option errors
// ("invalid option -- 'x'", "unrecognized option '--x'", "option requires an
// argument -- 'u'") or "no command given", or naming the --veth argument that
// is not two addresses of one family with prefix lengths, or that comes with
// -U, or an empty --seccomp argument (see kNsexecUsage). The --seccomp file
// is neither opened nor parsed here: nsexec does that.
absl::StatusOr<NsexecOptions> ParseNsexecOptions(int argc, char* const* argv);

// The --help text.
extern const char kNsexecUsage[];

}  // namespace linuxns::tools

#endif  // LINUXNS_EXAMPLES_NSEXEC_OPTIONS_H_
