// Options to plan, field by field, without a clone: BuildSpawn() of the
// spawn corridor (lib/internal/spawn_plan.h) decides the launch once and
// renders every field into the child's program. And the order of the
// child's steps, stated once (kSpawnStepOrder), held against the code that
// runs them and the order the public header documents.
#include "internal/spawn_plan.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/namespace.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns::internal {
namespace {

using linuxns::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::unique_ptr<PreparedSpawn> Build(const SpawnOptions& o,
                                     SpawnTarget target = SpawnTarget::kChild) {
  absl::StatusOr<std::unique_ptr<PreparedSpawn>> p = BuildSpawn(o, target);
  EXPECT_OK(p.status());
  return p.ok() ? std::move(*p) : nullptr;
}

SpawnOptions True() {
  SpawnOptions o;
  o.argv = {"/bin/true"};
  return o;
}

TEST(SpawnPlanTest, APlainSpawnIsVforkFromTheCallingThread) {
  const SpawnOptions o = True();
  auto p = Build(o);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->mode, LaunchMode::kVfork);
  EXPECT_STREQ(LaunchModeName(p->mode), "vfork");
  EXPECT_FALSE(p->on_spawner_thread);
  EXPECT_EQ(p->pid_join, nullptr);
  EXPECT_EQ(p->plan.wait_fd, -1);
  EXPECT_EQ(p->plan.report_fd, -1) << "the outcome is in shared memory";
  EXPECT_FALSE(p->go_parent.valid());
  EXPECT_NE(p->stack, nullptr);
  EXPECT_FALSE(p->own_stack.has_value()) << "a vfork child runs on the thread's stack";
  EXPECT_EQ(p->plan.after_joins_stack, nullptr);
  EXPECT_TRUE(p->plan.must_clear_handlers);
  EXPECT_EQ(p->plan.reset_signals, 0u) << "ignored signals stay ignored, as across execve";
  EXPECT_EQ(p->plan.parent_pidfd, -1);
  EXPECT_EQ(p->plan.caller_uid[0], -1);
}

TEST(SpawnPlanTest, TheCommandIsRenderedAndSearchedHereWhenTheFilesAreOurs) {
  SpawnOptions o;
  o.argv = {"true", "a b"};
  o.env = std::vector<std::string>{"PATH=/usr/bin:/bin", "X=1"};
  auto p = Build(o);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->plan.candidate_count, 1);
  EXPECT_THAT(p->plan.candidates[0],
              ::testing::AnyOf(::testing::StrEq("/usr/bin/true"), ::testing::StrEq("/bin/true")));
  EXPECT_STREQ(p->plan.argv[0], "true");
  EXPECT_STREQ(p->plan.argv[1], "a b");
  EXPECT_EQ(p->plan.argv[2], nullptr);
  EXPECT_STREQ(p->plan.envp[1], "X=1");
  EXPECT_EQ(p->plan.envp[2], nullptr);
}

TEST(SpawnPlanTest, InANewMountNamespaceEveryPathCandidateIsTriedByTheChild) {
  SpawnOptions o;
  o.argv = {"linuxns-no-such-command"};
  o.env = std::vector<std::string>{"PATH=/a:/b:"};
  o.new_namespaces = {NsType::kMnt};
  auto p = Build(o);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->plan.candidate_count, 3);
  EXPECT_STREQ(p->plan.candidates[0], "/a/linuxns-no-such-command");
  EXPECT_STREQ(p->plan.candidates[2], "./linuxns-no-such-command");
  EXPECT_EQ(p->plan.propagation, static_cast<unsigned long>(MS_REC | MS_PRIVATE));
}

TEST(SpawnPlanTest, ACommandMissingHereIsNotFoundWithAnExecFailure) {
  SpawnOptions o;
  o.argv = {"linuxns-no-such-command"};
  absl::StatusOr<std::unique_ptr<PreparedSpawn>> p = BuildSpawn(o, SpawnTarget::kChild);
  EXPECT_THAT(p, StatusIs(absl::StatusCode::kNotFound, HasSubstr("not found in PATH")));
}

