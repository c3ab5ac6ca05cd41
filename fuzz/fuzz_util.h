// Shared by the libFuzzer targets of fuzz/: a property check that aborts
// with a message, and an argv made from the fuzzer's bytes.
#ifndef LINUXNS_FUZZ_FUZZ_UTIL_H_
#define LINUXNS_FUZZ_FUZZ_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"

// Aborts (a libFuzzer crash, with the input saved) when a property fails.
#define LINUXNS_FUZZ_CHECK(cond, what)                                                    \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: property failed: %s: %s\n", __FILE__, __LINE__, #cond, \
                   std::string(what).c_str());                                            \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

namespace linuxns::fuzz {

// An argv built from the input: argv[0] is `program`, then the input split at
// NUL bytes (the way /proc/PID/cmdline spells a command line), at most
// kMaxArgs arguments. The strings stay put while a parser holds pointers to
// them; Pointers() gives a fresh, writable char* array for each parse,
// because GNU getopt_long permutes the array it is given.
class Argv {
 public:
  static constexpr std::size_t kMaxArgs = 64;

  Argv(absl::string_view program, const std::uint8_t* data, std::size_t size) {
    args_.emplace_back(program);
    absl::string_view rest(reinterpret_cast<const char*>(data), size);
    while (!rest.empty() && args_.size() <= kMaxArgs) {
      const std::size_t nul = rest.find('\0');
      args_.emplace_back(rest.substr(0, nul));
      rest.remove_prefix(nul == absl::string_view::npos ? rest.size() : nul + 1);
    }
  }

  int argc() const { return static_cast<int>(args_.size()); }
  const std::vector<std::string>& args() const { return args_; }

  // A NULL-terminated char* array over the strings, in the original order.
  std::vector<char*> Pointers() {
    std::vector<char*> out;
    for (std::string& a : args_) out.push_back(a.data());
    out.push_back(nullptr);
    return out;
  }

  // The arguments joined for a failure message.
  std::string Describe() const {
    std::string out;
    for (const std::string& a : args_) out += "'" + absl::CHexEscape(a) + "' ";
    return out;
  }

 private:
  std::vector<std::string> args_;
};

// Whether `command` is exactly the last command.size() arguments of `argv`
// (the parsers stop at the command, so it is always a suffix).
inline bool IsSuffix(const std::vector<std::string>& command,
                     const std::vector<std::string>& argv) {
  if (command.size() >= argv.size()) return false;
  const std::size_t offset = argv.size() - command.size();
  for (std::size_t i = 0; i < command.size(); ++i) {
    if (command[i] != argv[offset + i]) return false;
  }
  return true;
}

// glibc's regcomp() takes time and memory exponential in stacked repetition
// operators ("a+++++++..." duplicates the pattern tree for each: a 173-byte
// filter exhausted 2 GiB) and linear in a bound's count ("a{1,32767}" alone:
// 8 GiB and 17 s in the dev build's lsns). That is glibc's (util-linux's
// libsmartcols passes -Q regexes to the same regcomp; see docs/sanitizers.md),
// so inputs with bounds or more than a few repetition characters are left
// out: the filter language has no use for them outside regexes.
inline bool TooManyRepetitions(absl::string_view text) {
  int count = 0;
  for (char c : text) {
    if (c == '{') return true;
    count += c == '+' || c == '*' || c == '?';
  }
  return count > 8;
}

// Runs a tool's option parser on `argv` twice (getopt keeps state between
// calls, and lsns permutes its argv) and checks what every parser promises:
// the same result both times (compared by `fingerprint`), and a failure that
// is InvalidArgument, or one of `also`, with a message. Returns the parsed
// options, or nullopt after a failure.
template <typename Options, typename Parse, typename Fingerprint>
std::optional<Options> ParseTwice(Argv& argv, Parse parse, Fingerprint fingerprint,
                                  std::initializer_list<absl::StatusCode> also = {}) {
  std::vector<char*> first = argv.Pointers();
  absl::StatusOr<Options> o = parse(argv.argc(), first.data());
  std::vector<char*> second = argv.Pointers();
  const absl::StatusOr<Options> again = parse(argv.argc(), second.data());
  const std::string shown = argv.Describe();
  LINUXNS_FUZZ_CHECK(fingerprint(o) == fingerprint(again), shown);
  if (o.ok()) return *std::move(o);
  const absl::StatusCode code = o.status().code();
  LINUXNS_FUZZ_CHECK(
      code == absl::StatusCode::kInvalidArgument || absl::c_linear_search(also, code),
      shown + o.status().ToString());
  LINUXNS_FUZZ_CHECK(!o.status().message().empty(), shown);
  return std::nullopt;
}

}  // namespace linuxns::fuzz

#endif  // LINUXNS_FUZZ_FUZZ_UTIL_H_
