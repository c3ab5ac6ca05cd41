#include "unshare_options.h"

#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "getopt_util.h"
#include "linuxns/subid.h"
#include "number_parse.h"

namespace linuxns::tools {

const char kUnshareUsage[] =
    "\n"
    "Usage:\n"
    " unshare [options] [<program> [<argument>...]]\n"
    "\n"
    "Run a program with some namespaces unshared from the parent.\n"
    "\n"
    "Options:\n"
    " -m, --mount[=<file>]      unshare mounts namespace\n"
    " -u, --uts[=<file>]        unshare UTS namespace (hostname etc)\n"
    " -i, --ipc[=<file>]        unshare System V IPC namespace\n"
    " -n, --net[=<file>]        unshare network namespace\n"
    " -p, --pid[=<file>]        unshare pid namespace\n"
    " -U, --user[=<file>]       unshare user namespace\n"
    " -C, --cgroup[=<file>]     unshare cgroup namespace\n"
    " -T, --time[=<file>]       unshare time namespace\n"
    "\n"
    " --mount-proc[=<dir>]      mount proc filesystem first (implies --mount)\n"
    " --propagation slave|shared|private|unchanged\n"
    "                           modify mount propagation in mount namespace\n"
    " -R, --root <dir>          run the command with root directory set to <dir>\n"
    " -w, --wd <dir>            change working directory to <dir>\n"
    "\n"
    " -S, --setuid <uid>        set uid in entered namespace\n"
    " -G, --setgid <gid>        set gid in entered namespace\n"
    " --map-user <uid>|<name>   map current user to uid (implies --user)\n"
    " --map-group <gid>|<name>  map current group to gid (implies --user)\n"
    " -r, --map-root-user       map current user to root (implies --user)\n"
    " -c, --map-current-user    map current user to itself (implies --user)\n"
    " --map-auto                map users and groups automatically (implies --user)\n"
    " --map-subids              map the first block of user IDs owned by euid (implies --user)\n"
    " --map-users <inneruid>:<outeruid>:<count>|auto|subids|all\n"
    "                           map count users from outeruid to inneruid (implies --user)\n"
    " --map-groups <innergid>:<outergid>:<count>|auto|subids|all\n"
    "                           map count groups from outergid to innergid (implies --user)\n"
    " --owner <uid>:<gid>       set the user namespace owner (implies --user)\n"
    "\n"
    " -f, --fork                fork before launching <program>\n"
    " --kill-child[=<signame>]  when dying, kill the forked child (implies --fork)\n"
    "                             defaults to SIGKILL\n"
    " --forward-signals         forward SIGTERM and SIGINT to child (implies --fork)\n"
    "\n"
    " --setgroups allow|deny    control the setgroups syscall in user namespaces\n"
    " --keep-caps               retain capabilities granted in user namespaces\n"
    "\n"
    " --monotonic <offset>      set clock monotonic offset (seconds) in time namespaces\n"
    " --boottime <offset>       set clock boottime offset (seconds) in time namespaces\n"
    " --clear-env               do not inherit environment variables from the calling process\n"
    " --whitelist-env <list>    clear environment except for specified variables\n"
    "\n"
    " -h, --help                display this help\n"
    " -V, --version             display version\n"
    "\n"
    "Exit status: the program's; if a signal killed it (with --fork), unshare\n"
    "kills itself with the same signal. 126 if the program could not be\n"
    "executed, 127 if it was not found, 1 for any other error.\n"
    "\n"
    "For more details see unshare(1).\n";

namespace {

constexpr char kUsagePayload[] = "linuxns.tools/usage-error";
constexpr std::uint32_t kNoId = 0xFFFFFFFF;

absl::Status Invalid(absl::string_view message) { return absl::InvalidArgumentError(message); }

// A --map-users/--map-groups range before the single id is merged in.
struct Range {
  std::uint32_t inner = 0;
  std::uint32_t outer = 0;
  std::uint32_t count = 0;
  bool inner_from_zero = false;  // "auto": inside, the range starts at 0
};

// Everything about one kind of id (users or groups) while parsing.
struct IdSpec {
  std::optional<std::uint32_t> single;  // --map-user, -r, -c: inside id of our own
  std::vector<Range> ranges;            // --map-users, in the order given
};

bool AllDigits(absl::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); });
}

