#include "lsns_options.h"

#include <getopt.h>
#include <regex.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cinttypes>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "getopt_util.h"
#include "number_parse.h"

namespace linuxns::tools {
namespace {

constexpr absl::string_view kUsagePayload = "linuxns.tools/usage-error";

constexpr std::array<LsnsColumnInfo, kLsnsColumnCount> kColumns = {{
    {"NS", 10, true, false, false, true, "namespace identifier (inode number)"},
    {"TYPE", 5, false, false, false, false, "kind of namespace"},
    {"PATH", 0, false, false, false, false, "path to the namespace"},
    {"NPROCS", 5, true, false, false, true, "number of processes in the namespace"},
    {"PID", 5, true, false, false, true, "lowest PID in the namespace"},
    {"PPID", 5, true, false, false, true, "PPID of the PID"},
    {"COMMAND", 0, false, true, false, false, "command line of the PID"},
    {"UID", 0, true, false, false, true, "UID of the PID"},
    {"USER", 0, false, false, false, false, "username of the PID"},
    {"NETNSID", 0, true, false, false, false, "namespace ID as used by network subsystem"},
    {"NSFS", 0, false, false, true, false, "nsfs mountpoint (usually used network subsystem)"},
    {"PNS", 10, true, false, false, true, "parent namespace identifier (inode number)"},
    {"ONS", 10, true, false, false, true, "owner namespace identifier (inode number)"},
}};

absl::Status UsageError(absl::Status status) {
  status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

// As util-linux's string_add_to_idarray(): "+LIST" appends to the columns
// so far, a plain LIST replaces them.
absl::Status AddColumns(absl::string_view list, std::vector<LsnsColumn>& columns) {
  if (absl::ConsumePrefix(&list, "+")) {
    // appended below
  } else {
    columns.clear();
  }
  for (absl::string_view name : absl::StrSplit(list, ',')) {
    std::optional<LsnsColumn> column = ParseLsnsColumn(name);
    if (!column) return absl::InvalidArgumentError(absl::StrCat("unknown column: ", name));
    columns.push_back(*column);
  }
  return absl::OkStatus();
}

}  // namespace

const char kLsnsUsage[] =
    "\n"
    "Usage:\n"
    " lsns [options] [<namespace>]\n"
    "\n"
    "List system namespaces.\n"
    "\n"
    "Options:\n"
    " -J, --json             use JSON output format\n"
    " -l, --list             use list format output\n"
    " -n, --noheadings       don't print headings\n"
    " -o, --output <list>    define which output columns to use\n"
    "     --output-all       output all columns\n"
    " -P, --persistent       namespaces without processes\n"
    " -p, --task <pid>       print process namespaces\n"
    " -Q, --filter <expr>    apply display filter\n"
    " -r, --raw              use the raw output format\n"
    " -u, --notruncate       don't truncate text in columns\n"
    " -W, --nowrap           don't use multi-line representation\n"
    " -t, --type <name>      namespace type (mnt, net, ipc, user, pid, uts, "
    "cgroup, time)\n"
    " -T, --tree[=<rel>]     use tree format (parent, owner, or process)\n"
    "\n"
    " -H, --list-columns     list the available columns\n"
    " -h, --help             display this help\n"
    " -V, --version          display version\n"
    "\n"
    "For more details see lsns(8).\n";

const LsnsColumnInfo& LsnsColumnInfoOf(LsnsColumn column) {
  return kColumns[static_cast<size_t>(column)];
}

std::optional<LsnsColumn> ParseLsnsColumn(absl::string_view name) {
  for (int i = 0; i < kLsnsColumnCount; ++i) {
    if (absl::EqualsIgnoreCase(name, kColumns[static_cast<size_t>(i)].name)) {
      return static_cast<LsnsColumn>(i);
    }
  }
  return std::nullopt;
}

bool IsLsnsUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayload).has_value();
}

