// The option parser of unshare (examples/unshare_options.h), in-process, on
// an argv made from the input (arguments separated by NUL bytes), with a
// fixed UnshareEnvironment (euid/egid 1000, subordinate ids and the
// caller's maps in files of a private temporary directory). Properties: the
// parse is deterministic (getopt's global state is reset between parses);
// an accepted command line is consistent: every implication util-linux
// documents holds (maps, --owner -> user; --mount-proc -> mnt; time offsets
// -> time; --kill-child, --forward-signals -> fork), pins name new
// namespaces, at most one each, setgroups is not both denied and allowed,
// each map obeys IdMap's rules and formats back to itself, and the command is
// the tail of argv.
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "fuzz_util.h"
#include "unshare_options.h"

namespace {

using linuxns::IdMap;
using linuxns::NsType;
using linuxns::tools::UnshareEnvironment;
using linuxns::tools::UnshareOptions;

UnshareEnvironment* env = nullptr;
std::string* env_dir = nullptr;

void RemoveEnvironment() {
  std::error_code ignored;
  std::filesystem::remove_all(*env_dir, ignored);
}

void Write(const std::string& path, const char* text) {
  std::ofstream out(path);
  out << text;
}

std::string Map(const std::optional<IdMap>& map) { return map ? map->ToString() : "-"; }

std::string Fingerprint(const absl::StatusOr<UnshareOptions>& o) {
  if (!o.ok()) return o.status().ToString();
  std::string out = absl::StrCat(
      o->help, o->version, o->fork, o->deny_setgroups, o->allow_setgroups, o->forward_signals,
      o->keep_caps, o->clear_env, " ", o->types.ToString(), " proc=", o->mount_proc.value_or("-"),
      " prop=", static_cast<int>(o->propagation), " R=", o->root.value_or("-"),
      " w=", o->wd.value_or("-"), " S=", o->setuid.value_or(-1), " G=", o->setgid.value_or(-1),
      " uid_map=", Map(o->uid_map), " gid_map=", Map(o->gid_map),
      " owner=", o->owner_uid.value_or(-1), ":", o->owner_gid.value_or(-1),
      " kill=", o->kill_child_signal.value_or(0),
      " mono=", absl::FormatDuration(o->monotonic.value_or(absl::ZeroDuration())),
      " boot=", absl::FormatDuration(o->boottime.value_or(absl::ZeroDuration())));
  for (const linuxns::NsPin& pin : o->pins) {
    absl::StrAppend(&out, " pin ", linuxns::NsTypeName(pin.type), "=", pin.path);
  }
  if (o->whitelist_env) {
    for (const std::string& name : *o->whitelist_env) absl::StrAppend(&out, " env ", name);
  }
  for (const std::string& arg : o->command) absl::StrAppend(&out, " [", arg, "]");
  return out;
}

void CheckMap(const std::optional<IdMap>& map, const std::string& shown) {
  if (!map) return;
  absl::StatusOr<IdMap> again = IdMap::Parse(map->ToString());
  LINUXNS_FUZZ_CHECK(again.ok() && *again == *map, shown + map->ToString());
  absl::StatusOr<IdMap> created = IdMap::Create(map->entries());
  LINUXNS_FUZZ_CHECK(created.ok(), shown + created.status().ToString());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char dir[] = "/tmp/linuxns-fuzz-unshare.XXXXXX";
  if (::mkdtemp(dir) == nullptr) std::abort();
  env_dir = new std::string(dir);
  env = new UnshareEnvironment;
  env->euid = 1000;
  env->egid = 1000;
  env->subuid_file = *env_dir + "/subuid";
  env->subgid_file = *env_dir + "/subgid";
  env->uid_map_file = *env_dir + "/uid_map";
  env->gid_map_file = *env_dir + "/gid_map";
  Write(env->subuid_file, "# test\nother:200000:65536\n1000:100000:65536\n");
  Write(env->subgid_file, "1000:100000:65536\n");
  Write(env->uid_map_file, "         0          0 4294967295\n");
  Write(env->gid_map_file, "         0       1000          1\n         1     100000      65536\n");
  std::atexit(RemoveEnvironment);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  linuxns::fuzz::Argv argv("unshare", data, size);
  const std::string shown = argv.Describe();
  std::optional<UnshareOptions> o = linuxns::fuzz::ParseTwice<UnshareOptions>(
      argv, [&](int argc, char** v) { return linuxns::tools::ParseUnshareOptions(argc, v, *env); },
      Fingerprint, {absl::StatusCode::kNotFound});
  if (!o) return 0;
  if (o->help || o->version) {
    LINUXNS_FUZZ_CHECK(o->help != o->version, shown);
    return 0;
  }
  const auto has = [&](NsType t) { return o->types.Contains(t); };
  if (o->uid_map || o->gid_map || o->owner_uid) LINUXNS_FUZZ_CHECK(has(NsType::kUser), shown);
  LINUXNS_FUZZ_CHECK(o->owner_uid.has_value() == o->owner_gid.has_value(), shown);
  if (o->mount_proc) LINUXNS_FUZZ_CHECK(has(NsType::kMnt), shown);
  if (o->monotonic || o->boottime) LINUXNS_FUZZ_CHECK(has(NsType::kTime), shown);
  if (o->kill_child_signal || o->forward_signals) LINUXNS_FUZZ_CHECK(o->fork, shown);
  if (o->kill_child_signal) {
    LINUXNS_FUZZ_CHECK(*o->kill_child_signal > 0 && *o->kill_child_signal <= SIGRTMAX, shown);
  }
  linuxns::NsTypeSet pinned;
  for (const linuxns::NsPin& pin : o->pins) {
    LINUXNS_FUZZ_CHECK(has(pin.type) && !pinned.Contains(pin.type), shown);
    pinned.Add(pin.type);
  }
  LINUXNS_FUZZ_CHECK(!(o->deny_setgroups && o->allow_setgroups), shown);
  CheckMap(o->uid_map, shown);
  CheckMap(o->gid_map, shown);
  if (o->setuid) LINUXNS_FUZZ_CHECK(*o->setuid != static_cast<uid_t>(-1), shown);
  if (o->setgid) LINUXNS_FUZZ_CHECK(*o->setgid != static_cast<gid_t>(-1), shown);
  if (o->whitelist_env) {
    for (const std::string& name : *o->whitelist_env) {
      LINUXNS_FUZZ_CHECK(!name.empty() && name.find(',') == std::string::npos, shown);
    }
  }
  LINUXNS_FUZZ_CHECK(o->command.empty() || linuxns::fuzz::IsSuffix(o->command, argv.args()), shown);
  return 0;
}
