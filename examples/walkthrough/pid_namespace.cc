// Walkthrough 3: the PID namespace, and why its PID 1 must reap.
//
// The first process of a new PID namespace is its PID 1, its init
// (pid_namespaces(7)). Two duties come with that: every orphan of the
// namespace is reparented to it, so it must wait(2) for them or they stay
// zombies; and the kernel delivers to it only the signals it has a handler
// for (SIGKILL from an ancestor namespace aside), so a plain command as PID 1
// ignores SIGTERM. The program runs the same command twice: as PID 1 itself,
// then under linuxns-init (SpawnOptions::init), an init that reaps and
// forwards signals. The command leaves an orphan behind, then sleeps.
//
// Works without privilege: a caller that is not root also gets a new user
// namespace (where it is root), which owns the PID namespace.
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "linuxns/child_process.h"
#include "linuxns/spawn_options.h"

namespace {

// "pid N (COMMAND) state S" for each child of host pid `pid`, from /proc.
std::string ChildrenOf(pid_t pid) {
  std::ifstream children("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) +
                         "/children");
  std::string text;
  for (pid_t child; children >> child;) {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat"),
        status("/proc/" + std::to_string(child) + "/status");
    std::string ignored, comm, state, line, nspid;
    stat >> ignored >> comm >> state;
    while (std::getline(status, line)) {
      if (line.rfind("NSpid:", 0) == 0) nspid = line.substr(line.find_last_of(" \t") + 1);
    }
    text += " pid " + nspid + " " + comm + " state " + state;
  }
  return text.empty() ? " none" : text;
}

int Demo(bool with_init) {
  linuxns::SpawnOptions options;
  // The subshell starts `sleep 0` in the background and exits: orphaned.
  options.argv = {"sh", "-c", "echo \"command: my pid is $$\"; (sleep 0 &); exec sleep 5"};
  options.new_namespaces = {linuxns::NsType::kPid};
  if (::geteuid() != 0) options.MapCurrentUserToRoot();
  options.init = with_init;
  std::cout << (with_init ? "with linuxns-init as PID 1:" : "the command as PID 1:") << std::endl;
  absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
  if (!child.ok()) return std::cerr << child.status() << "\n", 1;
  ::usleep(400'000);  // the orphan has exited by now
  std::cout << "  children of PID 1:" << ChildrenOf(child->pid()) << "\n";
  if (!child->Signal(SIGTERM).ok()) return 1;
  absl::StatusOr<std::optional<linuxns::ExitStatus>> ended =
      child->WaitFor(absl::Milliseconds(200));
  if (!ended.ok()) return std::cerr << ended.status() << "\n", 1;
  std::cout << "  SIGTERM to PID 1: "
            << (*ended ? (*ended)->ToString() : "ignored, still running 200 ms later") << "\n";
  return 0;  // ~ChildProcess kills a PID 1 still running, and the whole namespace with it
}

}  // namespace

int main() { return Demo(false) + Demo(true) == 0 ? 0 : 1; }