// A decimal id in 0..4294967294 (4294967295 is "no id"), read as util-linux
// reads numbers (number_parse.h): errno says why not.
std::optional<std::uint32_t> ParseId(absl::string_view s) {
  std::optional<std::uint64_t> id = ParseUnsignedIn(std::string(s).c_str(), 0, kNoId - 1);
  if (!id) return std::nullopt;
  return static_cast<std::uint32_t>(*id);
}

// util-linux's strtoul_or_err(s, "failed to parse uid") and its message.
absl::StatusOr<std::uint32_t> ParseNumber(absl::string_view s, absl::string_view what) {
  std::optional<std::uint32_t> id = ParseId(s);
  if (!id) return InvalidNumber(absl::StrCat("failed to parse ", what), s, errno);
  return *id;
}

absl::StatusOr<std::uint32_t> UserId(const std::string& s) {
  if (AllDigits(s)) return ParseNumber(s, "uid");
  passwd pw;
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwnam_r(s.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    return ParseNumber(s, "uid");  // " 5" is a number to util-linux too
  }
  return found->pw_uid;
}

absl::StatusOr<std::uint32_t> GroupId(const std::string& s) {
  if (AllDigits(s)) return ParseNumber(s, "gid");
  group gr;
  group* found = nullptr;
  std::vector<char> buf(16384);
  if (::getgrnam_r(s.c_str(), &gr, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    return ParseNumber(s, "gid");
  }
  return found->gr_gid;
}

// "INNER:OUTER:COUNT", or the pre-2.39 "OUTER,INNER,COUNT".
absl::StatusOr<Range> ParseRange(absl::string_view s) {
  const bool old_form = s.find(',') != absl::string_view::npos;
  std::vector<absl::string_view> fields = absl::StrSplit(s, old_form ? ',' : ':');
  std::uint32_t v[3];
  bool ok = fields.size() == 3;
  for (std::size_t i = 0; ok && i < 3; ++i) {
    ok = AllDigits(fields[i]) && absl::SimpleAtoi(fields[i], &v[i]);
  }
  if (!ok) return Invalid(absl::StrCat("invalid mapping '", s, "'"));
  // util-linux leaves this to the kernel's bare EINVAL.
  if (v[2] == 0) return Invalid(absl::StrCat("invalid mapping '", s, "': the count is 0"));
  if (old_form) return Range{v[1], v[0], v[2], false};
  return Range{v[0], v[1], v[2], false};
}

// The first subordinate range of `id` in `file`: at 0 inside ("auto") or
// identity-mapped ("subids").
absl::StatusOr<Range> SubidRange(const std::string& file, uid_t id, bool identity) {
  absl::StatusOr<SubordinateRange> r = FindSubordinateRange(file, id);
  if (!r.ok()) return r.status();
  return Range{identity ? r->start : 0, r->start, r->count, !identity};
}

// Identity ranges for every id mapped in this process's namespace ("all").
absl::StatusOr<std::vector<Range>> KernelRanges(const std::string& file) {
  std::ifstream in(file);
  if (!in) return Invalid(absl::StrCat("could not open '", file, "'"));
  std::vector<Range> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::uint32_t inner, outer, count;
    if (fields >> inner >> outer >> count) out.push_back(Range{inner, inner, count, false});
  }
  return out;
}

absl::Status AddRanges(const std::string& arg, const std::string& subid_file,
                       const std::string& map_file, uid_t euid, IdSpec& spec) {
  if (arg == "auto" || arg == "subids") {
    absl::StatusOr<Range> r = SubidRange(subid_file, euid, arg == "subids");
    if (!r.ok()) return r.status();
    spec.ranges.push_back(*r);
  } else if (arg == "all") {
    absl::StatusOr<std::vector<Range>> all = KernelRanges(map_file);
    if (!all.ok()) return all.status();
    spec.ranges.insert(spec.ranges.end(), all->begin(), all->end());
  } else {
    absl::StatusOr<Range> r = ParseRange(arg);
    if (!r.ok()) return r.status();
    spec.ranges.push_back(*r);
  }
  return absl::OkStatus();
}

