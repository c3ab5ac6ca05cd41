// lsns: list namespaces, option-compatible with util-linux's lsns(8).
//
// The namespaces come from linuxns::ListNamespaces(); this file only chooses
// rows and prints them with libsmartcols (table, tree, raw, JSON), as
// util-linux does.
#include <libsmartcols/libsmartcols.h>
#include <pwd.h>
#include <unistd.h>

#include <clocale>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "linuxns/ns_list.h"
#include "lsns_options.h"
#include "tool_common.h"

namespace linuxns::tools {
namespace {

constexpr char kTool[] = "lsns";

std::string UserName(uid_t uid) {
  static std::map<uid_t, std::string> cache;
  auto it = cache.find(uid);
  if (it != cache.end()) return it->second;
  const passwd* pw = ::getpwuid(uid);
  std::string name = pw != nullptr ? pw->pw_name : absl::StrCat(uid);
  cache.emplace(uid, name);
  return name;
}

class Printer {
 public:
  Printer(const LsnsOptions& options, const NsListing& listing)
      : options_(options), listing_(listing) {}
  ~Printer() {
    if (table_ != nullptr) scols_unref_table(table_);
  }
  Printer(const Printer&) = delete;
  Printer& operator=(const Printer&) = delete;

  bool Init() {
    table_ = scols_new_table();
    if (table_ == nullptr) return false;
    scols_table_enable_raw(table_, options_.raw);
    scols_table_enable_json(table_, options_.json);
    scols_table_enable_noheadings(table_, options_.no_headings);
    if (options_.json) scols_table_set_name(table_, "namespaces");
    for (LsnsColumn id : options_.columns) {
      const LsnsColumnInfo& info = LsnsColumnInfoOf(id);
      int flags = 0;
      if (info.right) flags |= SCOLS_FL_RIGHT;
      if (info.truncate && !options_.no_truncate) flags |= SCOLS_FL_TRUNC;
      if (info.wrap && !options_.no_wrap) flags |= SCOLS_FL_WRAP;
      if (options_.tree == LsnsTree::kProcess && id == LsnsColumn::kCommand) {
        flags |= SCOLS_FL_TREE;
      }
      if ((options_.tree == LsnsTree::kOwner || options_.tree == LsnsTree::kParent) &&
          id == LsnsColumn::kNs) {
        flags |= SCOLS_FL_TREE;
        flags &= ~SCOLS_FL_RIGHT;
      }
      libscols_column* column = scols_table_new_column(table_, info.name, info.width_hint, flags);
      if (column == nullptr) return false;
      if (options_.json && info.number) scols_column_set_json_type(column, SCOLS_JSON_NUMBER);
      if (!options_.no_wrap && id == LsnsColumn::kNsfs) {
        scols_column_set_wrapfunc(column, scols_wrapnl_chunksize, scols_wrapnl_nextchunk, nullptr);
        scols_column_set_safechars(column, "\n");
      }
    }
    return true;
  }

  // The namespaces, each under its process's parent, owner or parent
  // namespace as the tree mode says.
  void ShowNamespaces(const LsnsFilter* filter) {
    filter_ = filter;
    for (const NsInfo& ns : listing_.namespaces) {
      if (options_.pid && !HasPid(ns, *options_.pid)) continue;
      if (options_.persistent && !ns.pids.empty()) continue;
      if (ns_outline_.count(ns.id.inode) == 0) ShowNamespace(ns);
    }
  }

  // The processes of one namespace (the <namespace> argument).
  void ShowProcesses(const NsInfo& ns, const LsnsFilter* filter) {
    filter_ = filter;
    for (pid_t pid : ns.pids) {
      if (proc_outline_.count(pid) == 0) ShowProcess(ns, pid);
    }
  }

  void Print() { scols_print_table(table_); }

 private:
  static bool HasPid(const NsInfo& ns, pid_t pid) {
    for (pid_t p : ns.pids) {
      if (p == pid) return true;
    }
    return false;
  }

  const NsInfo* Related(const std::optional<NsId>& id) const {
    if (!id) return nullptr;
    return listing_.Find(*id);
  }

