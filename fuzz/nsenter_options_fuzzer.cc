// The option parser of nsenter (examples/nsenter_options.h), in-process, on
// an argv made from the input (arguments separated by NUL bytes). Properties:
// the parse is deterministic (getopt's global state is reset between parses);
// an accepted command line obeys every combination rule the header and
// util-linux state: without a target pid, every namespace to enter has a file
// and -a, -e, -c, -N, "follow", and the target's root or working directory
// are absent; a file name is never empty; --wd and --wdns exclude each other;
// -N excludes --net=FILE; the command is the tail of argv; ids are not
// 4294967295 and a target pid is positive.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzz_util.h"
#include "nsenter_options.h"

namespace {

using linuxns::NsType;
using linuxns::tools::NsenterId;
using linuxns::tools::NsenterOptions;

std::string Id(const std::optional<NsenterId>& id) {
  if (!id) return "-";
  return id->follow ? "follow" : absl::StrCat(id->id);
}

std::string Fingerprint(const absl::StatusOr<NsenterOptions>& o) {
  if (!o.ok()) return o.status().ToString();
  std::string out = absl::StrCat(
      o->help, o->version, o->all, o->user_parent, o->preserve_credentials, o->keep_caps, o->env,
      o->no_fork, o->join_cgroup, " t=", o->target.value_or(-1), ":", o->target_inode.value_or(0),
      " N=", o->net_socket.value_or(-1), " S=", Id(o->uid), " G=", Id(o->gid),
      " r=", o->root.has_value(), o->root.value_or(""), " w=", o->wd.has_value(),
      o->wd.value_or(""), " W=", o->wdns.has_value(), o->wdns.value_or(""));
  for (NsType t : linuxns::kAllNsTypes) {
    absl::StrAppend(&out, " ", linuxns::NsTypeName(t), o->ns(t).enter, o->ns(t).file.has_value(),
                    o->ns(t).file.value_or(""));
  }
  for (const std::string& arg : o->command) absl::StrAppend(&out, " [", arg, "]");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  linuxns::fuzz::Argv argv("nsenter", data, size);
  const std::string shown = argv.Describe();
  std::optional<NsenterOptions> o = linuxns::fuzz::ParseTwice<NsenterOptions>(
      argv, [&](int argc, char** v) { return linuxns::tools::ParseNsenterOptions(argc, v); },
      Fingerprint);
  if (!o) return 0;
  if (o->help || o->version) {
    LINUXNS_FUZZ_CHECK(o->help != o->version, shown);
    return 0;
  }
  const bool target = o->target.has_value();
  if (target) LINUXNS_FUZZ_CHECK(*o->target > 0, shown);
  if (o->target_inode) LINUXNS_FUZZ_CHECK(target && *o->target_inode > 0, shown);
  for (NsType t : linuxns::kAllNsTypes) {
    const linuxns::tools::NsenterNamespace& ns = o->ns(t);
    if (ns.file) LINUXNS_FUZZ_CHECK(ns.enter && !ns.file->empty(), shown);
    if (ns.enter && !target) LINUXNS_FUZZ_CHECK(ns.file.has_value(), shown);
  }
  if (!target) {
    LINUXNS_FUZZ_CHECK(!o->all && !o->env && !o->join_cgroup && !o->net_socket, shown);
    LINUXNS_FUZZ_CHECK(!(o->uid && o->uid->follow) && !(o->gid && o->gid->follow), shown);
    LINUXNS_FUZZ_CHECK(!(o->root && o->root->empty()) && !(o->wd && o->wd->empty()), shown);
    if (o->user_parent) LINUXNS_FUZZ_CHECK(o->ns(NsType::kUser).file.has_value(), shown);
  }
  LINUXNS_FUZZ_CHECK(!(o->wd && o->wdns), shown);
  LINUXNS_FUZZ_CHECK(!(o->net_socket && o->ns(NsType::kNet).file), shown);
  if (o->net_socket) LINUXNS_FUZZ_CHECK(*o->net_socket >= 0, shown);
  for (const std::optional<NsenterId>* id : {&o->uid, &o->gid}) {
    if (*id && !(*id)->follow) LINUXNS_FUZZ_CHECK((*id)->id != 0xFFFFFFFFu, shown);
  }
  LINUXNS_FUZZ_CHECK(o->command.empty() || linuxns::fuzz::IsSuffix(o->command, argv.args()), shown);
  return 0;
}
