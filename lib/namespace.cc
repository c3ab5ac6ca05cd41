#include "linuxns/namespace.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <string>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "child/holder.h"
#include "internal/clone.h"
#include "internal/kernel.h"
#include "internal/spawn_parent.h"
#include "linuxns/pin.h"
#include "linuxns/status.h"

namespace linuxns {
namespace {

constexpr std::size_t kHolderStackSize = std::size_t{32} * 1024;

// The maps of options: explicit ones, else those of user_mapping. Written
// by the one id-map writer of the spawn path (internal/spawn_parent.h), so a
// map this process may not write goes through newuidmap/newgidmap.
absl::Status WriteUserMaps(pid_t pid, const NamespaceOptions& options) {
  const std::optional<IdMap> uid_map =
      options.uid_map ? options.uid_map : OwnIdMap(options.user_mapping, ::geteuid());
  const std::optional<IdMap> gid_map =
      options.gid_map ? options.gid_map : OwnIdMap(options.user_mapping, ::getegid());
  if (!uid_map && !gid_map) return absl::OkStatus();
  return internal::WriteIdMaps(pid, uid_map ? &*uid_map : nullptr, gid_map ? &*gid_map : nullptr,
                               /*deny_setgroups=*/true, "writing the new user namespace's maps");
}

absl::Status HolderFailure(child::HolderStep step, int err) {
  const char* what = "namespace holder";
  switch (step) {
    case child::HolderStep::kCloseFds:
      what = "namespace holder: close_range";
      break;
    case child::HolderStep::kIgnoreSigchld:
      what = "namespace holder: ignore SIGCHLD";
      break;
    case child::HolderStep::kUnshareTime:
      what = "namespace holder: unshare time namespace";
      break;
    case child::HolderStep::kOpenTimensOffsets:
      what = "namespace holder: open /proc/self/timens_offsets";
      break;
    case child::HolderStep::kWriteTimensOffsets:
      what = "namespace holder: write /proc/self/timens_offsets";
      break;
    case child::HolderStep::kReady:
      break;
  }
  if (step == child::HolderStep::kUnshareTime) {
    return internal::DescribeCloneError(err, CloneFlag(NsType::kTime), what);
  }
  return ErrnoError(err, what);
}

// Waits for the holder's one report.
absl::Status ReadHolderReport(const UniqueFd& pipe) {
  child::HolderReport report{};
  ssize_t n;
  do {
    n = ::read(pipe.get(), &report, sizeof report);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoError(errno, "read namespace holder report");
  if (n != sizeof report) {
    return absl::InternalError("namespace holder exited without reporting");
  }
  if (report.step != child::HolderStep::kReady) {
    return HolderFailure(report.step, report.err);
  }
  // Wait for end-of-file too: the holder has then closed its last descriptor
  // but the parent's pidfd.
  char extra;
  while ((n = ::read(pipe.get(), &extra, 1)) < 0 && errno == EINTR) {
  }
  return absl::OkStatus();
}

}  // namespace

Namespace::Namespace() = default;
Namespace::Namespace(Namespace&& other) noexcept { *this = std::move(other); }

Namespace& Namespace::operator=(Namespace&& other) noexcept {
  if (this != &other) {
    Reset();
    types_ = std::exchange(other.types_, NsTypeSet());
    fds_ = std::move(other.fds_);
    for (auto& fd : other.fds_) fd.reset();
    pins_ = std::exchange(other.pins_, {});
    holder_ = std::move(other.holder_);
    holder_stack_ = std::move(other.holder_stack_);
    creator_pid_ = std::exchange(other.creator_pid_, 0);
  }
  return *this;
}

Namespace::~Namespace() { Reset(); }

void Namespace::Reset() {
  if (creator_pid_ != 0 && creator_pid_ != ::getpid()) {
    // A fork child's copy: the holder, the pins and the holder's stack (in
    // the creator's memory; ours is a private copy of it) belong to the
    // creator. Close our descriptors only. Killing the holder from here would
    // empty the creator's pid namespace, and unpinning (in the mount
    // namespace we usually still share with it) would remove its pins.
    for (auto& fd : fds_) fd.reset();
    pins_.clear();
    holder_ = PidFd();
    holder_stack_.reset();
    types_ = NsTypeSet();
    creator_pid_ = 0;
    return;
  }
  while (!pins_.empty()) {
    // Best effort: the destructor cannot report. Drop the record either way.
    std::string path = pins_.back().path;
    if (!Unpin(path).ok()) pins_.pop_back();
  }
  for (auto& fd : fds_) fd.reset();
  if (holder_.valid()) {
    // A holder that cannot be reaped must keep its stack: it runs on it.
    if (!internal::KillAndReap(holder_).ok()) holder_stack_->Leak();
    holder_stack_.reset();
    holder_ = PidFd();
  }
  types_ = NsTypeSet();
  creator_pid_ = 0;
}

absl::StatusOr<Namespace> Namespace::Create(NsTypeSet types, const NamespaceOptions& options) {
  // Options imply the namespace they need, as SpawnOptions' do.
  if (options.time_offsets.has_value()) types.Add(NsType::kTime);
  if (options.uid_map || options.gid_map) types.Add(NsType::kUser);
  if (types.empty()) {
    return absl::InvalidArgumentError("Namespace::Create: no namespace type given");
  }

  // Everything the holder needs is prepared here, before the clone.
  const bool pid_init = types.Contains(NsType::kPid);
  const bool unshare_time = types.Contains(NsType::kTime);
  const std::string offsets = options.time_offsets ? ToProcText(*options.time_offsets) : "";
  LINUXNS_ASSIGN_OR_RETURN(PidFd self, PidFd::Self());
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return ErrnoError(errno, "pipe2");
  UniqueFd report_read(pipe_fds[0]);
  UniqueFd report_write(pipe_fds[1]);
  LINUXNS_ASSIGN_OR_RETURN(internal::ChildStack stack,
                           internal::ChildStack::Allocate(kHolderStackSize));
  child::HolderPlan plan;
  plan.parent_pidfd = self.get();
  plan.report_fd = report_write.get();
  plan.pid_init = pid_init;
  plan.unshare_time = unshare_time;
  plan.timens_offsets = offsets.data();
  plan.timens_offsets_len = offsets.size();

  internal::CloneSpec spec;
  spec.flags = (types - NsTypeSet{NsType::kTime}).ToCloneFlags();
  spec.fn = &child::HolderMain;
  spec.arg = &plan;
  spec.stack = &stack;
  LINUXNS_ASSIGN_OR_RETURN(PidFd holder, internal::CloneVm(spec));
  report_write.reset();
  bool keep_holder = false;
  absl::Cleanup reap = [&holder, &stack, &keep_holder] {
    if (keep_holder) return;
    if (!internal::KillAndReap(holder).ok()) stack.Leak();
  };

  if (types.Contains(NsType::kUser)) {
    LINUXNS_RETURN_IF_ERROR(WriteUserMaps(holder.pid(), options));
  }
  // The holder reads `plan` and `offsets` only until it reports; wait when it
  // has work to do (and, as PID 1, until it reaps orphans).
  if (pid_init || unshare_time) LINUXNS_RETURN_IF_ERROR(ReadHolderReport(report_read));

  Namespace ns;
  for (NsType t : types) {
    absl::StatusOr<NsFd> fd =
        t == NsType::kTime ? NsFd::FromPidFdForChildren(holder, t) : NsFd::FromPidFd(holder, t);
    if (!fd.ok()) return WithContext(fd.status(), "opening a new namespace");
    ns.fds_[static_cast<std::size_t>(t)] = std::move(*fd);
  }
  ns.types_ = types;
  ns.creator_pid_ = ::getpid();
  if (pid_init) {
    keep_holder = true;
    ns.holder_ = std::move(holder);
    ns.holder_stack_ = std::make_unique<internal::ChildStack>(std::move(stack));
  }
  return ns;
}

const NsFd* Namespace::Find(NsType type) const {
  const std::optional<NsFd>& fd = fds_[static_cast<std::size_t>(type)];
  return fd.has_value() ? &*fd : nullptr;
}

absl::Status Namespace::Pin(NsType type, const std::string& path) {
  const NsFd* ns = Find(type);
  if (ns == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("pin ", NsTypeName(type), " namespace at ", path,
                                                   ": this Namespace holds no ", NsTypeName(type),
                                                   " namespace"));
  }
  LINUXNS_ASSIGN_OR_RETURN(bool created, PinNamespace(*ns, path));
  pins_.push_back(PinRecord{type, path, created});
  return absl::OkStatus();
}

absl::Status Namespace::Unpin(const std::string& path) {
  auto it =
      std::find_if(pins_.begin(), pins_.end(), [&](const PinRecord& p) { return p.path == path; });
  if (it == pins_.end()) {
    return absl::NotFoundError(absl::StrCat("unpin ", path, ": not pinned by this Namespace"));
  }
  LINUXNS_RETURN_IF_ERROR(UnpinNamespace(path, it->created_file));
  pins_.erase(it);
  return absl::OkStatus();
}

std::vector<std::string> Namespace::pinned_paths() const {
  std::vector<std::string> paths;
  for (const PinRecord& p : pins_) paths.push_back(p.path);
  return paths;
}

void Namespace::Release() {
  pins_.clear();
  for (auto& fd : fds_) fd.reset();
  // The holder lives on until the creating process exits; so must its stack.
  if (holder_stack_) holder_stack_->Leak();
  holder_stack_.reset();
  holder_ = PidFd();
  types_ = NsTypeSet();
  creator_pid_ = 0;
}

}  // namespace linuxns
