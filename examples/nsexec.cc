// nsexec: run a command in new namespaces, a minimal container of sorts.
// See `nsexec --help` and nsexec(1).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "linuxns/child_process.h"
#include "linuxns/exit_status.h"
#include "linuxns/namespace.h"
#include "linuxns/net.h"
#include "linuxns/seccomp_program.h"
#include "linuxns/status.h"
#include "linuxns/syscall_filter.h"
#include "linuxns/unique_fd.h"
#include "nsexec_options.h"
#include "tool_common.h"

using linuxns::NsType;

namespace {

namespace tools = linuxns::tools;

// The network namespace of --veth, made before the command so that the
// command starts with its network already up, and the host's end of the pair.
struct VethNetwork {
  linuxns::Namespace ns;
  std::string host_link;
};

// Deletes the host's end of the pair (and so the peer) unless released.
class HostLinkCleanup {
 public:
  explicit HostLinkCleanup(std::string link) : link_(std::move(link)) {}
  HostLinkCleanup(const HostLinkCleanup&) = delete;
  HostLinkCleanup& operator=(const HostLinkCleanup&) = delete;
  ~HostLinkCleanup() {
    if (link_.empty()) return;
    absl::StatusOr<linuxns::NetNs> host = linuxns::NetNs::OpenCurrent();
    absl::Status deleted = host.ok() ? host->DeleteLink(link_) : host.status();
    // Gone already is fine: the pair dies with its namespace too.
    if (!deleted.ok() && !absl::IsNotFound(deleted)) {
      std::fprintf(stderr, "nsexec: %s\n", std::string(deleted.message()).c_str());
    }
  }
  void Release() { link_.clear(); }

