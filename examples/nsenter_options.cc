#include "nsenter_options.h"

#include <getopt.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "getopt_util.h"
#include "number_parse.h"

namespace linuxns::tools {

const char kNsenterUsage[] =
    "\n"
    "Usage:\n"
    " nsenter [options] [<program> [<argument>...]]\n"
    "\n"
    "Run a program with namespaces of other processes.\n"
    "\n"
    "Options:\n"
    " -a, --all                 enter all namespaces\n"
    " -t, --target <pid>[:<inode>]\n"
    "                           target process to get namespaces from (the\n"
    "                           pidfd inode, if given, must match)\n"
    " -m, --mount[=<file>]      enter mount namespace\n"
    " -u, --uts[=<file>]        enter UTS namespace (hostname etc)\n"
    " -i, --ipc[=<file>]        enter System V IPC namespace\n"
    " -n, --net[=<file>]        enter network namespace\n"
    " -N, --net-socket <fd>     enter socket's network namespace (use with --target)\n"
    " -p, --pid[=<file>]        enter pid namespace\n"
    " -C, --cgroup[=<file>]     enter cgroup namespace\n"
    " -U, --user[=<file>]       enter user namespace\n"
    "     --user-parent         enter parent user namespace\n"
    " -T, --time[=<file>]       enter time namespace\n"
    " -S, --setuid[=<uid>]      set uid in entered namespace (or 'follow')\n"
    " -G, --setgid[=<gid>]      set gid in entered namespace (or 'follow')\n"
    "     --preserve-credentials do not touch uids or gids\n"
    "     --keep-caps           retain capabilities granted in user namespaces\n"
    " -r, --root[=<dir>]        set the root directory\n"
    " -w, --wd[=<dir>]          set the working directory\n"
    " -W, --wdns <dir>          set the working directory in namespace\n"
    " -e, --env                 inherit environment variables from target process\n"
    " -F, --no-fork             do not fork before exec'ing <program>\n"
    " -c, --join-cgroup         join the cgroup of the target process\n"
    "\n"
    " -h, --help                display this help\n"
    " -V, --version             display version\n"
    "\n"
    "Exit status: the program's, or 128+N if signal N killed it (nsenter then\n"
    "kills itself with the same signal when it forked); 126 if it could not be\n"
    "executed, 127 if it was not found, 1 for any other error.\n";

namespace {

constexpr char kUsagePayload[] = "linuxns.tools/usage-error";

absl::Status ParseTarget(const std::string& text, NsenterOptions& options) {
  const std::size_t colon = text.find(':');
  const std::string pid_text = text.substr(0, colon);
  std::optional<std::uint64_t> pid = ParseUnsignedIn(pid_text.c_str(), 1, INT_MAX);
  if (!pid) return InvalidNumber("failed to parse pid", pid_text, errno);
  options.target = static_cast<pid_t>(*pid);
  options.target_inode.reset();
  if (colon != std::string::npos) {
    const std::string inode_text = text.substr(colon + 1);
    std::optional<std::uint64_t> inode = ParseUnsignedIn(inode_text.c_str(), 1, UINT64_MAX);
    if (!inode) return InvalidNumber("failed to parse pidfd inode", inode_text, errno);
    options.target_inode = *inode;
  }
  return absl::OkStatus();
}

absl::StatusOr<NsenterId> ParseId(const std::string& text, absl::string_view what) {
  if (text == "follow") return NsenterId{true, 0};
  std::optional<std::uint64_t> id = ParseUnsignedIn(text.c_str(), 0, UINT32_MAX - 1);
  if (!id) return InvalidNumber(what, text, errno);
  return NsenterId{false, static_cast<std::uint32_t>(*id)};
}

// getopt gives "-n=FILE" as "=FILE"; util-linux 2.42 documents that form.
std::string OptionalArgument() {
  std::string arg = optarg;
  if (!arg.empty() && arg[0] == '=') arg.erase(0, 1);
  return arg;
}

absl::Status CheckCombinations(const NsenterOptions& o) {
  const bool target = o.target.has_value();
  for (NsType type : kAllNsTypes) {
    const NsenterNamespace& ns = o.ns(type);
    if (ns.enter && !ns.file && !target) {
      return absl::InvalidArgumentError(
          absl::StrCat("neither filename nor target pid supplied for ns/", NsTypeName(type)));
    }
  }
  if (o.all && !target) {
    return absl::InvalidArgumentError("neither filename nor target pid supplied for --all");
  }
  if (o.user_parent && !target && !o.ns(NsType::kUser).file) {
    return absl::InvalidArgumentError("neither filename nor target pid supplied for ns/user");
  }
  if (o.root && o.root->empty() && !target) {
    return absl::InvalidArgumentError("neither filename nor target pid supplied for root");
  }
  if (o.wd && o.wd->empty() && !target) {
    return absl::InvalidArgumentError("neither filename nor target pid supplied for wd");
  }
  if (o.wd && o.wdns) {
    return absl::InvalidArgumentError("--wd and --wdns are mutually exclusive");
  }
  if (o.net_socket && !target) {
    return absl::InvalidArgumentError("--net-socket requires --target");
  }
  if (o.net_socket && o.ns(NsType::kNet).file) {
    return absl::InvalidArgumentError("--net-socket and --net=FILE are mutually exclusive");
  }
  if (o.env && !target) return absl::InvalidArgumentError("--env requires --target");
  if (o.join_cgroup && !target) {
    return absl::InvalidArgumentError("--join-cgroup requires --target");
  }
  if (((o.uid && o.uid->follow) || (o.gid && o.gid->follow)) && !target) {
    return absl::InvalidArgumentError("'follow' requires --target");
  }
  return absl::OkStatus();
}

}  // namespace

bool IsNsenterUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayload).has_value();
}

