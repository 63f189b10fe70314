#pragma once

// Giving up privilege once the sockets that need it are open. The probe needs CAP_NET_RAW only to
// open raw ICMP sockets (datagram ICMP, UDP and TCP need nothing); an open raw socket keeps
// working after the capability is gone, so main opens every socket first and then calls these,
// before it starts any thread (capabilities are per thread; new threads inherit the caller's).
//
// Typical deployments (README): run as an unprivileged user with the binary granted
// cap_net_raw+ep (setcap), or under systemd with AmbientCapabilities=CAP_NET_RAW; or start as
// root with --user and let DropToUser switch. Either way DropAllCapabilities leaves the process
// with none, which /proc/PID/status shows as CapEff 0000000000000000.

#include <string>

#include "common/result.h"

namespace linkmon::net {

// Switches a root process to `user` (its uid, primary gid, no supplementary groups). The kernel
// clears the capabilities of a process that leaves uid 0. Errors: unknown user, not root.
Status DropToUser(const std::string& user);

// Clears the effective, permitted, inheritable and ambient capability sets of the calling thread
// and drops what it can from the bounding set, so nothing can be regained, even by exec.
Status DropAllCapabilities();

// The capability sets of process `pid` from /proc/PID/status ("CapEff" etc.), as hex bitmasks.
struct CapabilitySets {
  unsigned long long effective = 0;
  unsigned long long permitted = 0;
  unsigned long long inheritable = 0;
  unsigned long long ambient = 0;
};
Result<CapabilitySets> ReadCapabilities(int pid);

}  // namespace linkmon::net
