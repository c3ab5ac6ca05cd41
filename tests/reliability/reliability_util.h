// Helpers of the reliability tests: run code in a forked child and bring back
// what it found as text, describe a status exactly, count what a process holds.
#ifndef LINUXNS_TESTS_RELIABILITY_RELIABILITY_UTIL_H_
#define LINUXNS_TESTS_RELIABILITY_RELIABILITY_UTIL_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "linuxns/spawn_options.h"
#include "support/test_util.h"

namespace linuxns::testing {

// RunForkedAndReport(), with "leftovers: ..." appended to the text when the
// child holds other descriptors or children after `fn` than before.
ForkedReport RunForkedCheckingLeftovers(absl::FunctionRef<std::string()> fn);

// Writes `text` to `path` (a /proc or /proc/sys file); false on failure.
bool WriteFile(const std::string& path, const std::string& text);

// "CODE errno=N: message" ("OK" for an OK status, "errno=none" when it keeps
// none): everything a test of an error asserts, in one comparable string.
std::string Describe(const absl::Status& status);
template <typename T>
std::string Describe(const absl::StatusOr<T>& s) {
  return Describe(s.status());
}

// What differs between two snapshots of this process ("" when nothing):
// descriptors opened or closed, children left or gone, mounts under the
// scratch directory. The library's linuxns-init memfd is not a leak.
std::string Leftovers(const ProcessResources& before, const ProcessResources& after);

// Leftovers() after waiting up to a second for children to go.
std::string LeftoversSince(const ProcessResources& before, const std::string& scratch = "");

// The number of lines of /proc/self/mountinfo: the mounts this process sees.
int MountCount();

// A field of /proc/self/status in kB ("VmRSS", "VmHWM"); -1 when missing.
std::int64_t StatusKb(const char* field);

// An integer from the environment, or `fallback` when it is unset or bad.
long EnvOr(const char* name, long fallback);

// Spawns `options` with stdout on a pipe and returns what happened as one
// line of text: "<stdout>=> exited with code N" (or "killed by signal S"), or
// "spawn: <Describe(error)>", or "wait: <Describe(error)>".
std::string Outcome(SpawnOptions options);

// `options` with `types` added to its new namespaces; when this process is not
// root, a user namespace (with the caller mapped to root) is added too, so the
// same test runs unprivileged.
SpawnOptions WithNewNamespaces(SpawnOptions options, NsTypeSet types);

// The uid that DropToNobody() switches to.
inline constexpr uid_t kNobody = 65534;

}  // namespace linuxns::testing

#endif  // LINUXNS_TESTS_RELIABILITY_RELIABILITY_UTIL_H_