TEST(SpawnPlanTest, SetupFieldsAreRenderedOneByOne) {
  SpawnOptions o = True();
  o.new_namespaces = {NsType::kUts, NsType::kMnt, NsType::kNet};
  o.hostname = "box";
  o.domainname = "dom";
  o.propagation = Propagation::kSlave;
  o.mounts = {MountSpec::Tmpfs("/tmp", "size=1m"), MountSpec::Bind("/usr", "/usr", true)};
  o.mount_proc = true;
  o.mount_proc_at = "/p";
  o.mount_sys = true;
  o.loopback_up = true;
  o.cwd = "/w";
  o.umask = 027;
  o.new_session = true;
  o.rlimits = {Rlimit{RLIMIT_NOFILE, 64, 128}};
  o.groups = std::vector<gid_t>{7, 8};
  o.gid = 5;
  o.uid = 6;
  o.no_new_privs = true;
  o.drop_bounding_capabilities = {21};
  o.parent_death_signal = SIGTERM;
  auto p = Build(o);
  ASSERT_NE(p, nullptr);
  const child::SpawnPlan& plan = p->plan;
  EXPECT_EQ(std::string(plan.hostname, plan.hostname_len), "box");
  EXPECT_EQ(std::string(plan.domainname, plan.domainname_len), "dom");
  EXPECT_EQ(plan.propagation, static_cast<unsigned long>(MS_REC | MS_SLAVE));
  ASSERT_EQ(plan.mount_count, 2);
  EXPECT_TRUE(plan.mounts[0].tmpfs);
  EXPECT_STREQ(plan.mounts[0].options, "size=1m");
  EXPECT_STREQ(plan.mounts[1].source, "/usr");
  EXPECT_TRUE(plan.mounts[1].read_only);
  EXPECT_TRUE(plan.mount_proc);
  EXPECT_STREQ(plan.proc_target, "/p");
  EXPECT_TRUE(plan.mount_sys);
  EXPECT_TRUE(plan.loopback_up);
  EXPECT_STREQ(plan.cwd, "/w");
  EXPECT_EQ(plan.umask, 027);
  EXPECT_TRUE(plan.new_session);
  ASSERT_EQ(plan.rlimit_count, 1);
  EXPECT_EQ(plan.rlimits[0].resource, RLIMIT_NOFILE);
  EXPECT_EQ(plan.rlimits[0].soft, 64u);
  EXPECT_EQ(plan.rlimits[0].hard, 128u);
  ASSERT_EQ(plan.group_count, 2);
  EXPECT_EQ(plan.groups[1], 8u);
  EXPECT_EQ(plan.gid, 5);
  EXPECT_EQ(plan.uid, 6);
  EXPECT_TRUE(plan.no_new_privs);
  ASSERT_EQ(plan.drop_bounding_count, 1);
  EXPECT_EQ(plan.drop_bounding[0], 21);
  EXPECT_EQ(plan.parent_death_signal, SIGTERM);
  EXPECT_EQ(p->clone_types, (NsTypeSet{NsType::kUts, NsType::kMnt, NsType::kNet}));
  EXPECT_EQ(p->mode, LaunchMode::kVfork);
}

