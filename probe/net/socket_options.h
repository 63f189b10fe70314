#pragma once

// Socket options shared by the probers and the reflector: DSCP marking, the TTL / Hop Limit of
// received packets, and kernel timestamps.
//
// Kernel timestamps: the time the kernel saw a packet is closer to the wire than the time the
// event loop got to it, which matters when the loop is busy with a thousand targets. Software
// SO_TIMESTAMPING (RX and TX) is preferred; SO_TIMESTAMPNS (RX only) is the fallback; when neither
// is available the caller reads its own clock, and says so in metrics (see KernelTimestamping).
// Kernel timestamps are CLOCK_REALTIME: they can jump with the wall clock, so consumers compare
// them only with other kernel or system-clock readings of the same host.

#include <cstdint>
#include <string_view>

#include "common/result.h"

namespace linkmon::net {

// What the kernel stamps on a socket.
enum class KernelTimestamping {
  kNone,            // neither option accepted: user-space clock only
  kSoTimestampns,   // receive times only
  kSoTimestamping,  // software receive and transmit times
};

std::string_view KernelTimestampingName(KernelTimestamping mode);  // "none", "so_timestampns", ...

enum class TransmitTimestamps { kWanted, kNotWanted };

// Enables the best kernel timestamping the socket accepts and returns which. With
// kSoTimestamping and kWanted, each sent datagram gets a transmit timestamp on the socket's error
// queue, numbered by the count of datagrams sent on the socket since this call
// (SOF_TIMESTAMPING_OPT_ID); the owner must then drain them with ReadTransmitTimestamp, or the
// socket stays readable (POLLERR) forever. A reflector, which writes its send time into the packet
// before sending, does not want them.
KernelTimestamping EnableKernelTimestamps(int fd, TransmitTimestamps transmit);

// Marks sent packets with `dscp` (0..63) in the IPv4 TOS / IPv6 Traffic Class byte, ECN bits 0.
// `family` is the socket's (AF_INET or AF_INET6); an IPv6 socket gets both options, since it may
// send to IPv4-mapped addresses.
Status SetDscp(int fd, int family, std::uint8_t dscp);

// Asks for the TTL (IPv4) / Hop Limit (IPv6) of each received packet as a control message.
Status EnableReceiveTtl(int fd, int family);

// Asks for the TOS (IPv4) / Traffic Class (IPv6) byte of each received packet, to see the DSCP a
// packet arrived with (a path may re-mark it).
Status EnableReceiveTrafficClass(int fd, int family);

// Grows the socket's receive buffer to `bytes` (which also holds its error queue: every transmit
// timestamp is charged to it until read), so a socket shared by many targets keeps their replies
// through a stall of the process. SO_RCVBUFFORCE first (CAP_NET_ADMIN passes net.core.rmem_max),
// else SO_RCVBUF, which the kernel caps at rmem_max. Returns the size the kernel reports (which
// counts its bookkeeping: about twice what was asked).
Result<int> GrowReceiveBuffer(int fd, int bytes);

}  // namespace linkmon::net