  void ShowNamespace(const NsInfo& ns) {
    if (options_.tree == LsnsTree::kOwner) {
      const NsInfo* owner = Related(ns.owner);
      if (owner != nullptr && ns_outline_.count(owner->id.inode) == 0) ShowNamespace(*owner);
    } else if (options_.tree == LsnsTree::kParent) {
      const NsInfo* parent = Related(ns.parent);
      const NsInfo* owner = Related(ns.owner);
      if (parent != nullptr) {
        if (ns_outline_.count(parent->id.inode) == 0) ShowNamespace(*parent);
      } else if (owner != nullptr && ns_outline_.count(owner->id.inode) == 0) {
        ShowNamespace(*owner);
      }
    }
    const NsProcessInfo* proc = ns.pids.empty() ? nullptr : listing_.FindProcess(ns.pids.front());
    AddLine(ns, proc);
  }

  void ShowProcess(const NsInfo& ns, pid_t pid) {
    const NsProcessInfo* proc = listing_.FindProcess(pid);
    if (proc == nullptr) return;
    // The parent comes first, when it is in the same namespace.
    if (options_.tree == LsnsTree::kProcess && proc_outline_.count(proc->ppid) == 0 &&
        listing_.FindProcess(proc->ppid) != nullptr && HasPid(ns, proc->ppid)) {
      ShowProcess(ns, proc->ppid);
    }
    AddLine(ns, proc);
  }

  libscols_line* ParentLine(const NsInfo& ns, const NsProcessInfo* proc) {
    auto find = [](const std::map<std::uint64_t, libscols_line*>& m,
                   std::uint64_t key) -> libscols_line* {
      auto it = m.find(key);
      return it == m.end() ? nullptr : it->second;
    };
    switch (options_.tree) {
      case LsnsTree::kProcess:
        if (proc == nullptr || listing_.FindProcess(proc->ppid) == nullptr) return nullptr;
        return find(proc_outline_, static_cast<std::uint64_t>(proc->ppid));
      case LsnsTree::kParent:
        if (Related(ns.parent) != nullptr) return find(ns_outline_, ns.parent->inode);
        return nullptr;
      case LsnsTree::kOwner:
        if (Related(ns.owner) != nullptr) return find(ns_outline_, ns.owner->inode);
        return nullptr;
      case LsnsTree::kNone:
        return nullptr;
    }
    return nullptr;
  }

  std::string Cell(const NsInfo& ns, const NsProcessInfo* proc, LsnsColumn column,
                   bool* empty) const {
    *empty = false;
    const uid_t uid = proc != nullptr ? proc->uid : ns.owner_uid.value_or(0);
    switch (column) {
      case LsnsColumn::kNs:
        return absl::StrCat(ns.id.inode);
      case LsnsColumn::kType:
        return std::string(NsTypeName(ns.id.type));
      case LsnsColumn::kPath:
        if (proc == nullptr) break;
        return absl::StrCat("/proc/", proc->pid, "/ns/", NsTypeName(ns.id.type));
      case LsnsColumn::kNprocs:
        return absl::StrCat(ns.pids.size());
      case LsnsColumn::kPid:
        if (proc == nullptr) break;
        return absl::StrCat(proc->pid);
      case LsnsColumn::kPpid:
        if (proc == nullptr) break;
        return absl::StrCat(proc->ppid);
      case LsnsColumn::kCommand:
        if (proc == nullptr) break;
        return proc->command;
      case LsnsColumn::kUid:
        return absl::StrCat(uid);
      case LsnsColumn::kUser:
        return UserName(uid);
      case LsnsColumn::kNetnsid:
        break;  // rtnetlink comes later
      case LsnsColumn::kNsfs:
        if (ns.paths.empty()) break;
        return absl::StrJoin(ns.paths, options_.no_wrap ? "," : "\n");
      case LsnsColumn::kPns:
        return absl::StrCat(ns.parent ? ns.parent->inode : 0);
      case LsnsColumn::kOns:
        return absl::StrCat(ns.owner ? ns.owner->inode : 0);
    }
    *empty = true;
    return "";
  }

  void AddLine(const NsInfo& ns, const NsProcessInfo* proc) {
    if (filter_ != nullptr) {
      auto cell = [&](LsnsColumn column) -> std::optional<std::string> {
        bool empty;
        std::string text = Cell(ns, proc, column, &empty);
        if (empty) return std::nullopt;
        return text;
      };
      if (!filter_->Matches(cell)) return;
    }
    libscols_line* line = scols_table_new_line(table_, ParentLine(ns, proc));
    if (line == nullptr) return;
    for (size_t i = 0; i < options_.columns.size(); ++i) {
      bool empty;
      std::string text = Cell(ns, proc, options_.columns[i], &empty);
      if (!empty) scols_line_set_data(line, i, text.c_str());
    }
    if (options_.tree == LsnsTree::kOwner || options_.tree == LsnsTree::kParent) {
      ns_outline_[ns.id.inode] = line;
    } else if (proc != nullptr) {
      proc_outline_[static_cast<std::uint64_t>(proc->pid)] = line;
    }
  }

