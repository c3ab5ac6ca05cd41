#include "linuxns/ns_list.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "internal/mountinfo.h"
#include "internal/small_file.h"
#include "linuxns/pid_fd.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"

namespace linuxns {
namespace {

using internal::ReadSmallFileOrError;

// Whether a failure only means that what was being read is gone or hidden
// from the caller, which the scan skips as documented in ns_list.h: the
// process exited (ENOENT, ESRCH), its descriptor was closed (EBADF) or now
// refers to something else (ENXIO: opening /proc/PID/fd/N that became a
// socket; NsFd's InvalidArgument "not a namespace", or
// Unimplemented for a namespace type this library does not know), or the
// caller may not look (EACCES, EPERM). Anything else (EMFILE, ENFILE, ENOMEM,
// EIO, a /proc file that does not parse) would leave a plausible but wrong
// value in the listing, so it fails the scan.
bool GoneOrHidden(const absl::Status& status) {
  std::optional<int> err = ErrnoOf(status);
  if (!err) {
    return status.code() == absl::StatusCode::kInvalidArgument ||
           status.code() == absl::StatusCode::kUnimplemented;
  }
  switch (*err) {
    case ENOENT:
    case ESRCH:
    case EBADF:
    case ENXIO:
    case EACCES:
    case EPERM:
      return true;
    default:
      return false;
  }
}

// `status` unless it is a failure that GoneOrHidden() accepts: then OK.
absl::Status UnlessGoneOrHidden(absl::Status status) {
  if (status.ok() || GoneOrHidden(status)) return absl::OkStatus();
  return status;
}

// The numeric entries of a /proc directory ("/proc", "/proc/PID/fd"),
// ascending.
absl::StatusOr<std::vector<long>> NumericEntries(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoError(errno, absl::StrCat("opendir ", dir));
  std::vector<long> out;
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    long n;
    if (absl::SimpleAtoi(e->d_name, &n) && n >= 0) out.push_back(n);
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) return ErrnoError(err, absl::StrCat("readdir ", dir));
  std::sort(out.begin(), out.end());
  return out;
}

// The /proc directory of one process, open: `dir` is its name ("/proc/42"),
// `via` the path of its descriptor ("/proc/thread-self/fd/7"), through which
// its files are read; errors name them by `dir`.
struct ProcDir {
  std::string dir;
  std::string via;

  std::string Via(absl::string_view name) const { return absl::StrCat(via, "/", name); }
  // `status` with the descriptor's path in its message replaced by `dir`;
  // the code and the errno are kept.
  absl::Status Named(const absl::Status& status) const {
    if (status.ok()) return status;
    absl::Status named(status.code(), absl::StrReplaceAll(status.message(), {{via, dir}}));
    status.ForEachPayload([&named](absl::string_view url, const absl::Cord& payload) {
      named.SetPayload(url, payload);
    });
    return named;
  }
  absl::StatusOr<std::string> Read(absl::string_view name) const {
    absl::StatusOr<std::string> text = ReadSmallFileOrError(Via(name).c_str());
    if (!text.ok()) return Named(text.status());
    return text;
  }
};

// The ppid from /proc/PID/stat: the field after the state that follows the
// last ')' (the command name may contain anything, parentheses included).
absl::StatusOr<pid_t> ReadPpid(const ProcDir& proc) {
  LINUXNS_ASSIGN_OR_RETURN(std::string stat, proc.Read("stat"));
  const size_t close = stat.rfind(')');
  std::vector<absl::string_view> fields;
  if (close != std::string::npos) {
    fields = absl::StrSplit(absl::string_view(stat).substr(close + 1), ' ', absl::SkipEmpty());
  }
  pid_t ppid;
  if (fields.size() < 2 || !absl::SimpleAtoi(fields[1], &ppid)) {
    return absl::DataLossError(absl::StrCat(proc.dir, "/stat: no parent pid in \"", stat, "\""));
  }
  return ppid;
}

// As util-linux's pid_get_cmdline(): arguments joined by spaces, trailing
// blanks dropped; comm for kernel threads and zombies (empty cmdline).
absl::StatusOr<std::string> ReadCommand(const ProcDir& proc) {
  LINUXNS_ASSIGN_OR_RETURN(std::string cmdline, proc.Read("cmdline"));
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  while (!cmdline.empty() && (cmdline.back() == ' ' || cmdline.back() == '\n')) {
    cmdline.pop_back();
  }
  if (!cmdline.empty()) return cmdline;
  LINUXNS_ASSIGN_OR_RETURN(std::string comm, proc.Read("comm"));
  if (!comm.empty() && comm.back() == '\n') comm.pop_back();
  return comm;
}

void AddUnique(std::vector<pid_t>& v, pid_t pid) {
  auto it = std::lower_bound(v.begin(), v.end(), pid);
  if (it == v.end() || *it != pid) v.insert(it, pid);
}

class Scanner {
 public:
  explicit Scanner(const NsListOptions& options) : options_(options) {}

