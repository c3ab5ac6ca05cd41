#include "nsexec_options.h"

#include <getopt.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "getopt_util.h"

namespace linuxns::tools {

const char kNsexecUsage[] =
    "Usage:\n"
    " nsexec [options] [--] <command> [<argument>...]\n"
    "\n"
    "Run a command in new namespaces: a minimal container of sorts.\n"
    "\n"
    "Options:\n"
    " -n, --net             new network namespace (loopback up, fresh /sys)\n"
    " -p, --pid             new PID namespace, with a fresh /proc\n"
    " -u, --uts <hostname>  new UTS namespace with this hostname\n"
    " -U, --user            new user namespace, current user mapped to root\n"
    " -i, --ipc             new IPC namespace\n"
    " -m, --mount           new mount namespace (implied by -p and -n)\n"
    " -C, --cgroup          new cgroup namespace\n"
    " -T, --time            new time namespace\n"
    "     --init            run linuxns' init as PID 1, the command under it\n"
    "                       (with -p: reaps orphans, forwards signals)\n"
    "     --no-kill-child   let the command live on should nsexec die (by\n"
    "                       default it is killed with SIGKILL, and with -p its\n"
    "                       whole PID namespace goes with it)\n"
    "     --veth <host-address/prefix>,<peer-address/prefix>\n"
    "                       connect the new network namespace (implies -n) to\n"
    "                       this one by a veth pair: nsexec<PID> here, eth0\n"
    "                       inside, with these addresses, up; deleted when the\n"
    "                       command ends (needs root; not with -U)\n"
    "     --dev             a minimal /dev of its own (implies -m): null, zero,\n"
    "                       full, random, urandom, tty, pts, ptmx, shm and the\n"
    "                       fd links; nothing else of this machine's /dev\n"
    "     --stats           when the command ends, print on stderr its CPU time\n"
    "                       and peak memory: \"nsexec: stats: user 0.200s\n"
    "                       system 0.010s maxrss 65536 KiB\"\n"
    "     --seccomp <file>  filter the command's system calls by the rules in\n"
    "                       <file> (see nsexec(1)) instead of the built-in deny\n"
    "                       list, under which calls no container needs (kexec,\n"
    "                       modules, reboot, swap, clocks, kernel log, keyrings,\n"
    "                       bpf...) fail with EPERM, and the mount API and\n"
    "                       sethostname too unless the command has a new mount\n"
    "                       and UTS namespace\n"
    "     --seccomp unconfined\n"
    "                       no system-call filter\n"
    " -v, --verbose         say what is being done\n"
    "\n"
    " -h, --help            display this help\n"
    " -V, --version         display version\n"
    "\n"
    "Exit status: the command's, or 128+N if signal N killed it; 126 if it\n"
    "could not be executed, 127 if it was not found, 1 for any other error.\n";

namespace {

absl::StatusOr<VethAddresses> ParseVeth(const std::string& text) {
  const std::string usage = absl::StrCat("--veth '", text,
                                         "': expected HOST_ADDRESS/PREFIX,PEER_ADDRESS/PREFIX, "
                                         "e.g. 198.51.100.1/24,198.51.100.2/24");
  const std::size_t comma = text.find(',');
  if (comma == std::string::npos || text.find(',', comma + 1) != std::string::npos) {
    return absl::InvalidArgumentError(usage);
  }
  absl::StatusOr<IpPrefix> host = IpPrefix::Parse(text.substr(0, comma));
  if (!host.ok())
    return absl::InvalidArgumentError(absl::StrCat("--veth: ", host.status().message()));
  absl::StatusOr<IpPrefix> peer = IpPrefix::Parse(text.substr(comma + 1));
  if (!peer.ok())
    return absl::InvalidArgumentError(absl::StrCat("--veth: ", peer.status().message()));
  if (host->address.family() != peer->address.family()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--veth '", text, "': the two addresses mix IPv4 and IPv6"));
  }
  if (host->address == peer->address) {
    return absl::InvalidArgumentError(
        absl::StrCat("--veth '", text, "': the two ends need different addresses"));
  }
  return VethAddresses{*host, *peer};
}

}  // namespace

absl::StatusOr<NsexecOptions> ParseNsexecOptions(int argc, char* const* argv) {
  constexpr int kInit = 256;  // long-only options
  constexpr int kVeth = 257;
  constexpr int kNoKillChild = 258;
  constexpr int kStats = 259;
  constexpr int kDev = 260;
  constexpr int kSeccomp = 261;
  static const option kLongOptions[] = {
      {"init", no_argument, nullptr, kInit},
      {"veth", required_argument, nullptr, kVeth},
      {"no-kill-child", no_argument, nullptr, kNoKillChild},
      {"stats", no_argument, nullptr, kStats},
      {"dev", no_argument, nullptr, kDev},
      {"seccomp", required_argument, nullptr, kSeccomp},
      {"net", no_argument, nullptr, 'n'},
      {"pid", no_argument, nullptr, 'p'},
      {"uts", required_argument, nullptr, 'u'},
      {"user", no_argument, nullptr, 'U'},
      {"ipc", no_argument, nullptr, 'i'},
      {"mount", no_argument, nullptr, 'm'},
      {"cgroup", no_argument, nullptr, 'C'},
      {"time", no_argument, nullptr, 'T'},
      {"verbose", no_argument, nullptr, 'v'},
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'V'},
      {nullptr, 0, nullptr, 0},
  };
  GetoptScope scope;
  NsexecOptions options;
  int c;
  // '+': stop at the command; ':' first: tell a missing argument apart.
  while ((c = getopt_long(argc, argv, "+:npu:UimCTvhV", kLongOptions, nullptr)) != -1) {
    switch (c) {
      case 'n':
        options.types.Add(NsType::kNet).Add(NsType::kMnt);
        break;
      case 'p':
        options.types.Add(NsType::kPid).Add(NsType::kMnt);
        break;
      case 'u':
        options.types.Add(NsType::kUts);
        options.hostname = optarg;
        break;
      case 'U':
        options.types.Add(NsType::kUser);
        break;
      case 'i':
        options.types.Add(NsType::kIpc);
        break;
      case 'm':
        options.types.Add(NsType::kMnt);
        break;
      case 'C':
        options.types.Add(NsType::kCgroup);
        break;
      case 'T':
        options.types.Add(NsType::kTime);
        break;
      case 'v':
        options.verbose = true;
        break;
      case kInit:
        options.init = true;
        break;
      case kNoKillChild:
        options.no_kill_child = true;
        break;
      case kStats:
        options.stats = true;
        break;
      case kDev:
        options.dev = true;
        options.types.Add(NsType::kMnt);
        break;
      case kSeccomp: {
        // The last one counts; a file named "unconfined" is ./unconfined.
        const std::string value = optarg;
        if (value.empty()) {
          return absl::InvalidArgumentError(
              "--seccomp '': expected a filter file or \"unconfined\"");
        }
        options.seccomp_unconfined = value == "unconfined";
        if (options.seccomp_unconfined) {
          options.seccomp_file.reset();
        } else {
          options.seccomp_file = value;
        }
        break;
      }
      case kVeth: {
        absl::StatusOr<VethAddresses> veth = ParseVeth(optarg);
        if (!veth.ok()) return veth.status();
        options.veth = *veth;
        options.types.Add(NsType::kNet).Add(NsType::kMnt);
        break;
      }
      case 'h':
        options.help = true;
        return options;
      case 'V':
        options.version = true;
        return options;
      default:
        return GetoptError(argv, c, kLongOptions);
    }
  }
  for (int i = optind; i < argc; ++i) options.command.emplace_back(argv[i]);
  if (options.command.empty()) return absl::InvalidArgumentError("no command given");
  if (options.veth && options.types.Contains(NsType::kUser)) {
    // The network namespace is made first, by nsexec, in its own user
    // namespace: a command in a new user namespace could not configure or
    // mount anything of it.
    return absl::InvalidArgumentError(
        "--veth cannot be combined with -U/--user: the veth pair needs root here, and "
        "the network namespace it ends in would not belong to the new user namespace");
  }
  return options;
}

}  // namespace linuxns::tools
