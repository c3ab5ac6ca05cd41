// tool_timer: times two whole commands alternately (A B A B ...) and prints
// the median wall time of each and their ratio, then the median CPU time
// (user + system, of the command and every descendant it waited for). The
// kernel scales both to the precise run time of the tasks, so the CPU figure
// holds up on a loaded machine where wall time mostly measures the queue.
//
//   tool_timer RUNS A-ARGV... --- B-ARGV...
//
// Each run is posix_spawn (vfork-like, so the launcher costs both sides the
// same) + waitpid. A run that exits non-zero is an error (exit status 1). Used
// by bench/compare_tools.sh; hyperfine is not needed. (No peak RSS here: a
// child's ru_maxrss starts at its launcher's, since exec records the old mm's
// high-water mark; compare_tools.sh asks /usr/bin/time instead.)
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

extern char** environ;

namespace {

struct Side {
  std::vector<char*> argv;
  std::vector<double> us;
  std::vector<double> cpu_us;
};

double NowUs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) * 1e-3;
}

bool RunOnce(Side& side) {
  const double start = NowUs();
  pid_t pid = 0;
  if (::posix_spawn(&pid, side.argv[0], nullptr, nullptr, side.argv.data(), environ) != 0) {
    return false;
  }
  int status = 0;
  struct rusage usage {};
  if (::wait4(pid, &status, 0, &usage) != pid) return false;
  side.us.push_back(NowUs() - start);
  side.cpu_us.push_back(static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 +
                        static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec));
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: tool_timer RUNS A-ARGV... --- B-ARGV...\n");
    return 2;
  }
  const int runs = std::atoi(argv[1]);
  Side a;
  Side b;
  Side* cur = &a;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "---") == 0) {
      cur = &b;
      continue;
    }
    cur->argv.push_back(argv[i]);
  }
  if (runs < 1 || a.argv.empty() || b.argv.empty()) {
    std::fprintf(stderr, "tool_timer: need RUNS >= 1 and two commands\n");
    return 2;
  }
  a.argv.push_back(nullptr);
  b.argv.push_back(nullptr);
  // One warm-up run each (page cache, dentries), not counted.
  if (!RunOnce(a) || !RunOnce(b)) {
    std::fprintf(stderr, "tool_timer: a command failed on its warm-up run\n");
    return 1;
  }
  a.us.clear();
  b.us.clear();
  a.cpu_us.clear();
  b.cpu_us.clear();
  for (int i = 0; i < runs; ++i) {
    if (!RunOnce(a) || !RunOnce(b)) {
      std::fprintf(stderr, "tool_timer: a command failed on run %d\n", i);
      return 1;
    }
  }
  const double ma = Median(a.us);
  const double mb = Median(b.us);
  const double ca = Median(a.cpu_us);
  const double cb = Median(b.cpu_us);
  std::printf(
      "runs=%d  A median %6.0f us  |  B median %6.0f us  |  A/B %.2fx  |  cpu %5.0f vs %5.0f us  "
      "%.2fx\n",
      runs, ma, mb, ma / mb, ca, cb, ca / cb);
  return 0;
}
