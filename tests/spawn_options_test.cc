#include "linuxns/spawn_options.h"

#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace linuxns {
namespace {

TEST(SpawnOptionsTest, DefaultsChangeNothing) {
  SpawnOptions o;
  EXPECT_TRUE(o.new_namespaces.empty());
  EXPECT_EQ(o.propagation, Propagation::kPrivate);
  EXPECT_EQ(o.stdin_mode, Stdio::kInherit);
  EXPECT_FALSE(o.inherit_fds);
  EXPECT_TRUE(o.deny_setgroups);
  EXPECT_EQ(o.mount_proc_at, "/proc");
  EXPECT_EQ(o.parent_death_signal, SIGKILL);
  EXPECT_EQ(o.cgroup_fd, -1);
}

TEST(SpawnOptionsTest, MapCurrentUserToRootAddsAUserNamespaceMappingTheCallerToRoot) {
  SpawnOptions o;
  o.new_namespaces = {NsType::kNet};
  o.user_mapping = UserNsMapping::kNone;
  o.uid_map = IdMap::Single(7, ::geteuid());
  o.deny_setgroups = false;
  o.MapCurrentUserToRoot();
  EXPECT_EQ(o.new_namespaces, (NsTypeSet{NsType::kNet, NsType::kUser}));
  EXPECT_EQ(o.user_mapping, UserNsMapping::kCurrentUserToRoot);
  EXPECT_FALSE(o.uid_map.has_value());  // user_mapping's map, not an explicit one
  EXPECT_FALSE(o.gid_map.has_value());
  EXPECT_TRUE(o.deny_setgroups);
  EXPECT_EQ(OwnIdMap(o.user_mapping, 1000)->ToString(), "0 1000 1\n");
  EXPECT_EQ(OwnIdMap(UserNsMapping::kCurrentUser, 1000)->ToString(), "1000 1000 1\n");
  EXPECT_EQ(OwnIdMap(UserNsMapping::kNone, 1000), std::nullopt);
}

TEST(SpawnOptionsTest, MountSpecFactories) {
  MountSpec bind = MountSpec::Bind("/usr", "/usr", /*read_only=*/true);
  EXPECT_FALSE(bind.tmpfs);
  EXPECT_EQ(bind.source, "/usr");
  EXPECT_TRUE(bind.read_only);
  MountSpec tmpfs = MountSpec::Tmpfs("/tmp", "size=1m");
  EXPECT_TRUE(tmpfs.tmpfs);
  EXPECT_EQ(tmpfs.target, "/tmp");
  EXPECT_EQ(tmpfs.options, "size=1m");
  EXPECT_FALSE(tmpfs.read_only);
}

}  // namespace
}  // namespace linuxns
