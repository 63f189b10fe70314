#pragma once

// Builds captured frames for the passive analyser's tests: Ethernet (optionally
// VLAN-tagged), IPv4 or IPv6, TCP with or without the timestamp option.
// Checksums are left zero: the parser does not read them, and neither does
// libpcap.

#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probe/net/big_endian.h"

namespace linkmon::passive::testing {

struct TcpFrame {
  std::string source = "10.0.0.1";
  std::string destination = "10.0.1.1";
  std::uint16_t source_port = 40000;
  std::uint16_t destination_port = 5201;
  std::uint32_t sequence = 1000;
  std::uint32_t acknowledgment = 0;
  std::uint8_t flags = 0x10;  // ACK
  std::optional<std::uint32_t> tsval;
  std::uint32_t tsecr = 0;
  std::uint32_t payload_bytes = 0;
  bool vlan = false;
};

inline std::vector<std::uint8_t> BuildTcpFrame(const TcpFrame &spec) {
  using net::PutU16;
  using net::PutU32;
  const auto source = boost::asio::ip::make_address(spec.source);
  const auto destination = boost::asio::ip::make_address(spec.destination);
  const bool v6 = source.is_v6();
  std::vector<std::uint8_t> frame(12, 0);
  frame[0] = 0x02;  // locally administered MACs
  frame[6] = 0x02;
  if (spec.vlan) {
    frame.insert(frame.end(), {0x81, 0x00, 0x00, 0x2A});
  }
  frame.push_back(v6 ? 0x86 : 0x08);
  frame.push_back(v6 ? 0xDD : 0x00);
  std::vector<std::uint8_t> tcp(20, 0);
  PutU16(&tcp[0], spec.source_port);
  PutU16(&tcp[2], spec.destination_port);
  PutU32(&tcp[4], spec.sequence);
  PutU32(&tcp[8], spec.acknowledgment);
  tcp[13] = spec.flags;
  PutU16(&tcp[14], 65535);
  if (spec.tsval) {
    // NOP, NOP, Timestamps (kind 8, length 10): the layout Linux sends.
    tcp.insert(tcp.end(), {1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0});
    PutU32(&tcp[24], *spec.tsval);
    PutU32(&tcp[28], spec.tsecr);
  }
  tcp[12] = static_cast<std::uint8_t>((tcp.size() / 4) << 4);
  tcp.resize(tcp.size() + spec.payload_bytes, 0xAB);
  std::vector<std::uint8_t> ip;
  if (v6) {
    ip.assign(40, 0);
    ip[0] = 0x60;
    PutU16(&ip[4], static_cast<std::uint16_t>(tcp.size()));
    ip[6] = 6;
    ip[7] = 64;
    const auto s = source.to_v6().to_bytes();
    const auto d = destination.to_v6().to_bytes();
    std::copy(s.begin(), s.end(), ip.begin() + 8);
    std::copy(d.begin(), d.end(), ip.begin() + 24);
  } else {
    ip.assign(20, 0);
    ip[0] = 0x45;
    PutU16(&ip[2], static_cast<std::uint16_t>(20 + tcp.size()));
    ip[8] = 64;
    ip[9] = 6;
    const auto s = source.to_v4().to_bytes();
    const auto d = destination.to_v4().to_bytes();
    std::copy(s.begin(), s.end(), ip.begin() + 12);
    std::copy(d.begin(), d.end(), ip.begin() + 16);
  }
  frame.insert(frame.end(), ip.begin(), ip.end());
  frame.insert(frame.end(), tcp.begin(), tcp.end());
  return frame;
}

}  // namespace linkmon::passive::testing
