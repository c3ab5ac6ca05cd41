#include "linuxns/ns_list.h"

#include <dirent.h>
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
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "internal/mountinfo.h"
#include "internal/small_file.h"
#include "linuxns/pid_fd.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"

namespace linuxns {
namespace {

using internal::ReadOneLineFile;
using internal::ReadSmallFile;

// The numeric entries of a /proc directory ("/proc", "/proc/PID/fd"),
// ascending. Empty when it cannot be read.
absl::StatusOr<std::vector<long>> NumericEntries(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoError(errno, absl::StrCat("opendir ", dir));
  std::vector<long> out;
  while (struct dirent* e = ::readdir(d)) {
    long n;
    if (absl::SimpleAtoi(e->d_name, &n) && n >= 0) out.push_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// The ppid from /proc/PID/stat: the field after the state that follows the
// last ')' (the command name may contain anything, parentheses included).
std::optional<pid_t> ReadPpid(pid_t pid) {
  std::optional<std::string> stat = ReadSmallFile(absl::StrCat("/proc/", pid, "/stat"));
  if (!stat) return std::nullopt;
  const size_t close = stat->rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(*stat).substr(close + 1), ' ', absl::SkipEmpty());
  pid_t ppid;
  if (fields.size() < 2 || !absl::SimpleAtoi(fields[1], &ppid)) return std::nullopt;
  return ppid;
}

// As util-linux's pid_get_cmdline(): arguments joined by spaces, trailing
// blanks dropped; comm for kernel threads and zombies (empty cmdline).
std::string ReadCommand(pid_t pid) {
  std::optional<std::string> cmdline = ReadSmallFile(absl::StrCat("/proc/", pid, "/cmdline"));
  if (cmdline && !cmdline->empty()) {
    std::replace(cmdline->begin(), cmdline->end(), '\0', ' ');
    while (!cmdline->empty() && (cmdline->back() == ' ' || cmdline->back() == '\n')) {
      cmdline->pop_back();
    }
    if (!cmdline->empty()) return *cmdline;
  }
  return ReadOneLineFile(absl::StrCat("/proc/", pid, "/comm")).value_or("");
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
    for (long pid : pids) ScanProcess(static_cast<pid_t>(pid));
    if (options_.scan_mounts) ScanMounts();
    return Finish();
  }

 private:
  // The entry for the namespace behind `ns`, made on first sight with its
  // parent and owner (and, when `ancestors`, theirs as entries of their own).
  NsInfo& Add(const NsFd& ns, bool ancestors) {
    auto it = index_.find(ns.id());
    if (it != index_.end()) return infos_[it->second];
    index_.emplace(ns.id(), infos_.size());
    infos_.emplace_back();
    const size_t i = infos_.size() - 1;
    infos_[i].id = ns.id();
    if (ns.type() == NsType::kUser) {
      absl::StatusOr<uid_t> uid = ns.OwnerUid();
      if (uid.ok()) infos_[i].owner_uid = *uid;
    }
    const bool all = ancestors || options_.all_ancestors;
    if (ns.type() == NsType::kPid || ns.type() == NsType::kUser) {
      absl::StatusOr<NsFd> parent = ns.Parent();
      if (parent.ok()) {
        infos_[i].parent = parent->id();
        if (all && options_.types.Contains(parent->type())) Add(*parent, true);
      }
    }
    absl::StatusOr<NsFd> owner = ns.OwningUserNs();
    if (owner.ok()) {
      infos_[i].owner = owner->id();
      if (all && options_.types.Contains(NsType::kUser)) Add(*owner, true);
    }
    return infos_[i];  // re-indexed: Add() may have grown infos_
  }

  // An entry made from a namespace file given by path.
  NsInfo* AddPath(const std::string& path, std::optional<NsType> type, bool ancestors) {
    absl::StatusOr<NsFd> ns = NsFd::OpenPath(path, type);
    if (!ns.ok() || !options_.types.Contains(ns->type())) return nullptr;
    return &Add(*ns, ancestors);
  }

  void ScanProcess(pid_t pid) {
    const std::string dir = absl::StrCat("/proc/", pid);
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0) return;
    std::optional<pid_t> ppid = ReadPpid(pid);
    if (!ppid) return;
    processes_[pid] = NsProcessInfo{pid, *ppid, st.st_uid, ReadCommand(pid)};
    for (NsType type : options_.types) {
      const std::string path = absl::StrCat(dir, "/ns/", NsTypeName(type));
      struct stat ns_st;
      if (::stat(path.c_str(), &ns_st) != 0) continue;
      const NsId id{type, static_cast<std::uint64_t>(ns_st.st_dev), ns_st.st_ino};
      NsInfo* info = nullptr;
      auto it = index_.find(id);
      if (it != index_.end()) {
        info = &infos_[it->second];
      } else {
        info = AddPath(path, type, false);
      }
      if (info != nullptr) AddUnique(info->pids, pid);
    }
    if (options_.scan_fds || options_.scan_sockets) ScanFds(pid, dir);
  }