 private:
  std::string link_;
};

// Whether the subnets of `a` and `b` share an address.
bool Overlaps(const linuxns::IpPrefix& a, const linuxns::IpPrefix& b) {
  if (a.address.family() != b.address.family()) return false;
  const int bits = std::min(a.length, b.length);
  for (int i = 0; i < bits; ++i) {
    const int mask = 0x80 >> (i % 8);
    if ((a.address.bytes()[i / 8] & mask) != (b.address.bytes()[i / 8] & mask)) return false;
  }
  return true;
}

// Refuses a host address whose subnet overlaps one of this network namespace:
// it would take addresses (a gateway's, say) and routes away from the link
// that has them.
absl::Status CheckHostSubnetIsFree(linuxns::NetNs& host, const linuxns::IpPrefix& wanted) {
  LINUXNS_ASSIGN_OR_RETURN(std::vector<linuxns::AddressInfo> addresses, host.ListAddresses());
  for (const linuxns::AddressInfo& existing : addresses) {
    if (existing.link == "lo" || !Overlaps(existing.prefix, wanted)) continue;
    return absl::FailedPreconditionError(absl::StrCat(
        wanted.ToString(), " overlaps ", existing.prefix.ToString(), " of ", existing.link, " in ",
        host.id().ToString(), "; choose a subnet this host does not use"));
  }
  return absl::OkStatus();
}

// A new network namespace joined to this one by a veth pair: "nsexec<PID>"
// here with `veth.host`, "eth0" inside with `veth.peer`, both up (IPv6
// without duplicate address detection, so usable at once).
absl::StatusOr<VethNetwork> ConnectNewNetwork(const tools::VethAddresses& veth, bool verbose) {
  LINUXNS_ASSIGN_OR_RETURN(linuxns::NetNs host, linuxns::NetNs::OpenCurrent());
  LINUXNS_RETURN_IF_ERROR(CheckHostSubnetIsFree(host, veth.host));
  LINUXNS_ASSIGN_OR_RETURN(linuxns::Namespace ns, linuxns::Namespace::Create({NsType::kNet}));
  const linuxns::NsFd& net = *ns.Find(NsType::kNet);
  LINUXNS_ASSIGN_OR_RETURN(linuxns::NetNs inside, linuxns::NetNs::Open(net));
  const std::string link = absl::StrCat("nsexec", ::getpid());
  LINUXNS_RETURN_IF_ERROR(
      host.CreateVethPair({.name = link, .peer_name = "eth0", .peer_namespace = &net}));
  HostLinkCleanup cleanup(link);
  const linuxns::AddressOptions no_dad{.no_dad = true};
  LINUXNS_RETURN_IF_ERROR(host.AddAddress(link, veth.host, no_dad));
  LINUXNS_RETURN_IF_ERROR(host.SetLinkUp(link));
  LINUXNS_RETURN_IF_ERROR(inside.AddAddress("eth0", veth.peer, no_dad));
  LINUXNS_RETURN_IF_ERROR(inside.SetLinkUp("eth0"));
  if (verbose) {
    std::cerr << "nsexec: veth " << link << " " << veth.host << " <-> eth0 " << veth.peer << " in "
              << net.id() << "\n";
  }
  cleanup.Release();
  return VethNetwork{std::move(ns), link};
}

// --stats: one line on stderr, "nsexec: stats: user 0.200s system 0.010s
// maxrss 65536 KiB" (ResourceUsage::ToString()), for the command and the
// descendants it (or the init) waited for.
void PrintStats(const linuxns::ExitStatus& status) {
  if (status.usage().has_value()) {
    std::fprintf(stderr, "nsexec: stats: %s\n", status.usage()->ToString().c_str());
  } else {
    // Only when a reaper other than nsexec took the command.
    std::fprintf(stderr, "nsexec: stats: not available (the command was reaped elsewhere)\n");
  }
}

// The most a --seccomp file may hold: far more than any filter (a rule is a
// line), and a bound for a file without end such as /dev/zero, which would
// otherwise be read until memory ran out.
constexpr std::size_t kMaxFilterFileBytes = 1 << 20;

// The whole of the file at `path` (a pipe too, such as <(...)), at most
// kMaxFilterFileBytes.
absl::StatusOr<std::string> ReadFilterFile(const std::string& path) {
  linuxns::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return linuxns::ErrnoError(errno, "open");
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return linuxns::ErrnoError(errno, "read");
    if (n == 0) return text;
    if (text.size() + static_cast<std::size_t>(n) > kMaxFilterFileBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("larger than ", kMaxFilterFileBytes, " bytes, too large for a filter file"));
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

// What --seccomp made: the compiled program (none for unconfined), what it
// is for -v, and whether it kills with SIGSYS (a kill or trap action).
struct Seccomp {
  std::optional<linuxns::SeccompProgram> program;
  std::string description;
  bool sends_sigsys = false;
};

// The system-call filter of --seccomp, compiled once per run (the child only
// installs it): the rules of the file, or the built-in deny list, which also
// denies the mount API when the command shares nsexec's mount namespace, and
// sethostname and setdomainname when it shares its UTS namespace.
// Errors name the file: "FILE: syscall filter: line 3: unknown action ...".
absl::StatusOr<Seccomp> SeccompFor(const tools::NsexecOptions& options,
                                   linuxns::NsTypeSet new_namespaces) {
  if (options.seccomp_unconfined) return Seccomp{std::nullopt, "unconfined", false};
  linuxns::SyscallFilter filter;
  Seccomp made;
  if (options.seccomp_file.has_value()) {
    const std::string& path = *options.seccomp_file;
    absl::StatusOr<std::string> text = ReadFilterFile(path);
    if (!text.ok()) return linuxns::WithContext(text.status(), path);
    absl::StatusOr<linuxns::SyscallFilter> parsed = linuxns::SyscallFilter::Parse(*text);
    if (!parsed.ok()) return linuxns::WithContext(parsed.status(), path);
    filter = *std::move(parsed);
    made.description = path;
  } else {
    filter = linuxns::ContainerDenyList(new_namespaces);
    // What the list adds for the namespaces the command shares.
    std::vector<std::string> shared;
    if (!new_namespaces.Contains(NsType::kMnt)) shared.push_back("the mount API");
    if (!new_namespaces.Contains(NsType::kUts)) shared.push_back("sethostname and setdomainname");
    made.description = shared.empty() ? "the built-in deny list"
                                      : absl::StrCat("the built-in deny list with ",
                                                     absl::StrJoin(shared, " and "));
  }
  auto sigsys = [](const linuxns::SyscallAction& action) {
    return action.kind() == linuxns::SyscallAction::Kind::kKillProcess ||
           action.kind() == linuxns::SyscallAction::Kind::kTrap;
  };
  made.sends_sigsys = sigsys(filter.default_action);
  for (const linuxns::SyscallRule& rule : filter.rules) made.sends_sigsys |= sigsys(rule.action);
  absl::StatusOr<linuxns::SeccompProgram> program = filter.Compile();
  if (!program.ok()) return linuxns::WithContext(program.status(), made.description);
  made.program = *std::move(program);
  absl::StrAppend(&made.description, ", ", made.program->size(), " BPF instructions");
  return made;
}

}  // namespace

int main(int argc, char** argv) {
  tools::CloseStdoutAtExit("nsexec");
  if (tools::RefuseSetId("nsexec")) return tools::kExitFailure;
  absl::StatusOr<tools::NsexecOptions> parsed = tools::ParseNsexecOptions(argc, argv);
  if (!parsed.ok()) return tools::ReportUsageError("nsexec", parsed.status());
  if (parsed->help) return std::fputs(tools::kNsexecUsage, stdout), 0;
  if (parsed->version) return std::puts("nsexec from linuxns " LINUXNS_VERSION), 0;

  linuxns::SpawnOptions spawn;
  spawn.argv = parsed->command;
  // The library's preset: a fresh /proc with -p, a fresh /sys and lo up
  // with -n, root inside with -U.
  spawn.AddNamespacesLookingNew(parsed->types);
  spawn.hostname = parsed->hostname;
  spawn.minimal_dev = parsed->dev;
  spawn.init = parsed->init;
  // A container does not outlive nsexec, however nsexec ends (SIGKILL too):
  // with -p its whole pid namespace goes with the command.
  spawn.kill_on_parent_death = !parsed->no_kill_child;
  // Commands run as execvp(3) runs them: a script without "#!" by /bin/sh.
  spawn.shell_fallback = true;
  // -v prints the namespaces the command was placed in, recorded by the
  // child before its exec: a command that exits at once cannot race it.
  spawn.record_namespaces = parsed->verbose;
  if (parsed->verbose) {
    std::cerr << "nsexec: new namespaces: " << spawn.new_namespaces << "\n";
  }
  // The filter before --veth makes anything, so that a bad file leaves no
  // trace. --veth changes only where the network namespace comes from, not
  // whether the command gets a new mount namespace.
  absl::StatusOr<Seccomp> seccomp = SeccompFor(*parsed, spawn.EffectiveNewNamespaces());
  if (!seccomp.ok()) return tools::ReportFailure("nsexec", seccomp.status());
  spawn.seccomp = seccomp->program;
  if (parsed->verbose) std::cerr << "nsexec: seccomp: " << seccomp->description << "\n";
  std::optional<VethNetwork> network;
  std::optional<HostLinkCleanup> cleanup;
  if (parsed->veth) {
    absl::StatusOr<VethNetwork> made = ConnectNewNetwork(*parsed->veth, parsed->verbose);
    if (!made.ok())
      return tools::ReportFailure("nsexec", linuxns::WithContext(made.status(), "--veth"));
    network.emplace(*std::move(made));
    cleanup.emplace(network->host_link);
    // The child joins the network namespace made for it instead of a new one.
    spawn.new_namespaces.Remove(NsType::kNet);
    spawn.join.push_back(network->ns.Find(NsType::kNet));
  }
  // Before the command starts: should it fail, the command never runs.
  absl::StatusOr<tools::SignalForwarder> forwarder =
      tools::SignalForwarder::Create({SIGTERM, SIGHUP, SIGUSR1, SIGUSR2});
  if (!forwarder.ok()) return tools::ReportFailure("nsexec", forwarder.status());
  absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(spawn);
  if (!child.ok()) return tools::ReportFailure("nsexec", child.status());
  if (parsed->verbose) {
    std::cerr << "nsexec: started pid " << child->pid() << "\n";
    tools::PrintNamespaces("nsexec", *child, parsed->types);
  }
  // The terminal sends SIGINT and SIGQUIT to the command itself.
  for (int sig : {SIGINT, SIGQUIT}) ::signal(sig, SIG_IGN);
  absl::StatusOr<linuxns::ExitStatus> status = forwarder->Wait(*child);
  if (!status.ok()) return tools::ReportFailure("nsexec", status.status());
  // A death by SIGSYS under a filter that kills with it is the filter's
  // doing, most likely: say so (other deaths by signal are the command's
  // business, and only the exit status, 128+N, tells of them). Under --init
  // the init exits with 159 (128+SIGSYS) instead, and nothing is said.
  if (seccomp->sends_sigsys && status->signaled() && status->signal() == SIGSYS) {
    std::fprintf(stderr, "nsexec: %s: %s\n", spawn.argv[0].c_str(), status->ToString().c_str());
  }
  if (parsed->stats) PrintStats(*status);
  return status->ShellCode();
}