TEST(SpawnPlanTest, DescriptorMovesAndTheKeptListComeFromFdsAndStdio) {
  UniqueFd a(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  UniqueFd b(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  SpawnOptions o = True();
  o.fds = {{a.get(), 9}, {b.get(), 4}};
  o.stdout_mode = Stdio::kPipe;
  o.stderr_mode = Stdio::kNull;
  auto p = Build(o);
  ASSERT_NE(p, nullptr);
  const child::SpawnPlan& plan = p->plan;
  ASSERT_EQ(plan.move_count, 4);
  EXPECT_EQ(plan.moves[0].source, a.get());
  EXPECT_EQ(plan.moves[0].target, 9);
  EXPECT_EQ(plan.moves[1].target, 4);
  EXPECT_EQ(plan.moves[2].target, 1);
  EXPECT_EQ(plan.moves[3].target, 2);
  EXPECT_EQ(plan.move_floor, 10);
  EXPECT_THAT(std::vector<int>(plan.keep, plan.keep + plan.keep_count), ElementsAre(4, 9));
  EXPECT_TRUE(p->parent_ends[1].valid());
  EXPECT_FALSE(p->parent_ends[2].valid());
  EXPECT_FALSE(plan.inherit_fds);
}

TEST(SpawnPlanTest, InitGetsTheReportPipeAndTheImageAboveEveryTarget) {
  LINUXNS_SKIP_UNLESS_ROOT();
  UniqueFd a(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  SpawnOptions o = True();
  o.new_namespaces = {NsType::kPid};
  o.init = true;
  o.fds = {{a.get(), 20}};
  auto p = Build(o);
  ASSERT_NE(p, nullptr);
  const child::SpawnPlan& plan = p->plan;
  EXPECT_EQ(p->mode, LaunchMode::kVfork);
  EXPECT_GT(plan.report_fd, 20);
  EXPECT_GT(plan.exec_fd, 20);
  EXPECT_STREQ(plan.argv[0], "linuxns-init");
  EXPECT_EQ(std::string(plan.argv[1]), absl::StrCat("--report-fd=", plan.report_fd));
  EXPECT_STREQ(plan.argv[3], "/bin/true");
  std::vector<int> keep(plan.keep, plan.keep + plan.keep_count);
  EXPECT_TRUE(std::is_sorted(keep.begin(), keep.end()));
  EXPECT_THAT(keep, ::testing::Contains(plan.report_fd));
  EXPECT_THAT(keep, ::testing::Contains(plan.exec_fd));
}

TEST(SpawnPlanTest, MapsBeyondTheCallersOwnIdMakeTheParentActFirst) {
  SpawnOptions o = True();
  o.new_namespaces = {NsType::kUser};
  ASSERT_OK_AND_ASSIGN(IdMap wide, IdMap::Parse("0 100000 1000"));
  o.uid_map = wide;
  auto p = Build(o);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->mode, LaunchMode::kParentActsFirst);
  EXPECT_TRUE(p->parent_writes_maps);
  EXPECT_TRUE(p->go_parent.valid());
  EXPECT_EQ(p->plan.wait_fd, p->go_child.get());
  EXPECT_GE(p->plan.report_fd, 3);
  EXPECT_TRUE(p->own_stack.has_value()) << "the child runs while the parent works";
  EXPECT_EQ(p->plan.uid_map, nullptr) << "the parent writes it";
}

TEST(SpawnPlanTest, TheCallersOwnIdIsMappedByTheChildWithoutARoundTrip) {
  SpawnOptions o = True();
  o.MapCurrentUserToRoot();
  auto p = Build(o);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->mode, LaunchMode::kVfork);
  EXPECT_FALSE(p->parent_writes_maps);
  EXPECT_EQ(std::string(p->plan.uid_map, p->plan.uid_map_len),
            absl::StrCat("0 ", ::geteuid(), " 1\n"));
  EXPECT_TRUE(p->plan.write_setgroups_deny);
}

TEST(SpawnPlanTest, PinsMakeTheParentActFirst) {
  SpawnOptions o = True();
  o.new_namespaces = {NsType::kUts};
  o.pins = {NsPin{NsType::kUts, "/tmp/linuxns-never-made"}};
  auto p = Build(o);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->mode, LaunchMode::kParentActsFirst);
  EXPECT_TRUE(p->parent_pins);
  EXPECT_FALSE(p->parent_writes_maps);
}

TEST(SpawnPlanTest, KillOnParentDeathIsClonedByTheSpawnerThreadAsTheCaller) {
  SpawnOptions o = True();
  o.kill_on_parent_death = true;
  auto p = Build(o);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->mode, LaunchMode::kVfork);
  EXPECT_TRUE(p->on_spawner_thread);
  EXPECT_EQ(p->caller_tid, ::gettid());
  EXPECT_GE(p->plan.parent_pidfd, 0);
  // This thread's ids are the process's (as after any glibc set*id): the
  // child keeps those it is cloned with (LaunchModesTest has a thread whose
  // ids differ).
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(p->plan.caller_uid[i], -1) << i;
    EXPECT_EQ(p->plan.caller_gid[i], -1) << i;
  }
  EXPECT_EQ(p->plan.caller_group_count, -1);
  const mode_t mask = ::umask(022);
  ::umask(mask);
  EXPECT_EQ(p->plan.umask, static_cast<int>(mask)) << "the calling thread's umask";
}

TEST(SpawnPlanTest, APidJoinIsMadeByTheChildWhichClonesTheProcessThatExecs) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace target, Namespace::Create({NsType::kPid, NsType::kUts}));
  SpawnOptions o = True();
  o.join = {target.Find(NsType::kPid), target.Find(NsType::kUts)};
  auto p = Build(o);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->mode, LaunchMode::kVforkJoiner);
  EXPECT_FALSE(p->on_spawner_thread);
  EXPECT_EQ(p->pid_join, nullptr);
  EXPECT_NE(p->plan.after_joins_stack, nullptr);
  ASSERT_EQ(p->plan.join_count, 2);
  EXPECT_EQ(p->plan.join_types[1], CLONE_NEWPID) << "the pid join comes last";

  // With pins, the parent acts first and the spawner thread enters the pid
  // namespace to clone.
  o.new_namespaces = {NsType::kNet};
  o.pins = {NsPin{NsType::kNet, "/tmp/linuxns-never-made"}};
  auto q = Build(o);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->mode, LaunchMode::kParentActsFirst);
  EXPECT_TRUE(q->on_spawner_thread);
  EXPECT_EQ(q->pid_join, target.Find(NsType::kPid));
  EXPECT_EQ(q->plan.join_count, 1);
}

