// lsns: list namespaces, option-compatible with util-linux's lsns(8).
//
// The namespaces come from linuxns::ListNamespaces(); this file chooses rows,
// asks rtnetlink for NETNSID, and prints them with libsmartcols (table, tree,
// raw, JSON), as util-linux does.
//
// Nothing is printed that could not be read: a failure of the scan, of a
// NETNSID request or of a user name lookup (other than "the process or
// namespace is gone", "no such user") is one line on stderr and exit 1,
// before any row is printed.
#include <dirent.h>
#include <libsmartcols/libsmartcols.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <clocale>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "linuxns/ns_fd.h"
#include "linuxns/ns_list.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"
#include "lsns_options.h"
#include "tool_common.h"

namespace linuxns::tools {
namespace {

constexpr char kTool[] = "lsns";

// Whether a failure means only that the thing asked about is gone or hidden
// (the process exited, the descriptor was closed or is no longer that
// namespace, no permission), not that the answer could not be read: as
// ListNamespaces() sorts them (linuxns/ns_list.h).
bool GoneOrHidden(const absl::Status& status) {
  std::optional<int> err = ErrnoOf(status);
  if (!err) return status.code() == absl::StatusCode::kInvalidArgument;
  return *err == ENOENT || *err == ESRCH || *err == EBADF || *err == EACCES || *err == EPERM;
}

// The name of `uid`, or the number when there is no such user (as
// util-linux). A lookup that failed (EMFILE, ENOMEM, EIO) is an error, not a
// number: getpwuid(3) returns NULL both ways and tells them apart by errno,
// where 0, ENOENT, ESRCH, EBADF and EPERM mean "not found".
absl::StatusOr<std::string> LookUpUserName(uid_t uid) {
  errno = 0;
  const passwd* pw = ::getpwuid(uid);
  const int err = errno;
  if (pw != nullptr) return std::string(pw->pw_name);
  if (err == 0 || err == ENOENT || err == ESRCH || err == EBADF || err == EPERM) {
    return absl::StrCat(uid);
  }
  return ErrnoError(err, absl::StrCat("look up the name of user ", uid));
}

// NETNSID: the id that lsns's own network namespace has given another one
// (RTM_GETNSID with NETNSA_FD, Linux 4.0), or -1 (NETNSA_NSID_NOT_ASSIGNED)
// when it has given none. libnl has no request for it: this is the one
// netlink message lsns sends, on one NETLINK_ROUTE socket.
class NetnsidReader {
 public:
  // The id of `ns`, reached through its lowest process, a bind mount or a
  // descriptor of a holder, checked to be `ns` itself. Nullopt when none of
  // those reaches it any more (the processes exited, the mount went), or when
  // only a socket holds it.
  absl::StatusOr<std::optional<int>> Read(const NsInfo& ns) {
    auto it = cache_.find(ns.id.inode);
    if (it != cache_.end()) return it->second;
    std::optional<NsFd> fd;
    LINUXNS_ASSIGN_OR_RETURN(fd, Open(ns));
    std::optional<int> id;
    if (fd) {
      LINUXNS_ASSIGN_OR_RETURN(id, Query(*fd));
    }
    cache_.emplace(ns.id.inode, id);
    return id;
  }

 private:
  // `path` opened, when it is still the namespace `want`.
  static absl::StatusOr<std::optional<NsFd>> OpenIf(const std::string& path, const NsId& want) {
    absl::StatusOr<NsFd> fd = NsFd::OpenPath(path, NsType::kNet);
    if (!fd.ok()) {
      if (GoneOrHidden(fd.status())) return std::nullopt;
      return fd.status();
    }
    if (fd->id() != want) return std::nullopt;
    return std::optional<NsFd>(*std::move(fd));
  }

