// The man pages and --help name the same options: every long option of `TOOL
// --help` is documented in the OPTIONS section of docs/man/TOOL.1, and every
// long option documented there is in --help.
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tools/tool_test_util.h"

namespace linuxns::testing {
namespace {

// The long options ("--name") named in `text`.
std::set<std::string> LongOptions(const std::string& text) {
  static const std::regex kOption("--[a-z][a-z0-9-]*[a-z0-9]");
  std::set<std::string> found;
  for (std::sregex_iterator it(text.begin(), text.end(), kOption), end; it != end; ++it) {
    found.insert(it->str());
  }
  return found;
}

// The OPTIONS section of a man page, with roff's "\-" as a plain "-".
std::string OptionsSection(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream section;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(".SH", 0) == 0) inside = line.find("OPTIONS") != std::string::npos;
    if (!inside) continue;
    for (std::size_t at; (at = line.find("\\-")) != std::string::npos;) line.erase(at, 1);
    section << line << "\n";
  }
  return section.str();
}

std::set<std::string> Missing(const std::set<std::string>& wanted,
                              const std::set<std::string>& in) {
  std::set<std::string> missing;
  for (const std::string& option : wanted) {
    if (!in.contains(option)) missing.insert(option);
  }
  return missing;
}

class ManPageTest : public ::testing::TestWithParam<Tool> {
 protected:
  void SetUp() override {
    ToolResult help = RunTool({GetParam().path, "--help"});
    ASSERT_EQ(help.code, 0) << help.err;
    in_help_ = LongOptions(help.out);
    const std::string page = std::string(LINUXNS_SOURCE_DIR "/docs/man/") + GetParam().name + ".1";
    const std::string section = OptionsSection(page);
    ASSERT_NE(section, "") << page << " has no OPTIONS section";
    in_page_ = LongOptions(section);
  }
  std::set<std::string> in_help_, in_page_;
};

TEST_P(ManPageTest, DocumentsEveryOptionOfHelp) {
  EXPECT_EQ(Missing(in_help_, in_page_), std::set<std::string>{})
      << "in --help but not in the OPTIONS of " << GetParam().name << ".1";
}

TEST_P(ManPageTest, DocumentsNoOptionHelpLacks) {
  EXPECT_EQ(Missing(in_page_, in_help_), std::set<std::string>{})
      << "in the OPTIONS of " << GetParam().name << ".1 but not in --help";
}

INSTANTIATE_TEST_SUITE_P(AllTools, ManPageTest, ::testing::ValuesIn(kAllTools), ToolTestName);

}  // namespace
}  // namespace linuxns::testing
