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

TEST(SpawnOptionsTest, MapCurrentUserToRootAddsAUserNamespaceAndBothMaps) {
  SpawnOptions o;
  o.new_namespaces = {NsType::kNet};
  o.MapCurrentUserToRoot();
  EXPECT_EQ(o.new_namespaces, (NsTypeSet{NsType::kNet, NsType::kUser}));
  ASSERT_TRUE(o.uid_map.has_value());
  ASSERT_TRUE(o.gid_map.has_value());
  EXPECT_EQ(o.uid_map->ToString(), "0 " + std::to_string(::geteuid()) + " 1\n");
  EXPECT_EQ(o.gid_map->ToString(), "0 " + std::to_string(::getegid()) + " 1\n");
  EXPECT_TRUE(o.deny_setgroups);
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