  // The descriptor of process `pid` that refers to `want`, opened.
  static absl::StatusOr<std::optional<NsFd>> OpenHeld(pid_t pid, const NsId& want) {
    const std::string dir = absl::StrCat("/proc/", pid, "/fd");
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      absl::Status error = ErrnoError(errno, absl::StrCat("opendir ", dir));
      if (GoneOrHidden(error)) return std::nullopt;
      return error;
    }
    std::vector<std::string> paths;
    while (const dirent* e = ::readdir(d)) {
      const std::string path = absl::StrCat(dir, "/", e->d_name);
      struct stat st;
      if (e->d_name[0] != '.' && ::stat(path.c_str(), &st) == 0 &&
          static_cast<std::uint64_t>(st.st_ino) == want.inode &&
          static_cast<std::uint64_t>(st.st_dev) == want.dev) {
        paths.push_back(path);
      }
    }
    ::closedir(d);
    for (const std::string& path : paths) {
      std::optional<NsFd> fd;
      LINUXNS_ASSIGN_OR_RETURN(fd, OpenIf(path, want));
      if (fd) return fd;
    }
    return std::nullopt;
  }

  static absl::StatusOr<std::optional<NsFd>> Open(const NsInfo& ns) {
    std::optional<NsFd> fd;
    for (pid_t pid : ns.pids) {
      LINUXNS_ASSIGN_OR_RETURN(fd, OpenIf(absl::StrCat("/proc/", pid, "/ns/net"), ns.id));
      if (fd) return fd;
    }
    for (const std::string& path : ns.paths) {
      LINUXNS_ASSIGN_OR_RETURN(fd, OpenIf(path, ns.id));
      if (fd) return fd;
    }
    for (pid_t pid : ns.fd_holders) {
      LINUXNS_ASSIGN_OR_RETURN(fd, OpenHeld(pid, ns.id));
      if (fd) return fd;
    }
    return std::nullopt;
  }

  absl::StatusOr<int> Query(const NsFd& ns) {
    const std::string what = absl::StrCat("RTM_GETNSID for ", ns.id().ToString());
    if (!socket_) {
      socket_ = UniqueFd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
      if (!socket_) return ErrnoError(errno, absl::StrCat(what, ": netlink socket"));
    }
    // The request: a header, the family, and the namespace's descriptor.
    constexpr size_t kAttrAt = NLMSG_SPACE(sizeof(rtgenmsg));
    alignas(nlmsghdr) unsigned char request[kAttrAt + RTA_SPACE(sizeof(std::uint32_t))] = {};
    nlmsghdr header{};
    header.nlmsg_len = sizeof(request);
    header.nlmsg_type = RTM_GETNSID;
    header.nlmsg_flags = NLM_F_REQUEST;
    header.nlmsg_seq = ++seq_;
    std::memcpy(request, &header, sizeof(header));
    request[NLMSG_HDRLEN] = AF_UNSPEC;  // rtgenmsg::rtgen_family
    rtattr attr{};
    attr.rta_len = RTA_LENGTH(sizeof(std::uint32_t));
    attr.rta_type = NETNSA_FD;
    std::memcpy(request + kAttrAt, &attr, sizeof(attr));
    const std::uint32_t fd = static_cast<std::uint32_t>(ns.get());
    std::memcpy(request + kAttrAt + RTA_LENGTH(0), &fd, sizeof(fd));
    if (::send(socket_.get(), request, sizeof(request), 0) < 0) {
      return ErrnoError(errno, absl::StrCat(what, ": send"));
    }
    for (;;) {
      alignas(nlmsghdr) unsigned char reply[8192];
      const ssize_t n = ::recv(socket_.get(), reply, sizeof(reply), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoError(errno, absl::StrCat(what, ": recv"));
      for (size_t at = 0; at + NLMSG_HDRLEN <= static_cast<size_t>(n);) {
        nlmsghdr got;
        std::memcpy(&got, reply + at, sizeof(got));
        if (got.nlmsg_len < NLMSG_HDRLEN || at + got.nlmsg_len > static_cast<size_t>(n)) break;
        const unsigned char* payload = reply + at + NLMSG_HDRLEN;
        const size_t payload_len = got.nlmsg_len - NLMSG_HDRLEN;
        at += NLMSG_ALIGN(got.nlmsg_len);
        if (got.nlmsg_seq != seq_) continue;
        if (got.nlmsg_type == NLMSG_ERROR && payload_len >= sizeof(nlmsgerr)) {
          nlmsgerr error;
          std::memcpy(&error, payload, sizeof(error));
          if (error.error == 0) continue;
          return ErrnoError(-error.error, what);
        }
        if (got.nlmsg_type != RTM_NEWNSID) continue;
        for (size_t a = NLMSG_ALIGN(sizeof(rtgenmsg)); a + RTA_LENGTH(0) <= payload_len;) {
          rtattr found;
          std::memcpy(&found, payload + a, sizeof(found));
          if (found.rta_len < RTA_LENGTH(0) || a + found.rta_len > payload_len) break;
          if (found.rta_type == NETNSA_NSID && found.rta_len >= RTA_LENGTH(sizeof(std::int32_t))) {
            std::int32_t id;
            std::memcpy(&id, payload + a + RTA_LENGTH(0), sizeof(id));
            return id;
          }
          a += RTA_ALIGN(found.rta_len);
        }
        return absl::DataLossError(absl::StrCat(what, ": the reply has no NETNSA_NSID"));
      }
    }
  }

  UniqueFd socket_;
  std::uint32_t seq_ = 0;
  std::map<std::uint64_t, std::optional<int>> cache_;
};

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

