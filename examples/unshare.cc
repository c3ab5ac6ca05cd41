// unshare: run a program with some namespaces unshared from the parent, as
// util-linux's unshare(1) (2.42) does. See `unshare --help` and unshare(1).
//
// Without --fork this process itself is changed and then execs the program
// (same pid): linuxns::ExecInPlace. With --fork the program runs in a child
// (linuxns::ChildProcess) and this process passes on how it ended: its exit
// code, or the signal that killed it, re-raised here (SIGKILL included).
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "linuxns/child_process.h"
#include "linuxns/exec_in_place.h"
#include "linuxns/status.h"
#include "tool_common.h"
#include "unshare_options.h"

extern char** environ;

namespace linuxns::tools {
namespace {

constexpr char kTool[] = "unshare";

// The environment for --clear-env (empty) or --whitelist-env (the listed
// variables that are set); std::nullopt inherits it.
std::optional<std::vector<std::string>> Environment(const UnshareOptions& o) {
  if (!o.clear_env && !o.whitelist_env) return std::nullopt;
  std::vector<std::string> env;
  if (!o.whitelist_env) return env;
  for (const std::string& name : *o.whitelist_env) {
    if (const char* value = ::getenv(name.c_str())) env.push_back(absl::StrCat(name, "=", value));
  }
  return env;
}

absl::StatusOr<SpawnOptions> ToSpawnOptions(const UnshareOptions& o) {
  SpawnOptions s;
  s.env = Environment(o);
  s.argv = o.command.empty() ? std::vector<std::string>{DefaultShell(s.env)} : o.command;
  s.new_namespaces = o.types;
  s.pins = o.pins;
  if (o.monotonic || o.boottime) {
    s.time_offsets = TimeOffsets{o.monotonic.value_or(absl::ZeroDuration()),
                                 o.boottime.value_or(absl::ZeroDuration())};
  }
  // util-linux's -U maps nothing unless a map option says so.
  s.user_mapping = UserNsMapping::kNone;
  s.uid_map = o.uid_map;
  s.gid_map = o.gid_map;
  s.deny_setgroups = o.deny_setgroups;
  s.propagation = o.propagation;
  s.root = o.root;
  s.root_change = RootChange::kChroot;  // as util-linux: no mount namespace needed
  // util-linux chroots and then changes to -w, or to "/" of the new root.
  s.cwd = o.root ? std::optional<std::string>(o.wd.value_or("/")) : o.wd;
  if (o.mount_proc) {
    s.mount_proc = true;
    s.mount_proc_at = *o.mount_proc;
  }
  if (o.setgid) {
    s.groups = std::vector<gid_t>{};  // util-linux drops supplementary groups with -G
    s.gid = *o.setgid;
  }
  s.uid = o.setuid;
  // As util-linux: the capabilities of the new user namespace are made
  // ambient, so that a program run as a uid other than 0 there (unmapped,
  // say) keeps them.
  s.keep_capabilities = o.keep_caps && o.types.Contains(NsType::kUser);
  if (o.fork && o.kill_child_signal) {
    s.kill_on_parent_death = true;
    s.parent_death_signal = *o.kill_child_signal;
  }
  // PID 1 of a new pid namespace ignores SIGTERM without a handler, so the
  // forwarded signal goes to linuxns' init, which passes it on.
  s.init = o.fork && o.forward_signals && o.types.Contains(NsType::kPid);
  s.inherit_fds = true;
  s.shell_fallback = true;  // execvp(3), as util-linux
  return s;
}

// --owner: this process takes the owner's credentials, so the new user
// namespace is created (and owned) by them, as in util-linux.
absl::Status BecomeOwner(const UnshareOptions& o) {
  if (!o.owner_uid && !o.owner_gid) return absl::OkStatus();
  if (o.owner_gid) {
    if (::setgroups(0, nullptr) != 0) return ErrnoError(errno, "setgroups failed");
    if (::setgid(*o.owner_gid) != 0) return ErrnoError(errno, "setgid() failed");
  }
  if (o.owner_uid && ::setuid(*o.owner_uid) != 0) return ErrnoError(errno, "setuid() failed");
  // The change of ids made this process (and the children it clones) not
  // dumpable: their /proc files then belong to root, and the owner could not
  // write the id maps of the namespace it creates, nor newuidmap(1) for it.
  // The program it execs is the owner's all the same (exec makes it dumpable
  // again), so nothing is exposed that would not be a moment later.
  if (::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) {
    return ErrnoError(errno, "prctl(PR_SET_DUMPABLE) failed");
  }
  return absl::OkStatus();
}

// Kills this process with `sig` as the child was killed; returns 128 + sig
// only if that did not end it.
int ReRaise(int sig) {
  std::fflush(stdout);
  std::fflush(stderr);
  if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
  sigset_t set;
  ::sigemptyset(&set);
  ::sigaddset(&set, sig);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::kill(::getpid(), sig);
  return 128 + sig;
}

// With --fork: SIGINT and SIGTERM are blocked here (the terminal sends them
// to the child too), or read from a signalfd and forwarded with
// --forward-signals; then the child's end is passed on. The signalfd is made
// before the spawn: should that fail, the program is never started.
int RunForked(const SpawnOptions& spawn, bool forward) {
  sigset_t set;
  ::sigemptyset(&set);
  ::sigaddset(&set, SIGINT);
  ::sigaddset(&set, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  std::optional<SignalForwarder> forwarder;
  if (forward) {
    absl::StatusOr<SignalForwarder> made = SignalForwarder::Create({SIGINT, SIGTERM});
    if (!made.ok()) return ReportFailure(kTool, made.status());
    forwarder.emplace(*std::move(made));
  }
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(spawn);
  if (!child.ok()) return ReportFailure(kTool, child.status());
  absl::StatusOr<ExitStatus> status = forwarder ? forwarder->Wait(*child) : child->Wait();
  if (!status.ok()) return ReportFailure(kTool, status.status());
  if (status->exited()) return status->code();
  return ReRaise(status->signal());
}

int Main(int argc, char** argv) {
  CloseStdoutAtExit(kTool);
  if (RefuseSetId(kTool)) return kExitFailure;
  absl::StatusOr<UnshareOptions> parsed = ParseUnshareOptions(argc, argv);
  if (!parsed.ok()) {
    return IsUnshareUsageError(parsed.status()) ? ReportUsageError(kTool, parsed.status())
                                                : ReportFailure(kTool, parsed.status());
  }
  if (parsed->help) return std::fputs(kUnshareUsage, stdout), 0;
  if (parsed->version) return std::puts("unshare from linuxns " LINUXNS_VERSION), 0;

  absl::StatusOr<SpawnOptions> spawn = ToSpawnOptions(*parsed);
  if (!spawn.ok()) return ReportFailure(kTool, spawn.status());
  if (absl::Status owner = BecomeOwner(*parsed); !owner.ok()) return ReportFailure(kTool, owner);
  if (parsed->fork) return RunForked(*spawn, parsed->forward_signals);
  std::fflush(stdout);
  return ReportFailure(kTool, ExecInPlace(*spawn));
}

}  // namespace
}  // namespace linuxns::tools

int main(int argc, char** argv) { return linuxns::tools::Main(argc, argv); }
