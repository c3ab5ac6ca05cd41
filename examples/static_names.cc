// Name lookups of the fully static tools, from the files only.
//
// glibc's getpwnam(3) and the others go through NSS, which in a static program
// still loads the shared modules nsswitch.conf names (libnss_systemd on
// Debian) at run time: the linker warns that the program then needs the
// shared libraries of the glibc it was linked with, and a static unshare once
// crashed inside libnss_systemd on an unknown name. The static tools
// (examples/CMakeLists.txt, linuxns_add_tool STATIC, optimized builds only)
// link this file instead, so that no NSS code is in them at all:
//   - users and groups come from /etc/passwd and /etc/group (fgetpwent_r(3)
//     and fgetgrent_r(3) parse them, as the "files" module of NSS would);
//   - host names and protocol names are not resolved: getaddrinfo(3) answers
//     EAI_NONAME for every name, getprotobyname(3) and getprotobynumber(3)
//     find nothing. Only libnl's address and protocol printers reference
//     them, and the tools take numeric addresses only.
// These definitions take the place of libc's in the static link (an archive
// member is linked only for a symbol nothing else defines); each object of
// libc that defines one of them defines nothing else the tools use.
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include <cstddef>

namespace {

// Each entry of `path` parsed by `next` (fgetpwent_r or fgetgrent_r) into
// `entry` until `match` says yes: 0 with *result set, 0 with *result null
// when none matches (or the file is missing), or the errno (ERANGE: `buf` is
// too small for the entry).
template <typename Entry, typename Next, typename Match>
int FindEntry(const char* path, Next next, Match match, Entry* entry, char* buf, std::size_t buflen,
              Entry** result) {
  *result = nullptr;
  FILE* file = ::fopen(path, "re");
  if (file == nullptr) return errno == ENOENT ? 0 : errno;
  Entry* found = nullptr;
  int err = 0;
  while ((err = next(file, entry, buf, buflen, &found)) == 0) {
    if (match(*found)) {
      *result = found;
      break;
    }
  }
  ::fclose(file);
  if (*result != nullptr || err == ENOENT) return 0;
  return err;
}

}  // namespace

extern "C" {

int getpwnam_r(const char* name, struct passwd* pwd, char* buf, size_t buflen,
               struct passwd** result) {
  return FindEntry(
      "/etc/passwd", ::fgetpwent_r,
      [name](const passwd& p) { return ::strcmp(p.pw_name, name) == 0; }, pwd, buf, buflen, result);
}

int getpwuid_r(uid_t uid, struct passwd* pwd, char* buf, size_t buflen, struct passwd** result) {
  return FindEntry(
      "/etc/passwd", ::fgetpwent_r, [uid](const passwd& p) { return p.pw_uid == uid; }, pwd, buf,
      buflen, result);
}

struct passwd* getpwuid(uid_t uid) {
  static passwd entry;
  static char buf[4096];
  passwd* result = nullptr;
  const int err = getpwuid_r(uid, &entry, buf, sizeof buf, &result);
  if (err != 0) errno = err;
  return result;
}

int getgrnam_r(const char* name, struct group* grp, char* buf, size_t buflen,
               struct group** result) {
  return FindEntry(
      "/etc/group", ::fgetgrent_r,
      [name](const group& g) { return ::strcmp(g.gr_name, name) == 0; }, grp, buf, buflen, result);
}

int getaddrinfo(const char* /*node*/, const char* /*service*/, const struct addrinfo* /*hints*/,
                struct addrinfo** res) {
  *res = nullptr;
  return EAI_NONAME;
}

void freeaddrinfo(struct addrinfo* /*res*/) {}

struct protoent* getprotobyname(const char* /*name*/) {
  return nullptr;
}

struct protoent* getprotobynumber(int /*proto*/) {
  return nullptr;
}

}  // extern "C"
