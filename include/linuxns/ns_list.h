// linuxns/ns_list.h: every namespace on the system, as lsns(8) finds them.
//
// ListNamespaces() scans /proc and the caller's mount table and returns the
// namespaces it can see, each with its type and identity, the processes that
// are in it, the processes that hold it only through an open descriptor (or
// a socket, for network namespaces), the paths that pin it by bind mount, and
// its parent and owning user namespace (ioctl_ns(2)):
//
//   absl::StatusOr<linuxns::NsListing> all = linuxns::ListNamespaces();
//   if (!all.ok()) return all.status();
//   for (const linuxns::NsInfo& ns : all->namespaces) {
//     std::cout << ns.id << " " << ns.pids.size() << " processes\n";
//   }
//   // prints e.g. "net:[4026531840] 71 processes"
//
// Where namespaces are found, in the order util-linux's lsns looks:
//   - `/proc/PID/ns/<type>` of every process (NsInfo::pids);
//   - descriptors of every process that refer to a namespace file
//     (/proc/PID/fd/N on nsfs: NsInfo::fd_holders);
//   - sockets of every process: the network namespace a socket was created
//     in (pidfd_getfd(2) then SIOCGSKNS, Linux 5.6; needs ptrace access to the
//     process, silently skipped without it: NsInfo::socket_holders);
//   - nsfs mounts in /proc/self/mountinfo (NsInfo::paths, every mount point,
//     in mount table order);
//   - for a namespace found without any process in it, its parent and owner
//     namespaces, recursively, as lsns adds them.
// A namespace of a process the caller may not inspect (another user's, or a
// non-dumpable one, without CAP_SYS_PTRACE) is not seen; neither is one held
// only in another mount namespace's mount table.
//
// The result is a snapshot: processes come and go while /proc is read, and a
// process that exits during the scan is skipped, not an error.
//
// What a caller sees for something the scan could not read: only two kinds
// of failure are taken as "not there", and each has one documented outcome.
//   - Gone: the process exited or closed the descriptor while it was read
//     (ENOENT, ESRCH, EBADF), or the descriptor now refers to something that
//     is not a namespace (or of a type this library does not know): the
//     process, descriptor or socket is skipped.
//   - Hidden: the caller may not look (EACCES on /proc/PID/ns or /proc/PID/fd,
//     EPERM from pidfd_getfd(2) or SIOCGSKNS): the namespace or holder is not
//     seen. EPERM from NS_GET_PARENT or NS_GET_USERNS, the only way the
//     kernel says "outside your user namespace, or none", leaves
//     NsInfo::parent or NsInfo::owner nullopt.
// Any other failure of any read (EMFILE or ENFILE at a descriptor limit,
// ENOMEM, EIO, a /proc/PID/stat that does not parse, an unreadable
// /proc/self/mountinfo) fails the whole scan with that error, naming the file
// or step and keeping the errno (ErrnoOf()), e.g. "open /proc/42/ns/user:
// Too many open files" (ResourceExhausted): a listing that is returned never holds a field that
// was guessed, such as a missing parent or owner, a short process count or
// an empty path list. An unreadable /proc itself is the errno of opendir(2);
// a bad option is InvalidArgument.
//
// Thread-safety: ListNamespaces() may be called from any thread, concurrently;
// it changes no namespace and leaves no descriptor open. Not
// async-signal-safe. Needs Linux 4.11 (NS_GET_NSTYPE) and a mounted /proc.
#ifndef LINUXNS_NS_LIST_H_
#define LINUXNS_NS_LIST_H_

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "linuxns/export.h"
#include "linuxns/ns_fd.h"
#include "linuxns/ns_type.h"

namespace linuxns {

// A process as the scan saw it.
struct LINUXNS_EXPORT NsProcessInfo {
  pid_t pid = 0;        // in the pid namespace of the caller's /proc
  pid_t ppid = 0;       // from /proc/PID/stat
  uid_t uid = 0;        // the owner of /proc/PID (the process's real uid)
  std::string command;  // cmdline, arguments joined by spaces; comm when empty
};

// One namespace.
struct LINUXNS_EXPORT NsInfo {
  NsId id;  // the namespace's type and identity
  // Processes whose `/proc/PID/ns/<type>` is this namespace, ascending.
  std::vector<pid_t> pids;
  // Processes with an open descriptor on this namespace's file, ascending,
  // each once (they may be in it too).
  std::vector<pid_t> fd_holders;
  // Processes with a socket created in this (network) namespace, ascending.
  std::vector<pid_t> socket_holders;
  // nsfs mount points that pin it, in the caller's mount table order.
  std::vector<std::string> paths;
  // The parent (pid and user namespaces) and the owning user namespace, when
  // the kernel lets the caller reach them (EPERM outside its user namespace).
  std::optional<NsId> parent;
  // The owning user namespace (NS_GET_USERNS), when reachable.
  std::optional<NsId> owner;
  // For a user namespace, the uid of its creator (NS_GET_OWNER_UID).
  std::optional<uid_t> owner_uid;

  // The lowest pid in the namespace, as lsns's PID column, or nullopt.
  std::optional<pid_t> lowest_pid() const {
    if (pids.empty()) return std::nullopt;
    return pids.front();
  }
};

// NsListOptions: what ListNamespaces() looks for and where.
struct LINUXNS_EXPORT NsListOptions {
  // Only namespaces of these types are looked for.
  NsTypeSet types = NsTypeSet::All();
  // When set, only the namespaces this process is in are returned (the
  // others are still scanned, so that pids and holders are complete).
  std::optional<pid_t> pid;
  // Look at the open descriptors of every process (NsInfo::fd_holders).
  bool scan_fds = true;
  // Look at the sockets of every process (NsInfo::socket_holders).
  bool scan_sockets = true;
  // Look at the nsfs mounts of the caller's mount table (NsInfo::paths).
  bool scan_mounts = true;
  // Also add the parent and owner of every namespace found, not only of
  // those without processes (what lsns --tree=owner/parent shows).
  bool all_ancestors = false;
};

// NsListing: the result of one scan, ListNamespaces().
struct LINUXNS_EXPORT NsListing {
  // Ascending by inode number, then type.
  std::vector<NsInfo> namespaces;
  // Every process the scan read, by pid.
  std::map<pid_t, NsProcessInfo> processes;

  // The namespace with `id`, or nullptr.
  const NsInfo* Find(const NsId& id) const;
  // The process `pid`, or nullptr when the scan did not see it.
  const NsProcessInfo* FindProcess(pid_t pid) const;
};

// ListNamespaces()
//
// Scans the system as described at the top of this file.
LINUXNS_EXPORT absl::StatusOr<NsListing> ListNamespaces(const NsListOptions& options = {});

}  // namespace linuxns

#endif  // LINUXNS_NS_LIST_H_