absl::StatusOr<LsnsOptions> ParseLsnsOptions(int argc, char* const* argv) {
  constexpr int kOutputAll = CHAR_MAX + 1;
  static const option kLongOptions[] = {
      {"json", no_argument, nullptr, 'J'},
      {"task", required_argument, nullptr, 'p'},
      {"help", no_argument, nullptr, 'h'},
      {"output", required_argument, nullptr, 'o'},
      {"output-all", no_argument, nullptr, kOutputAll},
      {"persistent", no_argument, nullptr, 'P'},
      {"filter", required_argument, nullptr, 'Q'},
      {"notruncate", no_argument, nullptr, 'u'},
      {"version", no_argument, nullptr, 'V'},
      {"noheadings", no_argument, nullptr, 'n'},
      {"nowrap", no_argument, nullptr, 'W'},
      {"list", no_argument, nullptr, 'l'},
      {"raw", no_argument, nullptr, 'r'},
      {"type", required_argument, nullptr, 't'},
      {"tree", optional_argument, nullptr, 'T'},
      {"list-columns", no_argument, nullptr, 'H'},
      {nullptr, 0, nullptr, 0},
  };
  GetoptScope scope;
  LsnsOptions options;
  std::optional<std::string> output;
  bool output_all = false;
  // util-linux's exclusive pairs (-J/-r, -P/-p, -l/-T): a second, different
  // option of a pair is an error naming the pair in its own order.
  char seen_jr = 0, seen_pp = 0, seen_lt = 0;
  auto exclusive = [](char& seen, char option, const char* both) -> absl::Status {
    if (seen != 0 && seen != option) {
      return absl::InvalidArgumentError(absl::StrCat("mutually exclusive arguments: ", both));
    }
    seen = option;
    return absl::OkStatus();
  };
  int c;
  while ((c = getopt_long(argc, argv, ":JlPp:o:nruhVt:T::WQ:H", kLongOptions, nullptr)) != -1) {
    absl::Status excl;
    switch (c) {
      case 'J':
      case 'r':
        excl = exclusive(seen_jr, static_cast<char>(c), "--json --raw");
        break;
      case 'P':
      case 'p':
        excl = exclusive(seen_pp, static_cast<char>(c), "--persistent --task");
        break;
      case 'l':
      case 'T':
        excl = exclusive(seen_lt, static_cast<char>(c), "--list --tree");
        break;
      default:
        break;
    }
    if (!excl.ok()) return excl;
    switch (c) {
      case 'J':
        options.json = true;
        break;
      case 'l':
        options.list = true;
        break;
      case 'o':
        output = optarg;
        break;
      case kOutputAll:
        output_all = true;
        break;
      case 'P':
        options.persistent = true;
        break;
      case 'p': {
        // As strtos32_or_err(): any 64-bit number parses, one beyond 32 bits
        // is out of range.
        std::optional<std::int64_t> pid = ParseSigned(optarg);
        if (pid && (*pid < INT32_MIN || *pid > INT32_MAX)) {
          errno = ERANGE;
          pid.reset();
        }
        if (!pid) return InvalidNumber("invalid PID argument", optarg, errno);
        options.pid = static_cast<pid_t>(*pid);
        break;
      }
      case 'n':
        options.no_headings = true;
        break;
      case 'r':
        options.raw = options.no_wrap = true;
        break;
      case 'u':
        options.no_truncate = true;
        break;
      case 't': {
        absl::StatusOr<NsType> type = ParseNsType(optarg);
        if (!type.ok()) {
          return absl::InvalidArgumentError(absl::StrCat("unknown namespace type: ", optarg));
        }
        options.types.Add(*type);
        break;
      }
      case 'W':
        options.no_wrap = true;
        break;
      case 'T': {
        options.tree = LsnsTree::kOwner;
        if (optarg != nullptr) {
          absl::string_view rel = optarg;
          absl::ConsumePrefix(&rel, "=");
          if (rel == "parent") {
            options.tree = LsnsTree::kParent;
          } else if (rel == "process") {
            options.tree = LsnsTree::kProcess;
          } else if (rel != "owner") {
            return absl::InvalidArgumentError(absl::StrCat("unknown tree type: ", rel));
          }
        }
        break;
      }
      case 'Q':
        options.filter = optarg;
        break;
      case 'H':
        options.list_columns = true;
        return options;
      case 'h':
        options.help = true;
        return options;
      case 'V':
        options.version = true;
        return options;
      default:
        return UsageError(GetoptError(argv, c, kLongOptions));
    }
  }
  if (output_all) {
    for (int i = 0; i < kLsnsColumnCount; ++i) {
      options.columns.push_back(static_cast<LsnsColumn>(i));
    }
  }
  if (optind < argc) {
    if (options.pid) {
      return absl::InvalidArgumentError("--task is mutually exclusive with <namespace>");
    }
    std::optional<std::uint64_t> ns = ParseUnsigned(argv[optind]);
    if (!ns) return InvalidNumber("invalid namespace argument", argv[optind], errno);
    options.ns = *ns;
    if (options.tree == LsnsTree::kNone && !options.list) options.tree = LsnsTree::kProcess;
    if (options.columns.empty()) {
      options.columns = {LsnsColumn::kPid, LsnsColumn::kPpid, LsnsColumn::kUser,
                         LsnsColumn::kCommand};
    }
  }
  if (options.columns.empty()) {
    options.columns = {LsnsColumn::kNs, LsnsColumn::kType, LsnsColumn::kNprocs, LsnsColumn::kPid,
                       LsnsColumn::kUser};
    if (options.types.Contains(NsType::kNet)) {
      options.columns.push_back(LsnsColumn::kNetnsid);
      options.columns.push_back(LsnsColumn::kNsfs);
    }
    options.columns.push_back(LsnsColumn::kCommand);
    if (options.tree == LsnsTree::kNone && !options.list) options.tree = LsnsTree::kProcess;
  }
  if (output) {
    absl::Status added = AddColumns(*output, options.columns);
    if (!added.ok()) return added;
  }
  if (options.types.empty()) options.types = NsTypeSet::All();
  return options;
}

}  // namespace linuxns::tools