TEST(SpawnPlanTest, JoiningATimeNamespaceNeedsMemoryOfItsOwn) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace target, Namespace::Create({NsType::kTime}));
  SpawnOptions o = True();
  o.join = {target.Find(NsType::kTime)};
  auto p = Build(o);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->mode, LaunchMode::kOwnMemory);
  EXPECT_GE(p->plan.report_fd, 3);
  EXPECT_FALSE(p->go_parent.valid()) << "nothing for the parent to do first";
}

TEST(SpawnPlanTest, ResetIgnoredSignalsResetsEverySignal) {
  SpawnOptions o = True();
  o.reset_ignored_signals = true;
  auto p = Build(o);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->plan.reset_signals, ~0ULL);
}

TEST(SpawnPlanTest, InPlaceHasNoLaunchAndKeepsThePidJoinInThePlan) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace target, Namespace::Create({NsType::kPid}));
  SpawnOptions o = True();
  o.join = {target.Find(NsType::kPid)};
  o.stdin_mode = Stdio::kNull;
  auto p = Build(o, SpawnTarget::kInPlace);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->pid_join, nullptr);
  ASSERT_EQ(p->plan.join_count, 1);
  EXPECT_EQ(p->plan.join_types[0], CLONE_NEWPID);
  EXPECT_EQ(p->plan.report_fd, -1);
  EXPECT_EQ(p->stack, nullptr);
  EXPECT_FALSE(p->plan.must_clear_handlers);
  ASSERT_EQ(p->plan.move_count, 1) << "stdin from /dev/null";
  EXPECT_EQ(p->plan.moves[0].target, 0);
}