  absl::StatusOr<NsListing> Run() {
    struct stat st;
    if (::stat("/proc/self/ns/user", &st) != 0) {
      return ErrnoError(errno, "stat /proc/self/ns/user");
    }
    nsfs_dev_ = st.st_dev;
    LINUXNS_ASSIGN_OR_RETURN(std::vector<long> pids, NumericEntries("/proc"));
    for (long pid : pids) LINUXNS_RETURN_IF_ERROR(ScanProcess(static_cast<pid_t>(pid)));
    if (options_.scan_mounts) LINUXNS_RETURN_IF_ERROR(ScanMounts());
    return Finish();
  }

 private:
  // The entry for the namespace behind `ns`, made on first sight with its
  // parent and owner (and, when `ancestors`, theirs as entries of their own).
  // Returns its index in infos_ (Add() may grow infos_).
  absl::StatusOr<size_t> Add(const NsFd& ns, bool ancestors) {
    auto it = index_.find(ns.id());
    if (it != index_.end()) return it->second;
    index_.emplace(ns.id(), infos_.size());
    infos_.emplace_back();
    const size_t i = infos_.size() - 1;
    infos_[i].id = ns.id();
    if (ns.type() == NsType::kUser) {
      LINUXNS_ASSIGN_OR_RETURN(infos_[i].owner_uid, ns.OwnerUid());
    }
    const bool all = ancestors || options_.all_ancestors;
    if (ns.type() == NsType::kPid || ns.type() == NsType::kUser) {
      absl::StatusOr<NsFd> parent = ns.Parent();
      // EPERM: the parent is out of reach (or there is none): nullopt.
      if (!parent.ok() && ErrnoOf(parent.status()) != EPERM) return parent.status();
      if (parent.ok()) {
        infos_[i].parent = parent->id();
        if (all && options_.types.Contains(parent->type())) {
          LINUXNS_RETURN_IF_ERROR(Add(*parent, true).status());
        }
      }
    }
    absl::StatusOr<NsFd> owner = ns.OwningUserNs();
    if (!owner.ok() && ErrnoOf(owner.status()) != EPERM) return owner.status();
    if (owner.ok()) {
      infos_[i].owner = owner->id();
      if (all && options_.types.Contains(NsType::kUser)) {
        LINUXNS_RETURN_IF_ERROR(Add(*owner, true).status());
      }
    }
    return i;
  }

  // The entry made from a namespace file given by path; nullopt when the
  // file is gone or hidden (GoneOrHidden()) or of a type not asked for.
  // A path through a process's directory descriptor is named in errors as
  // `proc` names it.
  absl::StatusOr<std::optional<size_t>> AddPath(const std::string& path, std::optional<NsType> type,
                                                bool ancestors, const ProcDir* proc = nullptr) {
    absl::StatusOr<NsFd> ns = NsFd::OpenPath(path, type);
    if (!ns.ok()) {
      LINUXNS_RETURN_IF_ERROR(
          UnlessGoneOrHidden(proc != nullptr ? proc->Named(ns.status()) : ns.status()));
      return std::nullopt;
    }
    if (!options_.types.Contains(ns->type())) return std::nullopt;
    return Add(*ns, ancestors);
  }

