#include "net/netlink_error.h"

#include <netlink/errno.h>
#include <netlink/handlers.h>

#include <cstddef>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "linuxns/status.h"

namespace linuxns::internal {

namespace {

// The extended ack's NLMSGERR_ATTR_MSG, if the kernel sent one. libnl 3.7
// knows nothing of extended acks, so the attributes are read here: they follow
// the nlmsgerr and, unless NLM_F_CAPPED, the whole request it echoes
// (netlink_ack() in net/netlink/af_netlink.c).
std::string ExtendedAckMessage(const nlmsgerr* error) {
  const auto* header =
      reinterpret_cast<const nlmsghdr*>(reinterpret_cast<const char*>(error) - NLMSG_HDRLEN);
  if ((header->nlmsg_flags & NLM_F_ACK_TLVS) == 0) return "";
  std::size_t echoed = sizeof(nlmsgerr);
  if ((header->nlmsg_flags & NLM_F_CAPPED) == 0 && error->msg.nlmsg_len >= NLMSG_HDRLEN) {
    echoed += error->msg.nlmsg_len - NLMSG_HDRLEN;
  }
  std::size_t offset = NLMSG_HDRLEN + NLMSG_ALIGN(echoed);
  const std::size_t end = header->nlmsg_len;
  const char* base = reinterpret_cast<const char*>(header);
  while (offset + NLA_HDRLEN <= end) {
    nlattr attr;
    std::memcpy(&attr, base + offset, sizeof(attr));
    if (attr.nla_len < NLA_HDRLEN || offset + attr.nla_len > end) break;
    if ((attr.nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
      const char* text = base + offset + NLA_HDRLEN;
      return std::string(text, strnlen(text, attr.nla_len - NLA_HDRLEN));
    }
    offset += NLA_ALIGN(attr.nla_len);
  }
  return "";
}

}  // namespace

int RecordKernelError(sockaddr_nl*, nlmsgerr* error, void* arg) {
  auto* kernel = static_cast<KernelError*>(arg);
  kernel->err = -error->error;
  kernel->message = ExtendedAckMessage(error);
  return NL_STOP;  // libnl then fails with its own code for this errno
}

int ErrnoOfNetlinkError(int nl_error) {
  switch (nl_error < 0 ? -nl_error : nl_error) {
    case NLE_INTR:
      return EINTR;
    case NLE_BAD_SOCK:
      return EBADF;
    case NLE_AGAIN:
      return EAGAIN;
    case NLE_NOMEM:
      return ENOMEM;
    case NLE_EXIST:
      return EEXIST;
    case NLE_INVAL:
      return EINVAL;
    case NLE_RANGE:
      return ERANGE;
    case NLE_MSGSIZE:
      return EMSGSIZE;
    case NLE_OPNOTSUPP:
      return EOPNOTSUPP;
    case NLE_AF_NOSUPPORT:
      return EAFNOSUPPORT;
    case NLE_OBJ_NOTFOUND:
      return ENOENT;
    case NLE_NOADDR:
      return EADDRNOTAVAIL;
    case NLE_BUSY:
      return EBUSY;
    case NLE_PROTO_MISMATCH:
      return EPROTONOSUPPORT;
    case NLE_NOACCESS:
      return EACCES;
    case NLE_PERM:
      return EPERM;
    case NLE_NODEV:
      return ENODEV;
    default:
      return 0;
  }
}

absl::Status NetlinkError(int rc, KernelError& kernel, absl::string_view what) {
  if (kernel.err > 0) {
    const int err = kernel.err;
    const std::string message = std::move(kernel.message);
    kernel = KernelError{};
    return ErrnoError(err, what, message.empty() ? "" : absl::StrCat("kernel: ", message));
  }
  if (const int err = ErrnoOfNetlinkError(rc); err != 0) return ErrnoError(err, what);
  return absl::InternalError(absl::StrCat(what, ": netlink: ", nl_geterror(rc)));
}

}  // namespace linuxns::internal