bool Within(std::uint32_t id, std::uint32_t start, std::uint32_t count) {
  // util-linux counts the id just past the end as overlapping too.
  return id >= start && std::uint64_t{id} <= std::uint64_t{start} + count;
}

// The ranges with the single id `inner` (inside) of `outer` (outside) cut out
// of them, as util-linux does: each range loses one id when the single one
// falls in it on either side, and is split around it into up to three pieces
// whose two sides skip the single ids. The ids given up are always the topmost.
std::vector<IdMapEntry> MergeSingle(std::vector<Range> ranges, std::optional<std::uint32_t> inner,
                                    std::uint32_t outer) {
  std::vector<IdMapEntry> out;
  const std::uint32_t a = inner.value_or(kNoId);
  const std::uint32_t b = inner ? outer : kNoId;
  if (inner) out.push_back(IdMapEntry{a, b, 1});
  for (Range r : ranges) {
    if (r.inner_from_zero) {
      r.inner = 0;
    } else if (inner && (Within(b, r.outer, r.count) || Within(a, r.inner, r.count))) {
      --r.count;
    }
    if (!inner) {
      out.push_back(IdMapEntry{r.inner, r.outer, r.count});
      continue;
    }
    const std::uint32_t outer_off = std::min(b > r.outer ? b - r.outer : 0, r.count);
    const std::uint32_t inner_off = std::min(a > r.inner ? a - r.inner : 0, r.count);
    IdMapEntry lo{r.inner, r.outer, std::min(inner_off, outer_off)};
    IdMapEntry mid{lo.inner + lo.count, lo.outer + lo.count,
                   std::max(inner_off, outer_off) - std::min(inner_off, outer_off)};
    if (mid.inner == a) ++mid.inner;
    if (mid.outer == b) ++mid.outer;
    IdMapEntry hi{mid.inner + mid.count, mid.outer + mid.count, r.count - lo.count - mid.count};
    if (hi.inner == a) ++hi.inner;
    if (hi.outer == b) ++hi.outer;
    for (const IdMapEntry& e : {lo, mid, hi}) {
      if (e.count != 0) out.push_back(e);
    }
  }
  return out;
}

// The map of one kind of id, and whether it is the simple one-line map the
// process writes itself (util-linux's map_id, after which a gid map needs
// setgroups "deny").
struct BuiltMap {
  std::optional<IdMap> map;
  bool simple = false;
};

absl::StatusOr<BuiltMap> BuildMap(const IdSpec& spec, std::uint32_t own_id, bool owner) {
  BuiltMap built;
  if (spec.ranges.empty() && !(spec.single && owner)) {
    if (spec.single) {
      built.map = IdMap::Single(*spec.single, own_id);
      built.simple = true;
    }
    return built;
  }
  absl::StatusOr<IdMap> map = IdMap::Create(MergeSingle(spec.ranges, spec.single, own_id));
  if (!map.ok()) return map.status();
  built.map = *std::move(map);
  return built;
}

absl::StatusOr<Propagation> ParsePropagation(absl::string_view s) {
  if (s == "slave") return Propagation::kSlave;
  if (s == "private") return Propagation::kPrivate;
  if (s == "shared") return Propagation::kShared;
  if (s == "unchanged") return Propagation::kUnchanged;
  return Invalid(absl::StrCat("unsupported propagation mode: ", s));
}

// As strtos64_or_err(s, "failed to parse CLOCK offset").
absl::StatusOr<absl::Duration> ParseOffset(absl::string_view s, absl::string_view clock) {
  std::optional<std::int64_t> seconds = ParseSigned(std::string(s).c_str());
  if (!seconds) return InvalidNumber(absl::StrCat("failed to parse ", clock, " offset"), s, errno);
  return absl::Seconds(*seconds);
}

