#include "probe/net/ip_prefix.h"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

namespace linkmon::net {

namespace {

using boost::asio::ip::address;
using boost::asio::ip::address_v4;
using boost::asio::ip::address_v6;

// Network-order bytes of an IPv4 or IPv6 address, and how many of them there are.
struct AddressBytes {
  std::array<unsigned char, 16> bytes{};
  std::size_t size = 0;
};

AddressBytes BytesOf(const address& a) {
  AddressBytes out;
  if (a.is_v4()) {
    address_v4::bytes_type v4 = a.to_v4().to_bytes();
    std::copy(v4.begin(), v4.end(), out.bytes.begin());
    out.size = 4;
  } else {
    address_v6::bytes_type v6 = a.to_v6().to_bytes();
    std::copy(v6.begin(), v6.end(), out.bytes.begin());
    out.size = 16;
  }
  return out;
}

// True when the first `bits` bits of a and b are equal.
bool SameLeadingBits(const AddressBytes& a, const AddressBytes& b, int bits) {
  std::size_t whole = static_cast<std::size_t>(bits) / 8;
  for (std::size_t i = 0; i < whole; ++i) {
    if (a.bytes[i] != b.bytes[i]) return false;
  }
  int rest = bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a.bytes[whole] & mask) == (b.bytes[whole] & mask);
}

bool HostBitsClear(const AddressBytes& a, int bits) {
  AddressBytes zero;
  zero.size = a.size;
  for (std::size_t i = 0; i < a.size; ++i) {
    int first_bit = static_cast<int>(i) * 8;
    int keep = std::clamp(bits - first_bit, 0, 8);
    auto host_mask = static_cast<unsigned char>(0xff >> keep);
    if (keep == 8) host_mask = 0;
    if ((a.bytes[i] & host_mask) != 0) return false;
  }
  return true;
}

}  // namespace

address Unmapped(const address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  }
  return a;
}

Result<IpPrefix> IpPrefix::Parse(std::string_view text) {
  std::size_t slash = text.find('/');
  std::string_view address_text = text.substr(0, slash);
  boost::system::error_code error;
  address network = boost::asio::ip::make_address(std::string(address_text), error);
  if (error) {
    return MakeError(ErrorCode::kParse,
                     fmt::format("prefix '{}': '{}' is not an IP address", text, address_text));
  }
  int max_length = network.is_v4() ? 32 : 128;
  int length = max_length;
  if (slash != std::string_view::npos) {
    std::string_view length_text = text.substr(slash + 1);
    auto [end, ec] =
        std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
    if (ec != std::errc() || end != length_text.data() + length_text.size() || length < 0 ||
        length > max_length) {
      return MakeError(
          ErrorCode::kParse,
          fmt::format("prefix '{}': length must be a number from 0 to {}", text, max_length));
    }
  }
  // An IPv4-mapped prefix (::ffff:10.0.0.0/104) is the IPv4 prefix it maps (10.0.0.0/8).
  if (network.is_v6() && network.to_v6().is_v4_mapped()) {
    if (length < 96) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          fmt::format("prefix '{}': an IPv4-mapped prefix needs a length of 96 or more", text));
    }
    network = Unmapped(network);
    length -= 96;
  }
  if (!HostBitsClear(BytesOf(network), length)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("prefix '{}': bits are set after the first {}; did you mean "
                                 "a different network?",
                                 text, length));
  }
  return IpPrefix(network, length);
}

bool IpPrefix::Contains(const address& candidate) const {
  address plain = Unmapped(candidate);
  if (plain.is_v4() != network_.is_v4()) return false;
  return SameLeadingBits(BytesOf(plain), BytesOf(network_), length_);
}

std::string IpPrefix::ToString() const {
  return fmt::format("{}/{}", network_.to_string(), length_);
}

bool AnyContains(const std::vector<IpPrefix>& prefixes, const address& candidate) {
  for (const IpPrefix& prefix : prefixes) {
    if (prefix.Contains(candidate)) return true;
  }
  return false;
}

}  // namespace linkmon::net
