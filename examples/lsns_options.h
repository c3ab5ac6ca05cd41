// The command line of lsns, parsed without side effects (no exit, no
// output), so that it can be tested and fuzzed in-process. Options and
// messages follow util-linux's lsns(8).
#ifndef LINUXNS_EXAMPLES_LSNS_OPTIONS_H_
#define LINUXNS_EXAMPLES_LSNS_OPTIONS_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "linuxns/ns_type.h"

namespace linuxns::tools {

// The output columns, in util-linux's order.
enum class LsnsColumn {
  kNs,
  kType,
  kPath,
  kNprocs,
  kPid,
  kPpid,
  kCommand,
  kUid,
  kUser,
  kNetnsid,
  kNsfs,
  kPns,
  kOns,
};
inline constexpr int kLsnsColumnCount = 13;

struct LsnsColumnInfo {
  const char* name;
  double width_hint;
  bool right;     // SCOLS_FL_RIGHT
  bool truncate;  // SCOLS_FL_TRUNC
  bool wrap;      // SCOLS_FL_WRAP
  bool number;    // a JSON number
  const char* help;
};

// The description of `column`.
const LsnsColumnInfo& LsnsColumnInfoOf(LsnsColumn column);

// Parses a column name, case-insensitively. Nullopt for an unknown name.
std::optional<LsnsColumn> ParseLsnsColumn(absl::string_view name);

enum class LsnsTree { kNone, kProcess, kOwner, kParent };

struct LsnsOptions {
  bool help = false;
  bool version = false;
  bool list_columns = false;          // -H
  bool json = false;                  // -J
  bool list = false;                  // -l
  bool raw = false;                   // -r
  bool no_headings = false;           // -n
  bool no_truncate = false;           // -u
  bool no_wrap = false;               // -W (and -r)
  bool persistent = false;            // -P
  NsTypeSet types;                    // -t, empty: all
  std::optional<pid_t> pid;           // -p
  std::optional<std::uint64_t> ns;    // the <namespace> argument
  std::optional<std::string> filter;  // -Q
  LsnsTree tree = LsnsTree::kNone;    // after defaults
  std::vector<LsnsColumn> columns;    // after defaults and -o
};

// Parses argv (argv[0] is the program name) with getopt_long, as util-linux
// does: "-t net -t pid", "-o +PATH", "--tree[=owner|parent|process]", and
// fills in the default columns and tree. Errors are InvalidArgument with
// util-linux's wording: glibc's option errors ("invalid option -- 'x'"),
// "unknown namespace type: xyz", "unknown column: FOO", "invalid PID
// argument: 'abc'", "unknown tree type: x", "mutually exclusive arguments:
// ...", "--task is mutually exclusive with <namespace>", "invalid namespace
// argument: 'x'". Resets getopt's state before and after.
absl::StatusOr<LsnsOptions> ParseLsnsOptions(int argc, char* const* argv);

// Whether an error of ParseLsnsOptions() is a usage error, after which lsns
// prints "Try 'lsns --help' for more information." (getopt's own errors).
bool IsLsnsUsageError(const absl::Status& status);

// LsnsFilter: a compiled -Q/--filter expression, the subset of libsmartcols'
// filter language that lsns needs: comparisons of a column with a number or a
// quoted string (== != < <= > >= =~ !~, or eq ne lt le gt ge), a bare column
// (true when not empty, and for a number column not 0, as libsmartcols),
// "&&"/"and", "||"/"or", "!"/"not", and parentheses.
// A comparison with a number compares numerically (false when the cell is
// empty or not a number); =~ and !~ take a POSIX extended regex. The
// repetitions in one filter's regexes may add at most 1000 elements when
// written out ({m,n} makes n copies of what it follows, so n - 1 more;
// nested repetitions multiply; a character, a bracket expression, '|' and
// each repetition operator count 1, a group 1 more than it holds): glibc's
// regcomp needs memory that grows with the square of the copies, gigabytes
// for "a{1,32767}".
class LsnsFilter {
 public:
  // Compiles `expr`. InvalidArgument with the position for a syntax error,
  // "unknown column: X" for an unknown column, or "bad regex '...': ..." for
  // a regex regcomp refuses or one above the limit (checked before regcomp).
  static absl::StatusOr<LsnsFilter> Parse(absl::string_view expr);

  // The value of a cell of the row being tested, nullopt when empty.
  using CellFn = std::function<std::optional<std::string>(LsnsColumn)>;

  // Whether a row whose cells `cell` gives passes the filter.
  bool Matches(const CellFn& cell) const;

  struct Node;

 private:
  explicit LsnsFilter(std::shared_ptr<const Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const Node> root_;
};

// The --help text.
extern const char kLsnsUsage[];

}  // namespace linuxns::tools

#endif  // LINUXNS_EXAMPLES_LSNS_OPTIONS_H_
