// libFuzzer target for the ICMP echo reply parser, over every IP version and socket kind: any
// datagram must decode or be refused with an error, never crash or read out of bounds; a decoded
// reply must agree with itself (its sequence fits the size it claims).

#include <cstdint>
#include <cstdlib>
#include <span>

#include "probe/icmp/echo_packet.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using linkmon::icmp::DecodeEchoReply;
  using linkmon::icmp::IpVersion;
  using linkmon::icmp::SocketKind;
  std::span<const std::uint8_t> datagram(data, size);
  for (IpVersion version : {IpVersion::kV4, IpVersion::kV6}) {
    for (SocketKind kind : {SocketKind::kDatagram, SocketKind::kRaw}) {
      auto reply = DecodeEchoReply(version, kind, datagram);
      if (reply && (reply->icmp_size > size || reply->icmp_size < linkmon::icmp::kMinEchoSize)) {
        std::abort();
      }
    }
  }
  return 0;
}