  void ScanFds(pid_t pid, const std::string& dir) {
    absl::StatusOr<std::vector<long>> fds = NumericEntries(dir + "/fd");
    if (!fds.ok()) return;
    for (long fd : *fds) {
      const std::string path = absl::StrCat(dir, "/fd/", fd);
      struct stat st;
      if (::stat(path.c_str(), &st) != 0) continue;
      if (options_.scan_fds && st.st_dev == nsfs_dev_) {
        NsInfo* info = FindIno(st.st_ino);
        if (info == nullptr) info = AddPath(path, std::nullopt, true);
        if (info != nullptr) AddUnique(info->fd_holders, pid);
      } else if (options_.scan_sockets && S_ISSOCK(st.st_mode) &&
                 options_.types.Contains(NsType::kNet)) {
        ScanSocket(pid, static_cast<int>(fd));
      }
    }
  }

  // The network namespace of socket `fd` of `pid`: copy the socket into this
  // process (pidfd_getfd, Linux 5.6) and ask for it with SIOCGSKNS (4.9).
  void ScanSocket(pid_t pid, int fd) {
    if (!pidfd_ || pidfd_->pid() != pid) {
      absl::StatusOr<PidFd> opened = PidFd::Open(pid);
      if (!opened.ok()) return;
      pidfd_ = std::move(*opened);
    }
    UniqueFd sock(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd_->get(), fd, 0)));
    if (!sock) return;
    UniqueFd nsfd(::ioctl(sock.get(), SIOCGSKNS));
    if (!nsfd) return;
    absl::StatusOr<NsFd> ns = NsFd::Adopt(std::move(nsfd), NsType::kNet);
    if (!ns.ok()) return;
    AddUnique(Add(*ns, true).socket_holders, pid);
  }

  NsInfo* FindIno(std::uint64_t ino) {
    for (NsType type : options_.types) {
      auto it = index_.find(NsId{type, static_cast<std::uint64_t>(nsfs_dev_), ino});
      if (it != index_.end()) return &infos_[it->second];
    }
    return nullptr;
  }

  void ScanMounts() {
    absl::StatusOr<std::vector<internal::MountInfo>> mounts =
        internal::ReadMountInfo("/proc/self/mountinfo");
    if (!mounts.ok()) return;
    for (const internal::MountInfo& m : *mounts) {
      if (m.fs_type != "nsfs") continue;
      // The root names the namespace ("net:[N]"); a mount whose namespace we
      // know already needs no open.
      const size_t open = m.root.find(":[");
      std::uint64_t ino = 0;
      NsInfo* info = nullptr;
      if (open != std::string::npos && m.root.back() == ']' &&
          absl::SimpleAtoi(absl::string_view(m.root).substr(open + 2, m.root.size() - open - 3),
                           &ino)) {
        info = FindIno(ino);
      }
      if (info == nullptr) info = AddPath(m.mount_point, std::nullopt, true);
      if (info == nullptr) continue;
      if (std::find(info->paths.begin(), info->paths.end(), m.mount_point) == info->paths.end()) {
        info->paths.push_back(m.mount_point);
      }
    }
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