absl::StatusOr<NsenterOptions> ParseNsenterOptions(int argc, char* const* argv) {
  enum : int {
    kPreserveCredentials = 256,  // long-only options
    kKeepCaps,
    kUserParent,
  };
  static const option kLongOptions[] = {
      {"all", no_argument, nullptr, 'a'},
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'V'},
      {"target", required_argument, nullptr, 't'},
      {"mount", optional_argument, nullptr, 'm'},
      {"uts", optional_argument, nullptr, 'u'},
      {"ipc", optional_argument, nullptr, 'i'},
      {"net", optional_argument, nullptr, 'n'},
      {"net-socket", required_argument, nullptr, 'N'},
      {"pid", optional_argument, nullptr, 'p'},
      {"user", optional_argument, nullptr, 'U'},
      {"cgroup", optional_argument, nullptr, 'C'},
      {"time", optional_argument, nullptr, 'T'},
      {"setuid", required_argument, nullptr, 'S'},
      {"setgid", required_argument, nullptr, 'G'},
      {"root", optional_argument, nullptr, 'r'},
      {"wd", optional_argument, nullptr, 'w'},
      {"wdns", required_argument, nullptr, 'W'},
      {"env", no_argument, nullptr, 'e'},
      {"no-fork", no_argument, nullptr, 'F'},
      {"join-cgroup", no_argument, nullptr, 'c'},
      {"preserve-credentials", no_argument, nullptr, kPreserveCredentials},
      {"keep-caps", no_argument, nullptr, kKeepCaps},
      {"user-parent", no_argument, nullptr, kUserParent},
      {nullptr, 0, nullptr, 0},
  };
  GetoptScope scope;
  NsenterOptions options;
  int c;
  // '+': stop at the command; ':' first: tell a missing argument apart.
  while ((c = getopt_long(argc, argv, "+:ahVt:m::u::i::n::N:p::U::C::T::S:G:r::w::W:eFc",
                          kLongOptions, nullptr)) != -1) {
    std::optional<NsType> type;
    switch (c) {
      case 'a':
        options.all = true;
        break;
      case 'h':
        options.help = true;
        return options;
      case 'V':
        options.version = true;
        return options;
      case 't':
        if (absl::Status s = ParseTarget(optarg, options); !s.ok()) return s;
        break;
      case 'm':
        type = NsType::kMnt;
        break;
      case 'u':
        type = NsType::kUts;
        break;
      case 'i':
        type = NsType::kIpc;
        break;
      case 'n':
        type = NsType::kNet;
        break;
      case 'p':
        type = NsType::kPid;
        break;
      case 'U':
        type = NsType::kUser;
        break;
      case 'C':
        type = NsType::kCgroup;
        break;
      case 'T':
        type = NsType::kTime;
        break;
      case 'N': {
        std::optional<std::uint64_t> fd = ParseUnsignedIn(optarg, 0, INT_MAX);
        if (!fd) return InvalidNumber("failed to parse file descriptor", optarg, errno);
        options.net_socket = static_cast<int>(*fd);
        break;
      }
      case 'S': {
        absl::StatusOr<NsenterId> id = ParseId(optarg, "failed to parse uid");
        if (!id.ok()) return id.status();
        options.uid = *id;
        break;
      }
      case 'G': {
        absl::StatusOr<NsenterId> id = ParseId(optarg, "failed to parse gid");
        if (!id.ok()) return id.status();
        options.gid = *id;
        break;
      }
      case 'r':
        options.root = optarg ? OptionalArgument() : "";
        break;
      case 'w':
        options.wd = optarg ? OptionalArgument() : "";
        break;
      case 'W':
        options.wdns = optarg;
        break;
      case 'e':
        options.env = true;
        break;
      case 'F':
        options.no_fork = true;
        break;
      case 'c':
        options.join_cgroup = true;
        break;
      case kPreserveCredentials:
        options.preserve_credentials = true;
        break;
      case kKeepCaps:
        options.keep_caps = true;
        break;
      case kUserParent:
        options.user_parent = true;
        break;
      default: {
        absl::Status usage = GetoptError(argv, c, kLongOptions);
        usage.SetPayload(kUsagePayload, absl::Cord("1"));
        return usage;
      }
    }
    if (type) {
      NsenterNamespace& ns = options.ns(*type);
      ns.enter = true;
      ns.file.reset();
      if (optarg != nullptr) {
        std::string file = OptionalArgument();
        if (file.empty()) {
          return absl::InvalidArgumentError(
              absl::StrCat("empty file name for ns/", NsTypeName(*type)));
        }
        ns.file = std::move(file);
      }
    }
  }
  for (int i = optind; i < argc; ++i) options.command.emplace_back(argv[i]);
  if (absl::Status s = CheckCombinations(options); !s.ok()) return s;
  return options;
}

}  // namespace linuxns::tools
