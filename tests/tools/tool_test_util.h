// End-to-end tests of the tools: run a built tool and capture what it says.
#ifndef LINUXNS_TESTS_TOOLS_TOOL_TEST_UTIL_H_
#define LINUXNS_TESTS_TOOLS_TOOL_TEST_UTIL_H_

#include <ostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace linuxns::testing {

// A tool under test: its name (what it calls itself in messages) and the
// path of the built binary.
struct Tool {
  const char* name;
  const char* path;
};

// gtest prints a tool by its name.
inline void PrintTo(const Tool& tool, std::ostream* os) { *os << tool.name; }

// For INSTANTIATE_TEST_SUITE_P over tools: the test is named after the tool.
inline std::string ToolTestName(const ::testing::TestParamInfo<Tool>& param) {
  return param.param.name;
}

#if defined(LINUXNS_NSEXEC_PATH) && defined(LINUXNS_UNSHARE_PATH) && \
    defined(LINUXNS_NSENTER_PATH) && defined(LINUXNS_LSNS_PATH)
// In a test that has the paths of all four (tests/tools/CMakeLists.txt).
inline constexpr Tool kAllTools[] = {{"nsexec", LINUXNS_NSEXEC_PATH},
                                     {"unshare", LINUXNS_UNSHARE_PATH},
                                     {"nsenter", LINUXNS_NSENTER_PATH},
                                     {"lsns", LINUXNS_LSNS_PATH}};
#endif

struct ToolResult {
  int code = -1;  // exit code, or 128 + signal
  std::string out;
  std::string err;
};

// nsexec --stats: "nsexec: stats: user U system S maxrss K KiB", one line, as
// a regular expression.
inline constexpr char kNsexecStatsLine[] =
    "nsexec: stats: user [0-9]+\\.[0-9]{3}s system [0-9]+\\.[0-9]{3}s maxrss [0-9]+ KiB\n";

// Runs `argv` (argv[0] a path) with stdin from /dev/null, and waits.
ToolResult RunTool(const std::vector<std::string>& argv);

// Runs `argv` as RunTool does, through /bin/sh: `setup` first (such as
// "ulimit -n 4;"), then argv with `redirect` applied (">/dev/full", ">&-").
ToolResult RunToolInShell(const std::string& setup, const std::vector<std::string>& argv,
                          const std::string& redirect);

// Runs `argv` as RunTool does, from a forked child that dropped to uid and gid
// 65534 first (DropToNobody). `argv[0]` must be reachable for that user.
ToolResult RunToolAsNobody(const std::vector<std::string>& argv);

// Copies the tool at `path` into `dir`, which is made 0755 so that other
// users reach the copy (a build directory may not be), and returns the copy's
// path.
std::string CopyToolForOthers(const std::string& path, const std::string& dir);

}  // namespace linuxns::testing

#endif  // LINUXNS_TESTS_TOOLS_TOOL_TEST_UTIL_H_
