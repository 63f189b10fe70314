#include "probe/passive/site_prefixes.h"

#include <algorithm>

namespace linkmon::passive {
namespace {

bool PrefixMatches(const IpAddress &network, int length, const IpAddress &address) {
  if (network.v6 != address.v6) return false;
  const int whole = length / 8;
  if (!std::equal(network.bytes.begin(), network.bytes.begin() + whole, address.bytes.begin())) {
    return false;
  }
  const int rest = length % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (network.bytes[whole] & mask) == (address.bytes[whole] & mask);
}

bool HostBitsZero(const IpAddress &network, int length) {
  const int total = network.v6 ? 128 : 32;
  for (int bit = length; bit < total; ++bit) {
    if (network.bytes[bit / 8] & (0x80 >> (bit % 8))) return false;
  }
  return true;
}

}  // namespace

IpAddress ToIpAddress(const boost::asio::ip::address &address) {
  IpAddress out;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ToIpAddress(
        boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6()));
  }
  if (address.is_v4()) {
    const auto bytes = address.to_v4().to_bytes();
    std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
  } else {
    const auto bytes = address.to_v6().to_bytes();
    std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
    out.v6 = true;
  }
  return out;
}

std::string FormatIpAddress(const IpAddress &address) {
  if (address.v6) {
    boost::asio::ip::address_v6::bytes_type bytes;
    std::copy(address.bytes.begin(), address.bytes.end(), bytes.begin());
    return boost::asio::ip::address_v6(bytes).to_string();
  }
  boost::asio::ip::address_v4::bytes_type bytes;
  std::copy_n(address.bytes.begin(), 4, bytes.begin());
  return boost::asio::ip::address_v4(bytes).to_string();
}

Result<SitePrefixMap> SitePrefixMap::Create(const std::vector<SitePrefix> &prefixes) {
  SitePrefixMap map;
  for (const SitePrefix &prefix : prefixes) {
    const IpAddress network = ToIpAddress(prefix.network);
    const std::string text = FormatIpAddress(network) + "/" + std::to_string(prefix.length);
    if (prefix.length < 0 || prefix.length > (network.v6 ? 128 : 32)) {
      return MakeError(ErrorCode::kInvalidArgument, "passive: prefix " + text + ": bad length");
    }
    if (!HostBitsZero(network, prefix.length)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "passive: prefix " + text + ": host bits set beyond the length");
    }
    for (const Entry &entry : map.entries_) {
      if (entry.length == prefix.length && entry.network == network) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "passive: prefix " + text + " given to two sites");
      }
    }
    auto site = std::find(map.sites_.begin(), map.sites_.end(), prefix.site);
    if (site == map.sites_.end()) site = map.sites_.insert(map.sites_.end(), prefix.site);
    map.entries_.push_back(
        Entry{network, prefix.length, static_cast<std::size_t>(site - map.sites_.begin())});
  }
  std::stable_sort(map.entries_.begin(), map.entries_.end(),
                   [](const Entry &a, const Entry &b) { return a.length > b.length; });
  return map;
}

std::optional<std::size_t> SitePrefixMap::Find(const IpAddress &address) const {
  for (const Entry &entry : entries_) {
    if (PrefixMatches(entry.network, entry.length, address)) return entry.site;
  }
  return std::nullopt;
}

}  // namespace linkmon::passive