  absl::Status ScanProcess(pid_t pid) {
    const std::string dir = absl::StrCat("/proc/", pid);
    // The process's directory is opened once and all its files are read
    // through it: reading them by /proc/PID path one after the other, a
    // process that exits and whose pid is reused between two reads would mix
    // two processes in one entry (the uid of one, the namespaces of the
    // other). Through the descriptor, the reads after the exit fail with
    // ENOENT, and the process is skipped as gone.
    UniqueFd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dirfd) return UnlessGoneOrHidden(ErrnoError(errno, absl::StrCat("open ", dir)));
    const ProcDir proc{dir, absl::StrCat("/proc/thread-self/fd/", dirfd.get())};
    struct stat st;
    if (::fstat(dirfd.get(), &st) != 0) return ErrnoError(errno, absl::StrCat("fstat ", dir));
    absl::StatusOr<pid_t> ppid = ReadPpid(proc);
    if (!ppid.ok()) return UnlessGoneOrHidden(ppid.status());
    absl::StatusOr<std::string> command = ReadCommand(proc);
    if (!command.ok()) return UnlessGoneOrHidden(command.status());
    std::vector<size_t> entries;
    for (NsType type : options_.types) {
      const std::string name = absl::StrCat("ns/", NsTypeName(type));
      struct stat ns_st;
      if (::fstatat(dirfd.get(), name.c_str(), &ns_st, 0) != 0) {
        LINUXNS_RETURN_IF_ERROR(
            UnlessGoneOrHidden(ErrnoError(errno, absl::StrCat("stat ", dir, "/", name))));
        continue;
      }
      const NsId id{type, static_cast<std::uint64_t>(ns_st.st_dev), ns_st.st_ino};
      auto it = index_.find(id);
      if (it != index_.end()) {
        entries.push_back(it->second);
        continue;
      }
      LINUXNS_ASSIGN_OR_RETURN(std::optional<size_t> added,
                               AddPath(proc.Via(name), type, false, &proc));
      if (added) entries.push_back(*added);
    }
    // The process is listed only if it was still the one the directory names
    // when its namespaces were read: otherwise they may be those of a new
    // process with its pid (a zombie still answers: its pid is not free).
    if (::faccessat(dirfd.get(), "stat", F_OK, 0) != 0) {
      return UnlessGoneOrHidden(ErrnoError(errno, absl::StrCat("access ", dir, "/stat")));
    }
    processes_[pid] = NsProcessInfo{pid, *ppid, st.st_uid, *std::move(command)};
    for (size_t entry : entries) AddUnique(infos_[entry].pids, pid);
    if (options_.scan_fds || options_.scan_sockets) return ScanFds(pid, proc, dirfd.get());
    return absl::OkStatus();
  }

  absl::Status ScanFds(pid_t pid, const ProcDir& proc, int dirfd) {
    absl::StatusOr<std::vector<long>> fds = NumericEntries(proc.Via("fd"));
    if (!fds.ok()) return UnlessGoneOrHidden(proc.Named(fds.status()));
    for (long fd : *fds) {
      const std::string name = absl::StrCat("fd/", fd);
      struct stat st;
      if (::fstatat(dirfd, name.c_str(), &st, 0) != 0) {
        LINUXNS_RETURN_IF_ERROR(
            UnlessGoneOrHidden(ErrnoError(errno, absl::StrCat("stat ", proc.dir, "/", name))));
        continue;
      }
      if (options_.scan_fds && st.st_dev == nsfs_dev_) {
        std::optional<size_t> entry = FindIno(st.st_ino);
        if (!entry) {
          LINUXNS_ASSIGN_OR_RETURN(entry, AddPath(proc.Via(name), std::nullopt, true, &proc));
        }
        if (entry) AddUnique(infos_[*entry].fd_holders, pid);
      } else if (options_.scan_sockets && S_ISSOCK(st.st_mode) &&
                 options_.types.Contains(NsType::kNet)) {
        LINUXNS_RETURN_IF_ERROR(ScanSocket(pid, dirfd, static_cast<int>(fd)));
      }
    }
    return absl::OkStatus();
  }

