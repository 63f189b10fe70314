#pragma once

// An IP prefix ("10.20.0.0/16", "2001:db8::/32", or a bare address meaning /32 or /128), used by
// the reflector's allow-list. IPv4-mapped IPv6 addresses (::ffff:10.0.0.1, which a dual-stack
// socket reports for IPv4 senders) match IPv4 prefixes, so one allow-list covers both.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "common/result.h"

namespace linkmon::net {

class IpPrefix {
 public:
  // Refuses host bits set beyond the length ("10.0.0.1/8"): such a typo usually means the
  // operator meant a different network, and silently masking it would widen the allow-list.
  static Result<IpPrefix> Parse(std::string_view text);

  bool Contains(const boost::asio::ip::address& address) const;

  const boost::asio::ip::address& network() const { return network_; }
  int length() const { return length_; }
  std::string ToString() const;  // "10.20.0.0/16"

 private:
  IpPrefix(boost::asio::ip::address network, int length) : network_(network), length_(length) {}

  boost::asio::ip::address network_;
  int length_;
};

// True when some prefix in `prefixes` contains `address`.
bool AnyContains(const std::vector<IpPrefix>& prefixes, const boost::asio::ip::address& address);

// ::ffff:a.b.c.d becomes a.b.c.d; other addresses are returned unchanged.
boost::asio::ip::address Unmapped(const boost::asio::ip::address& address);

}  // namespace linkmon::net