  const LsnsOptions& options_;
  const NsListing& listing_;
  const LsnsFilter* filter_ = nullptr;
  libscols_table* table_ = nullptr;
  std::map<std::uint64_t, libscols_line*> ns_outline_;
  std::map<std::uint64_t, libscols_line*> proc_outline_;
};

int ListColumns(const LsnsOptions& options) {
  libscols_table* table = scols_new_table();
  if (table == nullptr) return kExitFailure;
  scols_table_enable_raw(table, options.raw);
  scols_table_enable_json(table, options.json);
  scols_table_enable_noheadings(table, options.no_headings);
  if (options.json) scols_table_set_name(table, "lsns-columns");
  scols_table_new_column(table, "NAME", 0, 0);
  scols_table_new_column(table, "TYPE", 0, 0);
  scols_table_new_column(table, "DESCRIPTION", 0, 0);
  for (int i = 0; i < kLsnsColumnCount; ++i) {
    const LsnsColumnInfo& info = LsnsColumnInfoOf(static_cast<LsnsColumn>(i));
    libscols_line* line = scols_table_new_line(table, nullptr);
    if (line == nullptr) break;
    scols_line_set_data(line, 0, info.name);
    scols_line_set_data(line, 1, info.number ? "<integer>" : "<string>");
    scols_line_set_data(line, 2, info.help);
  }
  scols_print_table(table);
  scols_unref_table(table);
  return 0;
}

int Main(int argc, char** argv) {
  // As util-linux: the tree is drawn with the locale's line characters (and
  // raw output escapes them), so the output matches lsns's byte for byte.
  std::setlocale(LC_ALL, "");
  CloseStdoutAtExit(kTool);
  if (RefuseSetId(kTool)) return kExitFailure;
  absl::StatusOr<LsnsOptions> parsed = ParseLsnsOptions(argc, argv);
  if (!parsed.ok()) {
    if (IsLsnsUsageError(parsed.status())) return ReportUsageError(kTool, parsed.status());
    return ReportFailure(kTool, parsed.status());
  }
  const LsnsOptions& options = *parsed;
  if (options.help) return std::fputs(kLsnsUsage, stdout), 0;
  if (options.version) return std::puts("lsns from linuxns " LINUXNS_VERSION), 0;
  if (options.list_columns) return ListColumns(options);

  std::optional<LsnsFilter> filter;
  if (options.filter) {
    absl::StatusOr<LsnsFilter> compiled = LsnsFilter::Parse(*options.filter);
    if (!compiled.ok()) {
      return ReportFailure(
          kTool, absl::InvalidArgumentError(absl::StrCat("failed to parse \"", *options.filter,
                                                         "\": ", compiled.status().message())));
    }
    filter = std::move(*compiled);
  }

  NsListOptions list_options;
  list_options.types = options.types;
  list_options.all_ancestors =
      options.tree == LsnsTree::kOwner || options.tree == LsnsTree::kParent;
  absl::StatusOr<NsListing> listing = ListNamespaces(list_options);
  if (!listing.ok()) return ReportFailure(kTool, listing.status());

  Printer printer(options, *listing);
  if (!printer.Init()) {
    return ReportFailure(kTool, absl::InternalError("failed to initialize output table"));
  }
  if (options.ns) {
    const NsInfo* target = nullptr;
    for (const NsInfo& ns : listing->namespaces) {
      if (ns.id.inode == *options.ns) target = &ns;
    }
    if (target == nullptr) {
      return ReportFailure(kTool,
                           absl::NotFoundError(absl::StrCat("not found namespace: ", *options.ns)));
    }
    printer.ShowProcesses(*target, filter ? &*filter : nullptr);
  } else {
    printer.ShowNamespaces(filter ? &*filter : nullptr);
  }
  printer.Print();
  return 0;
}

}  // namespace
}  // namespace linuxns::tools

int main(int argc, char** argv) { return linuxns::tools::Main(argc, argv); }
