// nsexec: run a command in new namespaces, a minimal container of sorts.
// See `nsexec --help` and nsexec(1).
#include <signal.h>

#include <cstdio>
#include <iostream>

#include "linuxns/child_process.h"
#include "nsexec_options.h"
#include "tool_common.h"

using linuxns::NsType;

int main(int argc, char** argv) {
  namespace tools = linuxns::tools;
  if (tools::RefuseSetId("nsexec")) return tools::kExitFailure;
  absl::StatusOr<tools::NsexecOptions> parsed = tools::ParseNsexecOptions(argc, argv);
  if (!parsed.ok()) return tools::ReportUsageError("nsexec", parsed.status());
  if (parsed->help) return std::fputs(tools::kNsexecUsage, stdout), 0;
  if (parsed->version) return std::puts("nsexec from linuxns " LINUXNS_VERSION), 0;

  linuxns::SpawnOptions spawn;
  spawn.argv = parsed->command;
  spawn.new_namespaces = parsed->types;
  if (parsed->types.Contains(NsType::kUser)) spawn.MapCurrentUserToRoot();
  spawn.hostname = parsed->hostname;
  spawn.mount_proc = parsed->types.Contains(NsType::kPid);
  spawn.mount_sys = parsed->types.Contains(NsType::kNet);
  spawn.loopback_up = parsed->types.Contains(NsType::kNet);
  spawn.init = parsed->init;
  if (parsed->verbose) {
    std::cerr << "nsexec: new namespaces: " << spawn.new_namespaces << "\n";
  }
  absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(spawn);
  if (!child.ok()) return tools::ReportFailure("nsexec", child.status());
  if (parsed->verbose) {
    std::cerr << "nsexec: started pid " << child->pid() << "\n";
    tools::PrintNamespaces("nsexec", *child, spawn.new_namespaces);
  }
  // The terminal sends SIGINT and SIGQUIT to the command itself.
  return tools::WaitForwardingSignals("nsexec", *child, {SIGTERM, SIGHUP, SIGUSR1, SIGUSR2},
                                      {SIGINT, SIGQUIT});
}
