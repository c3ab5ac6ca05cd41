// SyscallFilter::Parse() and ToText(): the text form of a filter
// (linuxns/syscall_filter.h).
#include <string.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "linuxns/syscall_filter.h"

namespace linuxns {
namespace {

// The comparison operators of a condition, longest first so that "<=" is
// not read as "<".
constexpr std::pair<absl::string_view, ArgOp> kOps[] = {
    {"==", ArgOp::kEq}, {"!=", ArgOp::kNe}, {"<=", ArgOp::kLe},
    {">=", ArgOp::kGe}, {"<", ArgOp::kLt},  {">", ArgOp::kGt},
};

absl::string_view OpText(ArgOp op) {
  for (const auto& [text, o] : kOps) {
    if (o == op) return text;
  }
  return "==";  // kMaskedEq: "&MASK==VALUE"
}

// A number of the text form: decimal, 0x hex or 0 octal, all of 64 bits.
std::optional<std::uint64_t> ParseNumber(absl::string_view text) {
  if (text.empty()) return std::nullopt;
  int base = 10;
  if (absl::ConsumePrefix(&text, "0x") || absl::ConsumePrefix(&text, "0X")) {
    base = 16;
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (base == 16 && absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
      digit = absl::ascii_tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    } else {
      return std::nullopt;
    }
    if (digit >= base) return std::nullopt;
    if (value > (UINT64_MAX - static_cast<std::uint64_t>(digit)) / static_cast<std::uint64_t>(base))
      return std::nullopt;  // overflow
    value = value * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(digit);
  }
  return value;
}

// An errno by name (EPERM) or decimal number (1..SyscallAction::kMaxErrno).
std::optional<int> ParseErrno(absl::string_view text) {
  // Digits only: absl::SimpleAtoi() would also take "+5", and "010" would be
  // ten here but eight in a condition, where a leading 0 means octal.
  if (!text.empty() && absl::ascii_isdigit(static_cast<unsigned char>(text[0]))) {
    int number = 0;
    if (text[0] == '0' ||
        !std::all_of(text.begin(), text.end(),
                     [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }) ||
        !absl::SimpleAtoi(text, &number) || number < 1 || number > SyscallAction::kMaxErrno) {
      return std::nullopt;
    }
    return number;
  }
  for (int e = 1; e <= SyscallAction::kMaxErrno; ++e) {
    const char* name = ::strerrorname_np(e);
    if (name != nullptr && text == name) return e;
  }
  return std::nullopt;
}

// argN OP V, or argN&M==V.
std::optional<ArgCondition> ParseCondition(absl::string_view text) {
  if (!absl::ConsumePrefix(&text, "arg") || text.empty() || text[0] < '0' || text[0] > '5') {
    return std::nullopt;
  }
  ArgCondition c;
  c.index = static_cast<unsigned>(text[0] - '0');
  text.remove_prefix(1);
  if (absl::ConsumePrefix(&text, "&")) {
    const std::size_t eq = text.find("==");
    if (eq == absl::string_view::npos) return std::nullopt;
    std::optional<std::uint64_t> mask = ParseNumber(text.substr(0, eq));
    std::optional<std::uint64_t> value = ParseNumber(text.substr(eq + 2));
    if (!mask || !value) return std::nullopt;
    c.op = ArgOp::kMaskedEq;
    c.mask = *mask;
    c.value = *value;
    return c;
  }
  for (const auto& [op_text, op] : kOps) {
    if (absl::ConsumePrefix(&text, op_text)) {
      std::optional<std::uint64_t> value = ParseNumber(text);
      if (!value) return std::nullopt;
      c.op = op;
      c.value = *value;
      return c;
    }
  }
  return std::nullopt;
}

// An action at words[*at] (and its errno after it); advances *at.
std::optional<SyscallAction> ParseAction(const std::vector<absl::string_view>& words,
                                         std::size_t* at, std::string* error) {
  const absl::string_view word = words[*at];
  ++*at;
  if (word == "allow") return SyscallAction::Allow();
  if (word == "log") return SyscallAction::Log();
  if (word == "trap") return SyscallAction::Trap();
  if (word == "kill") return SyscallAction::KillProcess();
  if (word == "errno") {
    if (*at >= words.size()) {
      *error = "\"errno\" needs an errno after it (a name such as EPERM, or 1..4094)";
      return std::nullopt;
    }
    std::optional<int> err = ParseErrno(words[*at]);
    if (!err) {
      *error =
          absl::StrCat("unknown errno \"", words[*at], "\" (a name such as EPERM, or 1..4094)");
      return std::nullopt;
    }
    ++*at;
    return SyscallAction::Errno(*err);
  }
  *error = absl::StrCat("unknown action \"", word, "\" (allow, log, trap, kill, errno E)");
  return std::nullopt;
}

}  // namespace

absl::StatusOr<SyscallFilter> SyscallFilter::Parse(absl::string_view text) {
  SyscallFilter filter;
  bool have_default = false;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    const std::size_t hash = line.find('#');
    if (hash != absl::string_view::npos) line = line.substr(0, hash);
    std::vector<absl::string_view> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (words.empty()) continue;
    auto error = [&](absl::string_view what) {
      return absl::InvalidArgumentError(
          absl::StrCat("syscall filter: line ", line_number, ": ", what));
    };
    std::string why;
    std::size_t at = 0;
    if (words[0] == "default") {
      if (have_default) return error("a second \"default\"");
      if (words.size() < 2) return error("\"default\" needs an action");
      at = 1;
      std::optional<SyscallAction> action = ParseAction(words, &at, &why);
      if (!action) return error(why);
      if (at != words.size()) {
        return error(absl::StrCat("unexpected \"", words[at], "\" after the default action"));
      }
      filter.default_action = *action;
      have_default = true;
      continue;
    }
    std::optional<SyscallAction> action = ParseAction(words, &at, &why);
    if (!action) return error(why);
    if (at >= words.size()) return error("a rule needs a system call after its action");
    SyscallRule rule;
    rule.action = *action;
    rule.syscall = std::string(words[at++]);
    for (; at < words.size(); ++at) {
      std::optional<ArgCondition> c = ParseCondition(words[at]);
      if (!c) {
        return error(absl::StrCat("malformed condition \"", words[at],
                                  "\" (argN==V, !=, <, <=, >, >=, or argN&M==V; N 0..5)"));
      }
      rule.conditions.push_back(*c);
    }
    filter.rules.push_back(std::move(rule));
  }
  return filter;
}

std::string SyscallFilter::ToText() const {
  std::string text = absl::StrCat("default ", default_action.ToString(), "\n");
  for (const SyscallRule& rule : rules) {
    absl::StrAppend(&text, rule.action.ToString(), " ", rule.syscall);
    for (const ArgCondition& c : rule.conditions) {
      if (c.op == ArgOp::kMaskedEq) {
        absl::StrAppend(&text, " arg", c.index, "&0x", absl::Hex(c.mask), "==0x",
                        absl::Hex(c.value));
      } else {
        absl::StrAppend(&text, " arg", c.index, OpText(c.op), "0x", absl::Hex(c.value));
      }
    }
    absl::StrAppend(&text, "\n");
  }
  return text;
}

}  // namespace linuxns
