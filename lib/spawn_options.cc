#include "linuxns/spawn_options.h"

namespace linuxns {

SpawnOptions& SpawnOptions::MapCurrentUserToRoot() {
  new_namespaces.Add(NsType::kUser);
  user_mapping = UserNsMapping::kCurrentUserToRoot;
  uid_map.reset();
  gid_map.reset();
  deny_setgroups = true;
  return *this;
}

SpawnOptions& SpawnOptions::AddNamespacesLookingNew(NsTypeSet types) {
  new_namespaces = new_namespaces | types;
  if (types.Contains(NsType::kNet)) {
    mount_sys = true;
    loopback_up = true;
  }
  if (types.Contains(NsType::kPid)) mount_proc = true;
  return *this;
}

NsTypeSet SpawnOptions::JoinedNamespaces() const {
  NsTypeSet joined = join_process != nullptr ? join_process_types : NsTypeSet();
  for (const NsFd* ns : join) {
    if (ns != nullptr) joined.Add(ns->type());
  }
  return joined;
}

NsTypeSet SpawnOptions::EffectiveNewNamespaces() const {
  const NsTypeSet joined = JoinedNamespaces();
  NsTypeSet implied;
  if (uid_map || gid_map) implied.Add(NsType::kUser);
  if (hostname || domainname) implied.Add(NsType::kUts);
  if (!mounts.empty() || (root && root_change == RootChange::kPivotRoot) || minimal_dev ||
      mount_proc || mount_sys) {
    implied.Add(NsType::kMnt);
  }
  if (loopback_up) implied.Add(NsType::kNet);
  if (time_offsets) implied.Add(NsType::kTime);
  if (init) implied.Add(NsType::kPid);
  return new_namespaces | (implied - joined);
}

}  // namespace linuxns
