// End-to-end tests of the tools: run a built tool and capture what it says.
#ifndef LINUXNS_TESTS_TOOLS_TOOL_TEST_UTIL_H_
#define LINUXNS_TESTS_TOOLS_TOOL_TEST_UTIL_H_

#include <string>
#include <vector>

namespace linuxns::testing {

struct ToolResult {
  int code = -1;  // exit code, or 128 + signal
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] a path) with stdin from /dev/null, and waits.
ToolResult RunTool(const std::vector<std::string>& argv);

}  // namespace linuxns::testing

#endif  // LINUXNS_TESTS_TOOLS_TOOL_TEST_UTIL_H_