// ---- the -Q filter -------------------------------------------------------

namespace linuxns::tools {

namespace {

struct Regex {
  Regex() = default;
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;
  ~Regex() {
    if (compiled) ::regfree(&re);
  }
  regex_t re{};
  bool compiled = false;
};

enum class Op { kColumn, kNot, kAnd, kOr, kEq, kNe, kLt, kLe, kGt, kGe, kMatch, kNoMatch };

}  // namespace

struct LsnsFilter::Node {
  Op op = Op::kColumn;
  LsnsColumn column = LsnsColumn::kNs;
  std::string text;              // the literal
  std::optional<double> number;  // the literal, when it is a number
  std::shared_ptr<Regex> regex;  // for =~ and !~
  std::shared_ptr<const Node> left, right;
};

namespace {

using Node = LsnsFilter::Node;

struct Token {
  enum Kind { kEnd, kIdent, kNumber, kString, kOp, kLParen, kRParen } kind = kEnd;
  std::string text;
  size_t pos = 0;
};

absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  auto is_ident = [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  };
  while (i < s.size()) {
    const char c = s[i];
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.pos = i;
    if (c == '(' || c == ')') {
      t.kind = c == '(' ? Token::kLParen : Token::kRParen;
      t.text = std::string(1, c);
      ++i;
    } else if (c == '"' || c == '\'') {
      const size_t end = s.find(c, i + 1);
      if (end == absl::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat("unterminated string at ", i + 1));
      }
      t.kind = Token::kString;
      t.text = std::string(s.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      size_t end = i;
      while (end < s.size() &&
             (absl::ascii_isdigit(static_cast<unsigned char>(s[end])) || s[end] == '.')) {
        ++end;
      }
      t.kind = Token::kNumber;
      t.text = std::string(s.substr(i, end - i));
      i = end;
    } else if (absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t end = i;
      while (end < s.size() && is_ident(s[end])) ++end;
      t.kind = Token::kIdent;
      t.text = std::string(s.substr(i, end - i));
      i = end;
    } else {
      static constexpr const char* kOps[] = {"==", "!=", "<=", ">=", "=~", "!~",
                                             "&&", "||", "<",  ">",  "!"};
      bool found = false;
      for (const char* op : kOps) {
        if (absl::StartsWith(s.substr(i), op)) {
          t.kind = Token::kOp;
          t.text = op;
          i += std::strlen(op);
          found = true;
          break;
        }
      }
      if (!found) {
        return absl::InvalidArgumentError(
            absl::StrCat("unexpected character '", std::string(1, c), "' at ", i + 1));
      }
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.pos = s.size();
  out.push_back(end);
  return out;
}

// Word forms of the operators, as libsmartcols accepts them.
std::string Canonical(const Token& t) {
  if (t.kind != Token::kIdent) return t.kind == Token::kOp ? t.text : "";
  const std::string w = absl::AsciiStrToLower(t.text);
  static const std::pair<const char*, const char*> kWords[] = {
      {"and", "&&"}, {"or", "||"}, {"not", "!"}, {"eq", "=="}, {"ne", "!="},
      {"lt", "<"},   {"le", "<="}, {"gt", ">"},  {"ge", ">="}};
  for (const auto& [word, op] : kWords) {
    if (w == word) return op;
  }
  return "";
}

// Bounds on a -Q expression, far beyond any written by hand, that keep the
// recursion of parsing and evaluating it within a small stack.
constexpr int kMaxFilterDepth = 256;
constexpr std::size_t kMaxFilterTokens = 4096;

// glibc's regcomp writes repetitions out, and its memory grows with the
// square of the copies: "a{1,1000}" takes 10 MB, "a{1,4000}" 128 MB,
// "a{1,32767}" (RE_DUP_MAX) gigabytes, and nesting multiplies the copies
// ("((a{0,2}){0,2})..." twelve deep: 300 MB). The repetitions of one
// filter's regular expressions may therefore add at most this many elements
// (measured worst case within it: about 25 MB); documented in lsns(1). Plain
// characters do not count: they cost memory in proportion to their number.
constexpr std::uint64_t kMaxRegexCopies = 1000;

// Counts saturate here, far above any pattern's own length.
constexpr std::uint64_t kSaturated = std::uint64_t{1} << 40;

std::uint64_t SaturatingMul(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > kSaturated / a) return kSaturated;
  return std::min(a * b, kSaturated);
}

std::uint64_t SaturatingAdd(std::uint64_t a, std::uint64_t b) {
  return std::min(a + b, kSaturated);
}

// The length of the interval "{m}", "{m,}", "{m,n}" or glibc's "{,n}" at the
// start of `s` and how many copies of its atom regcomp makes for it (n, m
// for {m}, m + 1 for {m,}), saturated; nullopt when `s` does not start with
// an interval (then regcomp takes the brace literally or refuses it).
std::optional<std::pair<size_t, std::uint64_t>> Interval(absl::string_view s) {
  size_t i = 1;
  auto number = [&](std::uint64_t& value) {
    const size_t start = i;
    value = 0;
    while (i < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) {
      value = SaturatingAdd(SaturatingMul(value, 10), static_cast<std::uint64_t>(s[i] - '0'));
      ++i;
    }
    return i > start;
  };
  std::uint64_t m = 0, n = 0;
  const bool has_m = number(m);
  std::uint64_t copies = m;
  if (i < s.size() && s[i] == ',') {
    ++i;
    copies = number(n) ? n : SaturatingAdd(m, 1);
  } else if (!has_m) {
    return std::nullopt;
  }
  if (i >= s.size() || s[i] != '}') return std::nullopt;
  return std::make_pair(i + 1, copies);
}

// The number of elements of ERE `re`, roughly the nodes of regcomp's tree,
// with its repetitions written out as regcomp does when `expand`, else each
// element once: a character, an escape, '.', an anchor, a bracket
// expression, each '|' and each repetition operator count 1, a group 1 and
// what it holds, and a repetition multiplies the element before it ({m,n}
// by n, '+' by 2, '*' and '?' by 1). Saturated at kSaturated.
std::uint64_t RegexElements(absl::string_view re, bool expand) {
  struct Level {
    std::uint64_t total = 0;  // the elements of this group so far
    std::uint64_t last = 0;   // those of its last element, which a repetition repeats
  };
  std::vector<Level> levels(1);
  auto add = [&](std::uint64_t n) {
    levels.back().last = n;
    levels.back().total = SaturatingAdd(levels.back().total, n);
  };
  // A repetition operator: its own node around `copies` of the last element.
  auto repeat = [&](std::uint64_t copies) {
    Level& l = levels.back();
    const std::uint64_t repeated =
        SaturatingAdd(expand ? SaturatingMul(l.last, copies) : l.last, 1);
    l.total = SaturatingAdd(l.total - std::min(l.total, l.last), repeated);
    l.last = repeated;
  };
  size_t i = 0;
  while (i < re.size()) {
    const char c = re[i];
    if (c == '\\') {
      i += 2;
      add(1);
    } else if (c == '[') {
      // To the closing ']': one may come first ("[]a]", "[^]a]"), and
      // "[:alpha:]", "[.a.]", "[=a=]" hold brackets of their own.
      size_t j = i + 1;
      if (j < re.size() && re[j] == '^') ++j;
      if (j < re.size() && re[j] == ']') ++j;
      while (j < re.size() && re[j] != ']') {
        if (re[j] == '[' && j + 1 < re.size() &&
            (re[j + 1] == ':' || re[j + 1] == '.' || re[j + 1] == '=')) {
          const size_t close = re.find(std::string{re[j + 1], ']'}, j + 2);
          j = close == absl::string_view::npos ? re.size() : close + 2;
        } else {
          ++j;
        }
      }
      i = j + 1;
      add(1);
    } else if (c == '(') {
      levels.emplace_back();
      ++i;
    } else if (c == ')' && levels.size() > 1) {
      const std::uint64_t inner = levels.back().total;
      levels.pop_back();
      add(SaturatingAdd(inner, 1));
      ++i;
    } else if (c == '|') {
      levels.back().last = 0;
      levels.back().total = SaturatingAdd(levels.back().total, 1);
      ++i;
    } else if (c == '{' && Interval(re.substr(i))) {
      const auto [length, copies] = *Interval(re.substr(i));
      repeat(copies);
      i += length;
    } else if (c == '*' || c == '?') {
      repeat(1);
      ++i;
    } else if (c == '+') {
      repeat(2);
      ++i;
    } else {
      add(1);
      ++i;
    }
  }
  std::uint64_t total = 0;
  for (const Level& l : levels) total = SaturatingAdd(total, l.total);
  return total;
}

// The elements that the repetitions of ERE `re` add when regcomp writes
// them out ("a{1,5}b": 4).
std::uint64_t RegexCopies(absl::string_view re) {
  return RegexElements(re, true) - std::min(RegexElements(re, true), RegexElements(re, false));
}

class FilterParser {
 public:
  explicit FilterParser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  absl::StatusOr<std::shared_ptr<const Node>> ParseAll() {
    absl::StatusOr<std::shared_ptr<const Node>> node = ParseOr();
    if (!node.ok()) return node;
    if (Peek().kind != Token::kEnd) return Unexpected();
    return node;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  absl::Status Unexpected() const {
    const Token& t = Peek();
    if (t.kind == Token::kEnd) return absl::InvalidArgumentError("unexpected end of expression");
    return absl::InvalidArgumentError(
        absl::StrCat("syntax error at ", t.pos + 1, " near '", t.text, "'"));
  }

  static std::shared_ptr<const Node> Binary(Op op, std::shared_ptr<const Node> l,
                                            std::shared_ptr<const Node> r) {
    auto n = std::make_shared<Node>();
    n->op = op;
    n->left = std::move(l);
    n->right = std::move(r);
    return n;
  }

  absl::StatusOr<std::shared_ptr<const Node>> ParseOr() {
    absl::StatusOr<std::shared_ptr<const Node>> left = ParseAnd();
    while (left.ok() && Canonical(Peek()) == "||") {
      Next();
      absl::StatusOr<std::shared_ptr<const Node>> right = ParseAnd();
      if (!right.ok()) return right;
      left = Binary(Op::kOr, *std::move(left), *std::move(right));
    }
    return left;
  }

  absl::StatusOr<std::shared_ptr<const Node>> ParseAnd() {
    absl::StatusOr<std::shared_ptr<const Node>> left = ParseUnary();
    while (left.ok() && Canonical(Peek()) == "&&") {
      Next();
      absl::StatusOr<std::shared_ptr<const Node>> right = ParseUnary();
      if (!right.ok()) return right;
      left = Binary(Op::kAnd, *std::move(left), *std::move(right));
    }
    return left;
  }

  absl::StatusOr<std::shared_ptr<const Node>> ParseUnary() {
    const bool nests = Canonical(Peek()) == "!" || Peek().kind == Token::kLParen;
    if (nests && ++depth_ > kMaxFilterDepth) {
      return absl::InvalidArgumentError(absl::StrCat("filter nested too deeply at ", Peek().pos + 1,
                                                     ": more than ", kMaxFilterDepth,
                                                     " levels of '(' and '!'"));
    }
    absl::StatusOr<std::shared_ptr<const Node>> inner;
    if (Canonical(Peek()) == "!") {
      Next();
      inner = ParseUnary();
      if (inner.ok()) inner = Binary(Op::kNot, *std::move(inner), nullptr);
    } else if (Peek().kind == Token::kLParen) {
      Next();
      inner = ParseOr();
      if (inner.ok() && Peek().kind != Token::kRParen) return Unexpected();
      if (inner.ok()) Next();
    } else {
      return ParseComparison();
    }
    --depth_;
    return inner;
  }

  absl::StatusOr<std::shared_ptr<const Node>> ParseComparison() {
    if (Peek().kind != Token::kIdent || !Canonical(Peek()).empty()) return Unexpected();
    const Token& name = Next();
    std::optional<LsnsColumn> column = ParseLsnsColumn(name.text);
    if (!column) return absl::InvalidArgumentError(absl::StrCat("unknown column: ", name.text));
    auto node = std::make_shared<Node>();
    node->column = *column;
    static const std::pair<const char*, Op> kOps[] = {
        {"==", Op::kEq}, {"!=", Op::kNe}, {"<", Op::kLt},     {"<=", Op::kLe},
        {">", Op::kGt},  {">=", Op::kGe}, {"=~", Op::kMatch}, {"!~", Op::kNoMatch}};
    const std::string op = Canonical(Peek());
    bool is_comparison = false;
    for (const auto& [text, value] : kOps) {
      if (op == text) {
        node->op = value;
        is_comparison = true;
      }
    }
    if (!is_comparison) return std::shared_ptr<const Node>(node);  // a bare column
    Next();
    if (Peek().kind != Token::kNumber && Peek().kind != Token::kString) return Unexpected();
    const Token& value = Next();
    if (value.kind == Token::kNumber) {
      double d;
      if (!absl::SimpleAtod(value.text, &d)) {
        return absl::InvalidArgumentError(absl::StrCat("bad number '", value.text, "'"));
      }
      node->number = d;
    }
    node->text = value.text;
    if (node->op == Op::kMatch || node->op == Op::kNoMatch) {
      regex_copies_ = SaturatingAdd(regex_copies_, RegexCopies(node->text));
      if (regex_copies_ > kMaxRegexCopies) {
        return absl::InvalidArgumentError(absl::StrCat(
            "bad regex '", node->text, "': the repetitions in a filter's regular expressions may",
            " add at most ", kMaxRegexCopies,
            " elements ({m,n} makes n copies of what it follows, nested repetitions multiply)"));
      }
      auto regex = std::make_shared<Regex>();
      const int rc = ::regcomp(&regex->re, node->text.c_str(), REG_EXTENDED | REG_NOSUB);
      if (rc != 0) {
        char buf[256];
        ::regerror(rc, &regex->re, buf, sizeof(buf));
        return absl::InvalidArgumentError(absl::StrCat("bad regex '", node->text, "': ", buf));
      }
      regex->compiled = true;
      node->regex = std::move(regex);
    }
    return std::shared_ptr<const Node>(node);
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;                   // how many "(" and "!" enclose the current token
  std::uint64_t regex_copies_ = 0;  // RegexCopies() of the regexes so far
};

bool Evaluate(const Node& n, const LsnsFilter::CellFn& cell) {
  switch (n.op) {
    case Op::kNot:
      return !Evaluate(*n.left, cell);
    case Op::kAnd:
      return Evaluate(*n.left, cell) && Evaluate(*n.right, cell);
    case Op::kOr:
      return Evaluate(*n.left, cell) || Evaluate(*n.right, cell);
    default:
      break;
  }
  std::optional<std::string> value = cell(n.column);
  if (n.op == Op::kColumn) {
    // As libsmartcols: a string column is true when not empty (NETNSID "0"
    // is an id), a number column when not 0.
    if (!value.has_value() || value->empty()) return false;
    if (!LsnsColumnInfoOf(n.column).number) return true;
    double d;
    return !absl::SimpleAtod(*value, &d) || d != 0;
  }
  if (n.op == Op::kMatch || n.op == Op::kNoMatch) {
    const bool matched =
        value.has_value() && ::regexec(&n.regex->re, value->c_str(), 0, nullptr, 0) == 0;
    return n.op == Op::kMatch ? matched : !matched;
  }
  int cmp;
  if (n.number) {
    double d;
    if (!value || !absl::SimpleAtod(*value, &d)) return n.op == Op::kNe;
    cmp = d < *n.number ? -1 : (d > *n.number ? 1 : 0);
  } else {
    cmp = value.value_or("").compare(n.text);
  }
  switch (n.op) {
    case Op::kEq:
      return cmp == 0;
    case Op::kNe:
      return cmp != 0;
    case Op::kLt:
      return cmp < 0;
    case Op::kLe:
      return cmp <= 0;
    case Op::kGt:
      return cmp > 0;
    case Op::kGe:
      return cmp >= 0;
    default:
      return false;
  }
}

}  // namespace

absl::StatusOr<LsnsFilter> LsnsFilter::Parse(absl::string_view expr) {
  absl::StatusOr<std::vector<Token>> tokens = Tokenize(expr);
  if (!tokens.ok()) return tokens.status();
  // The parser, the evaluator and the tree's destructor recurse along the
  // tree: its size bounds their stack (the end token is not counted).
  if (tokens->size() > kMaxFilterTokens + 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("filter too long: more than ", kMaxFilterTokens, " tokens"));
  }
  FilterParser parser(*std::move(tokens));
  absl::StatusOr<std::shared_ptr<const Node>> root = parser.ParseAll();
  if (!root.ok()) return root.status();
  return LsnsFilter(*std::move(root));
}

bool LsnsFilter::Matches(const CellFn& cell) const { return Evaluate(*root_, cell); }

}  // namespace linuxns::tools
