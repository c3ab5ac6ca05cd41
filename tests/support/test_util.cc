#include "support/test_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace linuxns::testing {
namespace {

std::map<int, std::string> OpenFds() {
  std::map<int, std::string> fds;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  while (dirent* e = ::readdir(dir)) {
    int fd = 0;
    if (!absl::SimpleAtoi(e->d_name, &fd) || fd == ::dirfd(dir)) continue;
    char target[512] = {};
    const std::string link = absl::StrCat("/proc/self/fd/", fd);
    ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    fds[fd] = n > 0 ? std::string(target, static_cast<std::size_t>(n)) : "?";
  }
  ::closedir(dir);
  return fds;
}

std::set<pid_t> Children() {
  std::set<pid_t> children;
  const pid_t self = ::getpid();
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    pid_t pid = 0;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &pid)) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    std::size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::vector<std::string> fields = absl::StrSplit(stat.substr(close + 2), ' ');
    pid_t ppid = 0;
    if (fields.size() > 1 && absl::SimpleAtoi(fields[1], &ppid) && ppid == self) {
      children.insert(pid);
    }
  }
  return children;
}

std::vector<std::string> MountsUnder(const std::string& dir) {
  std::vector<std::string> mounts;
  if (dir.empty()) return mounts;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields = absl::StrSplit(line, ' ');
    if (fields.size() > 4 && absl::StartsWith(fields[4], dir)) mounts.push_back(fields[4]);
  }
  return mounts;
}

// The library keeps one sealed memfd with linuxns-init open for the life of
// the process once it has spawned an init (lib/internal/init_image.h); that
// one is not a leak. A second one would be.
std::string Describe(const std::map<int, std::string>& fds) {
  bool init_image_seen = false;
  std::string out;
  for (const auto& [fd, target] : fds) {
    if (!init_image_seen && absl::StartsWith(target, "/memfd:linuxns-init")) {
      init_image_seen = true;
      continue;
    }
    absl::StrAppend(&out, out.empty() ? "" : ", ", fd, "->", target);
  }
  return out;
}

}  // namespace

ProcessResources TakeSnapshot(const std::string& scratch) {
  return ProcessResources{OpenFds(), Children(), MountsUnder(scratch)};
}

void LeakCheckedTest::SetUp() {
  char tmpl[] = "/tmp/linuxns-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr) << std::strerror(errno);
  scratch_ = tmpl;
  before_ = TakeSnapshot(scratch_);
}

void LeakCheckedTest::TearDown() {
  ProcessResources after = TakeSnapshot(scratch_);
  // A child may still be on its way out (a killed holder is reaped before
  // the call returns, but give stragglers from the test body a moment).
  for (int i = 0; i < 50 && after.children != before_.children; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    after = TakeSnapshot(scratch_);
  }
  EXPECT_EQ(Describe(after.fds), Describe(before_.fds)) << "descriptors leaked or closed";
  EXPECT_EQ(absl::StrJoin(after.children, ","), absl::StrJoin(before_.children, ","))
      << "child processes left behind";
  EXPECT_TRUE(after.mounts.empty())
      << "mounts left under " << scratch_ << ": " << absl::StrJoin(after.mounts, ", ");
  for (auto it = after.mounts.rbegin(); it != after.mounts.rend(); ++it) {
    ::umount2(it->c_str(), MNT_DETACH);
  }
  std::error_code ec;
  std::filesystem::remove_all(scratch_, ec);
}

int RunInForkedChild(absl::FunctionRef<int()> fn) {
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int code = fn();
    std::fflush(nullptr);
    ::_exit(code);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

ForkedReport RunForkedAndReport(absl::FunctionRef<std::string()> fn) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {-1, std::strerror(errno)};
  const int code = RunInForkedChild([&] {
    ::close(fds[0]);
    const std::string out = fn();
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0) return 3;
      done += static_cast<std::size_t>(n);
    }
    return 0;
  });
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  return {code, out};
}

bool DropToNobody() {
  constexpr uid_t kNobody = 65534;
  if (::geteuid() != 0) return true;  // already unprivileged (the CI pass as 65534)
  if (::setgroups(0, nullptr) != 0 || ::setresgid(kNobody, kNobody, kNobody) != 0 ||
      ::setresuid(kNobody, kNobody, kNobody) != 0 ||
      // Changing uids clears the dumpable flag; a user's own process has it.
      ::prctl(PR_SET_DUMPABLE, 1) != 0) {
    std::fprintf(stderr, "dropping privileges: %s\n", std::strerror(errno));
    return false;
  }
  return true;
}

bool IsRoot() { return ::geteuid() == 0; }

ExtraThread::ExtraThread()
    : thread_([this] {
        while (!stop_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }) {}

ExtraThread::~ExtraThread() {
  stop_.store(true);
  thread_.join();
}

std::optional<std::string> Cgroup2Mount() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, mount_point, field;
    fields >> id >> parent >> dev >> root >> mount_point;
    while (fields >> field && field != "-") {
    }
    std::string fstype;
    fields >> fstype;
    if (fstype == "cgroup2") return mount_point;
  }
  return std::nullopt;
}

}  // namespace linuxns::testing
