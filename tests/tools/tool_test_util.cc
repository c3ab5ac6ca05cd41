#include "tools/tool_test_util.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "linuxns/child_process.h"
#include "linuxns/unique_fd.h"
#include "support/test_util.h"

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

ToolResult RunToolInShell(const std::string& setup, const std::vector<std::string>& argv,
                          const std::string& redirect) {
  std::vector<std::string> shell = {"/bin/sh", "-c", setup + " exec \"$@\" " + redirect, "sh"};
  shell.insert(shell.end(), argv.begin(), argv.end());
  return RunTool(shell);
}

ToolResult RunToolAsNobody(const std::vector<std::string>& argv) {
  // The child's result travels as "code\nsize of out\nout" + err.
  ForkedReport report = RunForkedAndReport([&] {
    if (!DropToNobody()) return std::string("-1\n0\n");
    ToolResult r = RunTool(argv);
    return absl::StrCat(r.code, "\n", r.out.size(), "\n", r.out, r.err);
  });
  ToolResult result;
  const std::size_t first = report.text.find('\n');
  const std::size_t second = report.text.find('\n', first + 1);
  std::size_t out_size = 0;
  if (report.code != 0 || second == std::string::npos ||
      !absl::SimpleAtoi(report.text.substr(0, first), &result.code) ||
      !absl::SimpleAtoi(report.text.substr(first + 1, second - first - 1), &out_size)) {
    result.code = -1;
    result.err = report.text;
    return result;
  }
  result.out = report.text.substr(second + 1, out_size);
  result.err = report.text.substr(second + 1 + out_size);
  return result;
}

std::string CopyToolForOthers(const std::string& path, const std::string& dir) {
  ::chmod(dir.c_str(), 0755);
  const std::string copy = dir + "/" + std::filesystem::path(path).filename().string();
  std::filesystem::copy_file(path, copy, std::filesystem::copy_options::overwrite_existing);
  ::chmod(copy.c_str(), 0755);
  return copy;
}

}  // namespace linuxns::testing