  // The network namespace of socket `fd` of `pid`: copy the socket into this
  // process (pidfd_getfd, Linux 5.6) and ask for it with SIOCGSKNS (4.9).
  // pidfd_getfd needs ptrace access (EPERM) and SIOCGSKNS CAP_NET_ADMIN over
  // the socket's namespace (EPERM): without them the socket is not seen.
  // `dirfd` is the process's /proc directory.
  absl::Status ScanSocket(pid_t pid, int dirfd, int fd) {
    if (!pidfd_ || pidfd_->pid() != pid) {
      pidfd_.reset();
      absl::StatusOr<PidFd> opened = PidFd::Open(pid);
      if (!opened.ok()) return UnlessGoneOrHidden(opened.status());
      // The pidfd is of the process `dirfd` names only if that one still
      // lives (holds the pid) now: else the pid may be another's already.
      if (::faccessat(dirfd, "stat", F_OK, 0) != 0) {
        return UnlessGoneOrHidden(ErrnoError(errno, absl::StrCat("access /proc/", pid, "/stat")));
      }
      pidfd_ = std::move(*opened);
    }
    UniqueFd sock(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd_->get(), fd, 0)));
    if (!sock) {
      return UnlessGoneOrHidden(
          ErrnoError(errno, absl::StrCat("pidfd_getfd of fd ", fd, " of process ", pid)));
    }
    // The copy is what the number names now: it may have stopped being a
    // socket since the stat (gone, as a closed descriptor is).
    struct stat st;
    if (::fstat(sock.get(), &st) != 0) {
      return ErrnoError(errno, absl::StrCat("fstat of fd ", fd, " of process ", pid));
    }
    if (!S_ISSOCK(st.st_mode)) return absl::OkStatus();
    UniqueFd nsfd(::ioctl(sock.get(), SIOCGSKNS));
    if (!nsfd) {
      return UnlessGoneOrHidden(
          ErrnoError(errno, absl::StrCat("SIOCGSKNS on fd ", fd, " of process ", pid)));
    }
    absl::StatusOr<NsFd> ns = NsFd::Adopt(std::move(nsfd), NsType::kNet);
    if (!ns.ok()) return UnlessGoneOrHidden(ns.status());
    LINUXNS_ASSIGN_OR_RETURN(size_t entry, Add(*ns, true));
    AddUnique(infos_[entry].socket_holders, pid);
    return absl::OkStatus();
  }

  std::optional<size_t> FindIno(std::uint64_t ino) const {
    for (NsType type : options_.types) {
      auto it = index_.find(NsId{type, static_cast<std::uint64_t>(nsfs_dev_), ino});
      if (it != index_.end()) return it->second;
    }
    return std::nullopt;
  }

  absl::Status ScanMounts() {
    LINUXNS_ASSIGN_OR_RETURN(std::vector<internal::MountInfo> mounts,
                             internal::ReadMountInfo("/proc/self/mountinfo"));
    for (const internal::MountInfo& m : mounts) {
      if (m.fs_type != "nsfs") continue;
      // The root names the namespace ("net:[N]"); a mount whose namespace we
      // know already needs no open.
      const size_t open = m.root.find(":[");
      std::uint64_t ino = 0;
      std::optional<size_t> entry;
      if (open != std::string::npos && m.root.back() == ']' &&
          absl::SimpleAtoi(absl::string_view(m.root).substr(open + 2, m.root.size() - open - 3),
                           &ino)) {
        entry = FindIno(ino);
      }
      if (!entry) {
        LINUXNS_ASSIGN_OR_RETURN(entry, AddPath(m.mount_point, std::nullopt, true));
      }
      if (!entry) continue;
      std::vector<std::string>& paths = infos_[*entry].paths;
      if (std::find(paths.begin(), paths.end(), m.mount_point) == paths.end()) {
        paths.push_back(m.mount_point);
      }
    }
    return absl::OkStatus();
  }

  NsListing Finish() {
    NsListing out;
    out.processes = std::move(processes_);
    for (NsInfo& info : infos_) {
      if (options_.pid && !std::binary_search(info.pids.begin(), info.pids.end(), *options_.pid)) {
        continue;
      }
      out.namespaces.push_back(std::move(info));
    }
    std::sort(out.namespaces.begin(), out.namespaces.end(), [](const NsInfo& a, const NsInfo& b) {
      if (a.id.inode != b.id.inode) return a.id.inode < b.id.inode;
      return a.id.type < b.id.type;
    });
    return out;
  }

  const NsListOptions& options_;
  dev_t nsfs_dev_ = 0;
  std::vector<NsInfo> infos_;
  absl::flat_hash_map<NsId, size_t> index_;
  std::map<pid_t, NsProcessInfo> processes_;
  std::optional<PidFd> pidfd_;  // of the process whose sockets are being read
};

}  // namespace

const NsInfo* NsListing::Find(const NsId& id) const {
  for (const NsInfo& info : namespaces) {
    if (info.id == id) return &info;
  }
  return nullptr;
}

const NsProcessInfo* NsListing::FindProcess(pid_t pid) const {
  auto it = processes.find(pid);
  return it == processes.end() ? nullptr : &it->second;
}

absl::StatusOr<NsListing> ListNamespaces(const NsListOptions& options) {
  if (options.pid && *options.pid <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("list namespaces: invalid pid ", *options.pid));
  }
  Scanner scanner(options);
  return scanner.Run();
}

}  // namespace linuxns