absl::Status UsageError(absl::Status status) {
  status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

}  // namespace

UnshareEnvironment UnshareEnvironment::Current() {
  UnshareEnvironment env;
  env.euid = ::geteuid();
  env.egid = ::getegid();
  return env;
}

bool IsUnshareUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayload).has_value();
}

std::optional<int> SignalFromName(const std::string& name) {
  absl::string_view s = name;
  if (s.size() >= 3 && ::strncasecmp(name.c_str(), "SIG", 3) == 0) s.remove_prefix(3);
  // Real-time signals as util-linux names them: RTMIN+N, RTMAX-N, RTN.
  if (s.size() >= 2 && ::strncasecmp(s.data(), "RT", 2) == 0) {
    s.remove_prefix(2);
    bool from_max = false;
    if (s.size() >= 4 && ::strncasecmp(s.data(), "MIN+", 4) == 0) {
      s.remove_prefix(4);
    } else if (s.size() >= 4 && ::strncasecmp(s.data(), "MAX-", 4) == 0) {
      s.remove_prefix(4);
      from_max = true;
    }
    int n;
    if (!AllDigits(s) || !absl::SimpleAtoi(s, &n)) return std::nullopt;
    const int sig = from_max ? SIGRTMAX - n : SIGRTMIN + n;
    if (sig < SIGRTMIN || sig > SIGRTMAX) return std::nullopt;
    return sig;
  }
  const std::string bare(s);
  // The second names util-linux knows, which sigabbrev_np() does not give.
  for (const auto& [alias, sig] : {std::pair{"IOT", SIGIOT}, {"CLD", SIGCLD}, {"POLL", SIGPOLL}}) {
    if (::strcasecmp(alias, bare.c_str()) == 0) return sig;
  }
  for (int sig = 1; sig < SIGRTMIN; ++sig) {
    const char* abbrev = ::sigabbrev_np(sig);
    if (abbrev != nullptr && ::strcasecmp(abbrev, bare.c_str()) == 0) return sig;
  }
  return std::nullopt;
}

absl::StatusOr<UnshareOptions> ParseUnshareOptions(int argc, char* const* argv) {
  return ParseUnshareOptions(argc, argv, UnshareEnvironment::Current());
}

