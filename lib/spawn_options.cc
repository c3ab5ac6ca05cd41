#include "linuxns/spawn_options.h"

#include <unistd.h>

namespace linuxns {

SpawnOptions& SpawnOptions::MapCurrentUserToRoot() {
  new_namespaces.Add(NsType::kUser);
  uid_map = IdMap::Single(0, ::geteuid());
  gid_map = IdMap::Single(0, ::getegid());
  deny_setgroups = true;
  return *this;
}

}  // namespace linuxns
