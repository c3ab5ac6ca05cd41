#include "linuxns/pin.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/namespace.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using ::linuxns::testing::ErrnoIs;
using ::linuxns::testing::StatusIs;
using ::testing::HasSubstr;

class PinTest : public testing::LeakCheckedTest {
 protected:
  void SetUp() override {
    testing::LeakCheckedTest::SetUp();
    if (!testing::IsRoot()) GTEST_SKIP() << "needs CAP_SYS_ADMIN to mount";
  }
};

TEST_F(PinTest, PinCreatesTheFileAndKeepsTheNamespace) {
  const std::string path = scratch() + "/net";
  NsId id;
  bool created = false;
  {
    ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kNet}));
    id = ns.Find(NsType::kNet)->id();
    ASSERT_OK_AND_ASSIGN(created, PinNamespace(*ns.Find(NsType::kNet), path));
  }
  EXPECT_TRUE(created);
  ASSERT_OK_AND_ASSIGN(NsFd pinned, NsFd::OpenPath(path, NsType::kNet));
  EXPECT_EQ(pinned.id(), id) << "the namespace died with its last descriptor";
  ASSERT_OK(UnpinNamespace(path, created));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(PinTest, PinOntoAnExistingFileLeavesItOnUnpin) {
  const std::string path = scratch() + "/existing";
  std::ofstream(path).close();
  ASSERT_OK_AND_ASSIGN(NsFd uts, NsFd::OpenCurrent(NsType::kUts));
  ASSERT_OK_AND_ASSIGN(bool created, PinNamespace(uts, path));
  EXPECT_FALSE(created);
  ASSERT_OK(UnpinNamespace(path, created));
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST_F(PinTest, BadTargetsAreNamed) {
  ASSERT_OK_AND_ASSIGN(NsFd uts, NsFd::OpenCurrent(NsType::kUts));
  EXPECT_THAT(PinNamespace(uts, scratch()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a regular file")));
  absl::StatusOr<bool> missing = PinNamespace(uts, scratch() + "/no/dir");
  EXPECT_THAT(missing,
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("its directory does not exist")));
  EXPECT_THAT(missing, ErrnoIs(ENOENT));
}

// What a pin path may not be (pin.h), refused before anything is opened.
TEST_F(PinTest, EmptyDotDotOrTrailingSlashPathsAreRefused) {
  ASSERT_OK_AND_ASSIGN(NsFd uts, NsFd::OpenCurrent(NsType::kUts));
  ASSERT_EQ(::mkdir((scratch() + "/sub").c_str(), 0700), 0);
  std::ofstream(scratch() + "/file").close();
  EXPECT_THAT(PinNamespace(uts, ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("the path is empty")));
  EXPECT_THAT(PinNamespace(uts, scratch() + "/sub/../pin"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(absl::StrCat("pin uts namespace at ", scratch(),
                                              "/sub/../pin: a pin path must not contain '..'"))));
  EXPECT_THAT(PinNamespace(uts, scratch() + "/file/"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ends in '/'")));
  EXPECT_THAT(UnpinNamespace(scratch() + "/sub/../file", true),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must not contain '..'")));
  EXPECT_FALSE(std::filesystem::exists(scratch() + "/pin"));
  EXPECT_TRUE(std::filesystem::exists(scratch() + "/file"));
}

// A relative path starts at the working directory; "." components are fine.
TEST_F(PinTest, RelativePathResolvesFromTheWorkingDirectory) {
  ASSERT_EQ(::mkdir((scratch() + "/sub").c_str(), 0700), 0);
  testing::ForkedReport r = testing::RunForkedAndReport([&] {
    if (::chdir(scratch().c_str()) != 0) return std::string("chdir failed");
    absl::StatusOr<NsFd> uts = NsFd::OpenCurrent(NsType::kUts);
    if (!uts.ok()) return uts.status().ToString();
    std::string out;
    for (const char* path : {"pin", "./sub/./pin"}) {
      absl::StatusOr<bool> created = PinNamespace(*uts, path);
      absl::StrAppend(&out, created.ok() ? "pinned" : created.status().ToString(), " | ");
    }
    absl::StatusOr<NsFd> pinned = NsFd::OpenPath(scratch() + "/sub/pin", NsType::kUts);
    absl::StrAppend(&out, pinned.ok() && pinned->id() == uts->id() ? "same" : "other", " | ");
    absl::StrAppend(&out, UnpinNamespace("pin", true).ToString(), " | ",
                    UnpinNamespace("sub/pin", true).ToString());
    return out;
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text, "pinned | pinned | same | OK | OK");
  EXPECT_FALSE(std::filesystem::exists(scratch() + "/pin"));
  EXPECT_FALSE(std::filesystem::exists(scratch() + "/sub/pin"));
}

TEST_F(PinTest, UnpinOfAPathThatIsNoMountIsFine) {
  const std::string path = scratch() + "/plain";
  std::ofstream(path).close();
  EXPECT_OK(UnpinNamespace(path, /*remove_file=*/true));
  EXPECT_FALSE(std::filesystem::exists(path));
}

// The mount point is found in mountinfo, where the kernel writes a space as
// \040 and a backslash as \134: the message names it as it is.
TEST_F(PinTest, MountNamespaceOnASharedMountNamesTheMountPointUnescaped) {
  const std::string dir = scratch() + "/shared dir\\1";
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  testing::ForkedReport r = testing::RunForkedAndReport([&] {
    // A mount namespace of this child's own, so its mounts die with it.
    if (::unshare(CLONE_NEWNS) != 0 ||
        ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=64k") != 0 ||
        ::mount(nullptr, dir.c_str(), nullptr, MS_SHARED, nullptr) != 0) {
      return std::string("setup failed");
    }
    absl::StatusOr<Namespace> ns = Namespace::Create({NsType::kMnt});
    if (!ns.ok()) return ns.status().ToString();
    const std::string pin = dir + "/pin";
    absl::StatusOr<bool> shared = PinNamespace(*ns->Find(NsType::kMnt), pin);
    std::string out = shared.status().ToString();
    // Private, the same mount takes the pin.
    if (::mount(nullptr, dir.c_str(), nullptr, MS_PRIVATE, nullptr) != 0) return out + " | remount";
    absl::StatusOr<bool> private_pin = PinNamespace(*ns->Find(NsType::kMnt), pin);
    absl::StrAppend(&out, " | ", private_pin.ok() ? "pinned" : private_pin.status().ToString());
    if (private_pin.ok()) {
      absl::StrAppend(&out, " | ", UnpinNamespace(pin, *private_pin).ToString());
    }
    return out;
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text,
            absl::StrCat("FAILED_PRECONDITION: pin mnt namespace at ", dir, "/pin: ", dir,
                         " is a shared mount, and a mount namespace cannot be pinned where the "
                         "pin would propagate (the kernel says EINVAL); pin it below a private "
                         "mount, e.g. after `mount --make-private ",
                         dir, "` | pinned | OK"));
}

}  // namespace
}  // namespace linuxns
