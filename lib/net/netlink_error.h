// Private to linuxns::net: turning libnl's results into absl::Status with the
// kernel's own errno and extended-ack message.
#ifndef LINUXNS_LIB_NET_NETLINK_ERROR_H_
#define LINUXNS_LIB_NET_NETLINK_ERROR_H_

#include <linux/netlink.h>
#include <sys/socket.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace linuxns::internal {

// The last NLMSG_ERROR the kernel sent on one socket: its errno and, with
// NETLINK_EXT_ACK, its explanation ("Invalid prefix for given prefix length").
struct KernelError {
  int err = 0;
  std::string message;
};

// A libnl error callback (nl_recvmsg_err_cb_t) that records the kernel's
// answer in the KernelError `arg` and lets libnl fail as it would have.
int RecordKernelError(sockaddr_nl* from, nlmsgerr* error, void* arg);

// The errno behind a libnl error code (-NLE_*), for failures that did not
// come with a kernel answer (libnl turns every errno into an NLE_* code and
// keeps only that); 0 when none fits.
int ErrnoOfNetlinkError(int nl_error);

// The status for libnl's result `rc` (< 0) of the operation `what`: the
// kernel's errno and message when `kernel` recorded one (it is cleared),
// otherwise the errno ErrnoOfNetlinkError() finds, otherwise Internal with
// libnl's text.
absl::Status NetlinkError(int rc, KernelError& kernel, absl::string_view what);

}  // namespace linuxns::internal

#endif  // LINUXNS_LIB_NET_NETLINK_ERROR_H_