absl::StatusOr<UnshareOptions> ParseUnshareOptions(int argc, char* const* argv,
                                                   const UnshareEnvironment& env) {
  enum : int {
    kMountProc = 256,
    kPropagation,
    kSetgroups,
    kKillChild,
    kKeepCaps,
    kMonotonic,
    kBoottime,
    kMapUser,
    kMapUsers,
    kMapGroup,
    kMapGroups,
    kMapAuto,
    kMapSubids,
    kOwner,
    kForwardSignals,
    kClearEnv,
    kWhitelistEnv,
  };
  static const option kLongOptions[] = {
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'V'},
      {"mount", optional_argument, nullptr, 'm'},
      {"uts", optional_argument, nullptr, 'u'},
      {"ipc", optional_argument, nullptr, 'i'},
      {"net", optional_argument, nullptr, 'n'},
      {"pid", optional_argument, nullptr, 'p'},
      {"user", optional_argument, nullptr, 'U'},
      {"cgroup", optional_argument, nullptr, 'C'},
      {"time", optional_argument, nullptr, 'T'},
      {"fork", no_argument, nullptr, 'f'},
      {"kill-child", optional_argument, nullptr, kKillChild},
      {"forward-signals", no_argument, nullptr, kForwardSignals},
      {"mount-proc", optional_argument, nullptr, kMountProc},
      {"map-user", required_argument, nullptr, kMapUser},
      {"map-users", required_argument, nullptr, kMapUsers},
      {"map-group", required_argument, nullptr, kMapGroup},
      {"map-groups", required_argument, nullptr, kMapGroups},
      {"map-root-user", no_argument, nullptr, 'r'},
      {"map-current-user", no_argument, nullptr, 'c'},
      {"map-auto", no_argument, nullptr, kMapAuto},
      {"map-subids", no_argument, nullptr, kMapSubids},
      {"owner", required_argument, nullptr, kOwner},
      {"propagation", required_argument, nullptr, kPropagation},
      {"setgroups", required_argument, nullptr, kSetgroups},
      {"keep-caps", no_argument, nullptr, kKeepCaps},
      {"setuid", required_argument, nullptr, 'S'},
      {"setgid", required_argument, nullptr, 'G'},
      {"root", required_argument, nullptr, 'R'},
      {"wd", required_argument, nullptr, 'w'},
      {"monotonic", required_argument, nullptr, kMonotonic},
      {"boottime", required_argument, nullptr, kBoottime},
      {"clear-env", no_argument, nullptr, kClearEnv},
      {"whitelist-env", required_argument, nullptr, kWhitelistEnv},
      {nullptr, 0, nullptr, 0},
  };
  GetoptScope scope;
  UnshareOptions o;
  IdSpec users, groups;
  std::optional<bool> setgroups_allow;
  auto new_ns = [&o](NsType type) {
    o.types.Add(type);
    if (optarg == nullptr) return;
    auto same = [type](const NsPin& p) { return p.type == type; };
    o.pins.erase(std::remove_if(o.pins.begin(), o.pins.end(), same), o.pins.end());
    o.pins.push_back(NsPin{type, optarg});
  };
  int c;
  // '+': stop at the program; ':' first: tell a missing argument apart.
  while ((c = getopt_long(argc, argv, "+:fhVmuinpCTUrR:w:S:G:c", kLongOptions, nullptr)) != -1) {
    absl::Status failed;
    switch (c) {
      case 'f':
        o.fork = true;
        break;
      case 'm':
        new_ns(NsType::kMnt);
        break;
      case 'u':
        new_ns(NsType::kUts);
        break;
      case 'i':
        new_ns(NsType::kIpc);
        break;
      case 'n':
        new_ns(NsType::kNet);
        break;
      case 'p':
        new_ns(NsType::kPid);
        break;
      case 'U':
        new_ns(NsType::kUser);
        break;
      case 'C':
        new_ns(NsType::kCgroup);
        break;
      case 'T':
        new_ns(NsType::kTime);
        break;
      case kMountProc:
        o.types.Add(NsType::kMnt);
        o.mount_proc = optarg != nullptr ? optarg : "/proc";
        break;
      case kMapUser: {
        o.types.Add(NsType::kUser);
        absl::StatusOr<std::uint32_t> id = UserId(optarg);
        if (!id.ok()) return id.status();
        users.single = *id;
        break;
      }
      case kMapGroup: {
        o.types.Add(NsType::kUser);
        absl::StatusOr<std::uint32_t> id = GroupId(optarg);
        if (!id.ok()) return id.status();
        groups.single = *id;
        break;
      }
      case 'r':
        o.types.Add(NsType::kUser);
        users.single = 0;
        groups.single = 0;
        break;
      case 'c':
        o.types.Add(NsType::kUser);
        users.single = env.euid;
        groups.single = env.egid;
        break;
      case kMapUsers:
        o.types.Add(NsType::kUser);
        failed = AddRanges(optarg, env.subuid_file, env.uid_map_file, env.euid, users);
        break;
      case kMapGroups:
        o.types.Add(NsType::kUser);
        // util-linux looks up the subordinate groups of the effective *user*.
        failed = AddRanges(optarg, env.subgid_file, env.gid_map_file, env.euid, groups);
        break;
      case kMapAuto:
      case kMapSubids:
        o.types.Add(NsType::kUser);
        failed = AddRanges(c == kMapAuto ? "auto" : "subids", env.subuid_file, env.uid_map_file,
                           env.euid, users);
        if (failed.ok()) {
          failed = AddRanges(c == kMapAuto ? "auto" : "subids", env.subgid_file, env.gid_map_file,
                             env.euid, groups);
        }
        break;
      case kOwner: {
        o.types.Add(NsType::kUser);
        std::vector<std::string> ids = absl::StrSplit(optarg, ':');
        std::optional<std::uint32_t> uid, gid;
        if (ids.size() == 2) uid = ParseId(ids[0]), gid = ParseId(ids[1]);
        if (!uid || !gid) return Invalid("failed to parse owner");
        o.owner_uid = *uid;
        o.owner_gid = *gid;
        break;
      }
      case kSetgroups:
        if (std::string(optarg) != "allow" && std::string(optarg) != "deny") {
          return Invalid(absl::StrCat("unsupported --setgroups argument '", optarg, "'"));
        }
        setgroups_allow = std::string(optarg) == "allow";
        break;
      case kPropagation: {
        absl::StatusOr<Propagation> p = ParsePropagation(optarg);
        if (!p.ok()) return p.status();
        o.propagation = *p;
        break;
      }
      case kKillChild:
        o.fork = true;
        o.kill_child_signal = SIGKILL;
        if (optarg != nullptr) {
          o.kill_child_signal = SignalFromName(optarg);
          if (!o.kill_child_signal) return Invalid(absl::StrCat("unknown signal: ", optarg));
        }
        break;
      case kKeepCaps:
        o.keep_caps = true;
        break;
      case kForwardSignals:
        o.fork = true;
        o.forward_signals = true;
        break;
      case 'S': {
        absl::StatusOr<std::uint32_t> id = ParseNumber(optarg, "uid");
        if (!id.ok()) return id.status();
        o.setuid = *id;
        break;
      }
      case 'G': {
        absl::StatusOr<std::uint32_t> id = ParseNumber(optarg, "gid");
        if (!id.ok()) return id.status();
        o.setgid = *id;
        break;
      }
      case 'R':
        o.root = optarg;
        break;
      case 'w':
        o.wd = optarg;
        break;
      case kMonotonic:
      case kBoottime: {
        absl::StatusOr<absl::Duration> d =
            ParseOffset(optarg, c == kMonotonic ? "monotonic" : "boottime");
        if (!d.ok()) return d.status();
        (c == kMonotonic ? o.monotonic : o.boottime) = *d;
        break;
      }
      case kClearEnv:
        o.clear_env = true;
        break;
      case kWhitelistEnv: {
        if (!o.whitelist_env) o.whitelist_env.emplace();
        for (absl::string_view name : absl::StrSplit(optarg, ',', absl::SkipEmpty())) {
          o.whitelist_env->emplace_back(name);
        }
        break;
      }
      case 'h':
        o.help = true;
        return o;
      case 'V':
        o.version = true;
        return o;
      default:
        return UsageError(GetoptError(argv, c, kLongOptions));
    }
    if (!failed.ok()) return failed;
  }
  for (int i = optind; i < argc; ++i) o.command.emplace_back(argv[i]);

  if ((o.monotonic || o.boottime) && !o.types.Contains(NsType::kTime)) {
    return Invalid("options --monotonic and --boottime require unsharing of a time namespace (-T)");
  }
  // Without a new user namespace util-linux writes "deny" to the setgroups
  // file of the namespace it runs in, which fails (the initial one's never
  // changes, and another's not once its gid map is written), where linuxns
  // would silently ignore it. "allow" is the state it finds there: a no-op
  // for both.
  if (setgroups_allow == false && !o.types.Contains(NsType::kUser)) {
    return Invalid("option --setgroups=deny requires unsharing of a user namespace (-U)");
  }
  absl::StatusOr<BuiltMap> uid_map = BuildMap(users, env.euid, o.owner_uid.has_value());
  if (!uid_map.ok()) return uid_map.status();
  absl::StatusOr<BuiltMap> gid_map = BuildMap(groups, env.egid, o.owner_gid.has_value());
  if (!gid_map.ok()) return gid_map.status();
  o.uid_map = std::move(uid_map->map);
  o.gid_map = std::move(gid_map->map);
  if (gid_map->simple && setgroups_allow == true) {
    return Invalid("options --setgroups=allow and --map-group are mutually exclusive");
  }
  o.deny_setgroups = gid_map->simple || setgroups_allow == false;
  o.allow_setgroups = setgroups_allow == true;
  return o;
}

}  // namespace linuxns::tools
