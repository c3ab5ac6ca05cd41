#include "tools/tool_test_util.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "linuxns/child_process.h"
#include "linuxns/unique_fd.h"

namespace linuxns::testing {

ToolResult RunTool(const std::vector<std::string>& argv) {
  ToolResult result;
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return result;
  UniqueFd out_read(out[0]), out_write(out[1]), err_read(err[0]), err_write(err[1]);
  UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  SpawnOptions options;
  options.argv = argv;
  options.fds = {{null.get(), 0}, {out_write.get(), 1}, {err_write.get(), 2}};
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(options);
  out_write.reset();
  err_write.reset();
  if (!child.ok()) {
    result.err = std::string(child.status().message());
    return result;
  }
  pollfd fds[2] = {{out_read.get(), POLLIN, 0}, {err_read.get(), POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_count = 2;
  while (open_count > 0 && ::poll(fds, 2, -1) > 0) {
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else {
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  absl::StatusOr<ExitStatus> status = child->Wait();
  if (status.ok()) result.code = status->ShellCode();
  return result;
}

}  // namespace linuxns::testing
