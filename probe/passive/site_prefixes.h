#pragma once

// Which site a remote address belongs to, by longest matching prefix. The
// passive analyser files every RTT sample and byte under the site at the far
// end of the flow; addresses in no prefix (the probe host itself, unrelated
// traffic) belong to no site.

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "probe/passive/packet_parser.h"

namespace linkmon::passive {

struct SitePrefix {
  TargetName site;
  boost::asio::ip::address network;  // host bits beyond `length` must be zero
  int length = 0;                    // 0..32 (IPv4) or 0..128 (IPv6)
};

// Not thread-safe to build; const lookups may run concurrently. Lookup is a
// linear scan (a probe's config lists tens of sites, not thousands).
class SitePrefixMap {
 public:
  // Refuses (kInvalidArgument) a length out of range, host bits set, or one
  // prefix given to two sites.
  static Result<SitePrefixMap> Create(const std::vector<SitePrefix> &prefixes);

  // Index into sites() of the longest prefix holding `address`.
  std::optional<std::size_t> Find(const IpAddress &address) const;
  const std::vector<TargetName> &sites() const { return sites_; }

 private:
  struct Entry {
    IpAddress network;
    int length;
    std::size_t site;
  };
  std::vector<Entry> entries_;  // longest first, so the first match is the longest
  std::vector<TargetName> sites_;
};

// The address as IpAddress bytes (IPv4-mapped IPv6 becomes IPv4).
IpAddress ToIpAddress(const boost::asio::ip::address &address);
std::string FormatIpAddress(const IpAddress &address);

}  // namespace linkmon::passive
