// Walkthrough 2: the mount namespace, and how mounts propagate between them.
//
// A new mount namespace starts as a copy of its creator's mount list. Each
// mount then has a propagation type (mount_namespaces(7)): a *shared* mount
// passes mount events to and from its peers in the other namespaces, a
// *slave* receives them from its master but sends none back, a *private* one
// neither. The program makes a scratch namespace ("first"), mounts a shared
// tmpfs there, copies the namespace three times, makes the copies' tmpfs a
// peer, a slave and a private mount, mounts something in three of them, and
// prints which namespaces see each new mount. The host never sees any of it.
//
// Works without privilege: a caller that is not root first moves into a user
// namespace of its own, where it is root (allowed only while the process is
// single-threaded); the mount namespaces it makes then belong to it.
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "linuxns/namespace.h"
#include "linuxns/ns_entry.h"
#include "linuxns/status.h"

namespace {

using linuxns::Namespace;
using linuxns::NsType;

// Runs `fn` on a thread inside the mount namespace of `ns`; ours never changes.
template <typename Fn>
absl::Status In(const Namespace& ns, Fn fn) {
  return linuxns::RunInNamespacesOnThread({ns.Find(NsType::kMnt)}, fn);
}

absl::Status Mount(const std::string& target, unsigned long flags, const char* fs = nullptr) {
  if (::mount(fs, target.c_str(), fs, flags, nullptr) != 0) {
    return linuxns::ErrnoError(errno, "mount " + target);
  }
  return absl::OkStatus();
}

// True when `path` is a mount point: it lies on another device than its parent.
bool IsMountPoint(const std::string& path) {
  struct stat self = {}, parent = {};
  return ::stat(path.c_str(), &self) == 0 && ::stat((path + "/..").c_str(), &parent) == 0 &&
         self.st_dev != parent.st_dev;
}

// A tmpfs on `dir` with mount points a, b and c, made a shared mount.
absl::Status SharedTmpfs(const std::string& dir) {
  LINUXNS_RETURN_IF_ERROR(Mount(dir, 0, "tmpfs"));
  for (const char* sub : {"/a", "/b", "/c"}) ::mkdir((dir + sub).c_str(), 0755);
  return Mount(dir, MS_SHARED);
}

absl::Status Run(const std::string& dir) {
  if (::geteuid() != 0) {
    LINUXNS_ASSIGN_OR_RETURN(Namespace own, Namespace::Create({NsType::kUser}));
    LINUXNS_RETURN_IF_ERROR(own.Find(NsType::kUser)->Enter());
  }
  const char* names[] = {"first", "peer", "slave", "private"};
  std::optional<Namespace> ns[4];
  LINUXNS_ASSIGN_OR_RETURN(ns[0], Namespace::Create({NsType::kMnt}));
  // What unshare(1) does first, so that nothing mounted below reaches the host.
  LINUXNS_RETURN_IF_ERROR(In(*ns[0], [] { return Mount("/", MS_REC | MS_PRIVATE); }));
  LINUXNS_RETURN_IF_ERROR(In(*ns[0], [&] { return SharedTmpfs(dir); }));
  // Namespace::Create() copies the mount namespace of the calling thread.
  for (int i = 1; i < 4; ++i) {
    absl::StatusOr<Namespace> copy;
    LINUXNS_RETURN_IF_ERROR(In(*ns[0], [&] { copy = Namespace::Create({NsType::kMnt}); }));
    LINUXNS_ASSIGN_OR_RETURN(ns[i], std::move(copy));
  }
  LINUXNS_RETURN_IF_ERROR(In(*ns[2], [&] { return Mount(dir, MS_SLAVE); }));
  LINUXNS_RETURN_IF_ERROR(In(*ns[3], [&] { return Mount(dir, MS_PRIVATE); }));
  std::cout << "a shared tmpfs on " << dir << " in first " << ns[0]->Find(NsType::kMnt)->id()
            << ", copied to peer, slave and private\n";
  for (int i = 0; i < 3; ++i) {  // a mount in first, in peer, in slave
    const std::string target = dir + "/" + "abc"[i];
    LINUXNS_RETURN_IF_ERROR(In(*ns[i], [&] { return Mount(target, 0, "tmpfs"); }));
    std::cout << "mounted " << target << " in " << names[i] << ", seen in:";
    for (int j = 0; j < 4; ++j) {
      bool seen = false;
      LINUXNS_RETURN_IF_ERROR(In(*ns[j], [&] { seen = IsMountPoint(target); }));
      if (seen) std::cout << " " << names[j];
    }
    std::cout << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

int main() {
  char dir[] = "/tmp/walkthrough-mnt-XXXXXX";
  if (::mkdtemp(dir) == nullptr) return std::perror("mkdtemp"), 1;
  const absl::Status status = Run(dir);
  ::rmdir(dir);  // never mounted on here: the mounts lived in the namespaces
  if (!status.ok()) return std::cerr << "mount_propagation: " << status << "\n", 1;
  return 0;
}