  // The first failure to read a cell; then nothing may be printed.
  const absl::Status& status() const { return status_; }

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

  // The name of `uid`, looked up once.
  std::string UserName(uid_t uid) {
    auto it = user_names_.find(uid);
    if (it != user_names_.end()) return it->second;
    absl::StatusOr<std::string> name = LookUpUserName(uid);
    if (!name.ok()) {
      Fail(name.status());
      return "";
    }
    user_names_.emplace(uid, *name);
    return *name;
  }

  // The NETNSID cell of `ns`: the id, "unassigned", or nullopt (empty).
  std::optional<std::string> Netnsid(const NsInfo& ns) {
    if (ns.id.type != NsType::kNet) return std::nullopt;
    absl::StatusOr<std::optional<int>> id = netnsids_.Read(ns);
    if (!id.ok()) {
      Fail(id.status());
      return std::nullopt;
    }
    if (!*id) return std::nullopt;
    if (**id == NETNSA_NSID_NOT_ASSIGNED) return "unassigned";
    if (**id < 0) return std::nullopt;
    return absl::StrCat(**id);
  }

  void Fail(const absl::Status& error) {
    if (status_.ok()) status_ = error;
  }

  std::string Cell(const NsInfo& ns, const NsProcessInfo* proc, LsnsColumn column, bool* empty) {
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
      case LsnsColumn::kNetnsid: {
        std::optional<std::string> id = Netnsid(ns);
        if (!id) break;
        return *id;
      }
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
  std::map<uid_t, std::string> user_names_;
  NetnsidReader netnsids_;
  absl::Status status_;
};

// -H: util-linux's column list (its xcolumn_list_table_new()): no heading,
// the names right-aligned, then the type and the description; in JSON an
// "lsns-columns" array of objects "holder", "type" and "description".
int ListColumns(const LsnsOptions& options) {
  libscols_table* table = scols_new_table();
  if (table == nullptr) return kExitFailure;
  scols_table_set_name(table, "lsns-columns");
  scols_table_enable_noheadings(table, 1);
  scols_table_enable_raw(table, options.raw);
  scols_table_enable_json(table, options.json);
  scols_table_new_column(table, "HOLDER", 0, SCOLS_FL_RIGHT);
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
  if (!printer.status().ok()) return ReportFailure(kTool, printer.status());
  printer.Print();
  return 0;
}

}  // namespace
}  // namespace linuxns::tools

int main(int argc, char** argv) { return linuxns::tools::Main(argc, argv); }