TEST(SpawnPlanTest, InPlaceRefusesWhatNeedsAChild) {
  SpawnOptions o = True();
  o.stdout_mode = Stdio::kPipe;
  EXPECT_THAT(BuildSpawn(o, SpawnTarget::kInPlace),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kPipe")));
  o = True();
  o.kill_on_parent_death = true;
  EXPECT_THAT(BuildSpawn(o, SpawnTarget::kInPlace),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kill_on_parent_death")));
}

// --- The order of the steps, stated once -------------------------------

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The SpawnStep names in `text`, in order of appearance.
std::vector<std::string> StepsIn(const std::string& text) {
  std::vector<std::string> steps;
  const std::string marker = "SpawnStep::k";
  for (std::size_t at = text.find(marker); at != std::string::npos;
       at = text.find(marker, at + 1)) {
    std::size_t end = at + marker.size();
    while (end < text.size() && std::isalnum(static_cast<unsigned char>(text[end]))) ++end;
    steps.push_back(text.substr(at + marker.size() - 1, end - at - marker.size() + 1));
  }
  return steps;
}

// Each name's position in kSpawnStepOrder.
std::map<std::string, int> OrderPositions() {
  // The names, as spelled in lib/child/spawn.h, in the order of the array.
  const std::string header = Slurp(LINUXNS_SOURCE_DIR "/lib/child/spawn.h");
  const std::size_t from = header.find("kSpawnStepOrder[] = {");
  const std::size_t to = header.find("};", from);
  std::vector<std::string> names = StepsIn(header.substr(from, to - from));
  EXPECT_EQ(names.size(), std::size(child::kSpawnStepOrder));
  std::map<std::string, int> at;
  for (std::size_t i = 0; i < names.size(); ++i) at[names[i]] = static_cast<int>(i);
  return at;
}

// The steps a function body of `file` fails with must come in the stated
// order.
void ExpectInOrder(const std::string& file, const std::string& from, const std::string& to) {
  const std::string text = Slurp(std::string(LINUXNS_SOURCE_DIR) + "/" + file);
  const std::size_t a = text.rfind(from);  // the definition, after any declaration
  ASSERT_NE(a, std::string::npos) << from;
  const std::size_t b = text.find(to, a + from.size());
  ASSERT_NE(b, std::string::npos) << to;
  const std::map<std::string, int> order = OrderPositions();
  int last = -1;
  std::string last_name;
  for (const std::string& step : StepsIn(text.substr(a, b - a))) {
    if (step == "kNone") continue;
    auto it = order.find(step);
    ASSERT_NE(it, order.end()) << step << " is missing from kSpawnStepOrder";
    EXPECT_GE(it->second, last) << file << ": " << step << " comes after " << last_name
                                << " in the code, before it in kSpawnStepOrder";
    if (it->second > last) {
      last = it->second;
      last_name = step;
    }
  }
}

TEST(SpawnStepOrderTest, EveryStepIsListedOnce) {
  std::vector<int> seen;
  for (child::SpawnStep s : child::kSpawnStepOrder) seen.push_back(static_cast<int>(s));
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());
  EXPECT_EQ(child::kSpawnStepOrder[std::size(child::kSpawnStepOrder) - 1], child::SpawnStep::kExec);
}

TEST(SpawnStepOrderTest, TheChildRunsTheStepsInTheStatedOrder) {
  ExpectInOrder("lib/child/spawn.cc", "\nbool RunSpawnSteps(", "\nbool RunStepsAfterJoins(");
  ExpectInOrder("lib/child/spawn.cc", "\nbool RunStepsAfterJoins(", "\nint SpawnMain(");
  ExpectInOrder("lib/child/mounts.cc", "\nbool ApplyMounts(", "\n}  // namespace linuxns");
}

// The public header's numbered list (linuxns/spawn_options.h) follows the
// same order: each step's first mention there, by a word the list uses for
// it, comes no earlier than the previous step's.
TEST(SpawnStepOrderTest, TheHeaderDocumentsTheStatedOrder) {
  const std::string header = Slurp(LINUXNS_SOURCE_DIR "/include/linuxns/spawn_options.h");
  const std::size_t from = header.find("// What each field does, in the order");
  const std::size_t to = header.find("// Thread-safety", from);
  ASSERT_NE(from, std::string::npos);
  const std::string list = header.substr(from, to - from);
  const std::vector<std::pair<child::SpawnStep, const char*>> words = {
      {child::SpawnStep::kWriteUidMap, "uid_map"},
      {child::SpawnStep::kWriteTimensOffsets, "time_offsets"},
      {child::SpawnStep::kSetns, "4. join"},
      {child::SpawnStep::kPropagation, "propagation"},
      {child::SpawnStep::kEnterRoot, "root_fd"},
      {child::SpawnStep::kEnterCwd, "cwd_fd"},
      {child::SpawnStep::kSethostname, "hostname"},
      {child::SpawnStep::kRootBind, "`root` is bind-mounted"},
      {child::SpawnStep::kMountProc, "mount_proc"},
      {child::SpawnStep::kMountSys, "mount_sys"},
      {child::SpawnStep::kPivotRoot, "chroot or pivot_root"},
      {child::SpawnStep::kLoopback, "loopback_up"},
      {child::SpawnStep::kChdir, "10. cwd"},
      {child::SpawnStep::kRlimit, "rlimits"},
      {child::SpawnStep::kDropBounding, "drop_bounding_capabilities"},
      {child::SpawnStep::kSetuid, "uid (in that"},
      {child::SpawnStep::kNoNewPrivs, "no_new_privs"},
      {child::SpawnStep::kParentDeathSignal, "kill_on_parent_death"},
      {child::SpawnStep::kDupFd, "descriptors"},
      {child::SpawnStep::kResetSignals, "signals:"},
      {child::SpawnStep::kSeccomp, "14. seccomp"},
      {child::SpawnStep::kExec, "execve"},
  };
  auto position = [](child::SpawnStep s) {
    return std::find(std::begin(child::kSpawnStepOrder), std::end(child::kSpawnStepOrder), s) -
           std::begin(child::kSpawnStepOrder);
  };
  std::size_t last_at = 0;
  long last_step = -1;
  for (const auto& [step, word] : words) {
    const std::size_t at = list.find(word);
    ASSERT_NE(at, std::string::npos) << word;
    EXPECT_GT(position(step), last_step) << word;
    EXPECT_GE(at, last_at) << "\"" << word << "\" is documented before the step before it";
    last_at = at;
    last_step = position(step);
  }
}

}  // namespace
}  // namespace linuxns::internal
