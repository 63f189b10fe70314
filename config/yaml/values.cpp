#include "config/yaml/values.h"

#include <charconv>

namespace linkmon::config::yaml {

namespace {

std::string Prefixed(std::string_view what, std::string_view message) {
  return std::string(what) + ": " + std::string(message);
}

// "<what>: 0s is below the minimum of 1ms" / "... above the maximum of ...".
template <typename T, typename Format>
bool CheckRange(const Node& node, Diagnostics& diagnostics, std::string_view what, const T& value,
                const T& min, const T& max, Format format) {
  if (value < min) {
    diagnostics.Error(node,
                      Prefixed(what, node.scalar() + " is below the minimum of " + format(min)));
    return false;
  }
  if (value > max) {
    diagnostics.Error(node,
                      Prefixed(what, node.scalar() + " is above the maximum of " + format(max)));
    return false;
  }
  return true;
}

// A unit parser's error, under the value's name.
template <typename T>
std::optional<T> Unwrap(const Node& node, Diagnostics& diagnostics, std::string_view what,
                        Result<T> result) {
  if (!result) {
    diagnostics.Error(node, Prefixed(what, result.error().message));
    return std::nullopt;
  }
  return *result;
}

std::optional<boost::asio::ip::address> ParseAddress(std::string_view text) {
  boost::system::error_code error;
  auto address = boost::asio::ip::make_address(std::string(text), error);
  if (error) return std::nullopt;
  return address;
}

int MaxPrefixLength(const boost::asio::ip::address& address) { return address.is_v4() ? 32 : 128; }

// The address with every bit past `length` cleared.
boost::asio::ip::address MaskAddress(const boost::asio::ip::address& address, int length) {
  auto clear = [length](auto bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      const int bit = static_cast<int>(i) * 8;
      if (bit >= length) {
        bytes[i] = 0;
      } else if (bit + 8 > length) {
        bytes[i] = static_cast<unsigned char>(bytes[i] & (0xFF << (8 - (length - bit))));
      }
    }
    return bytes;
  };
  if (address.is_v4()) return boost::asio::ip::address_v4(clear(address.to_v4().to_bytes()));
  return boost::asio::ip::address_v6(clear(address.to_v6().to_bytes()));
}

}  // namespace

std::string FormatConfigDuration(std::chrono::nanoseconds value) {
  using namespace std::chrono_literals;
  const auto whole = [value](std::chrono::nanoseconds unit) {
    return value >= unit && value % unit == std::chrono::nanoseconds(0);
  };
  if (whole(std::chrono::hours(24))) return std::to_string(value / std::chrono::hours(24)) + "d";
  if (whole(1h)) return std::to_string(value / 1h) + "h";
  if (whole(1min)) return std::to_string(value / 1min) + "m";
  return FormatDuration(value);
}

std::string FormatConfigByteSize(std::uint64_t bytes) {
  constexpr std::pair<std::uint64_t, const char*> kUnits[] = {
      {1ull << 40, "TiB"}, {1ull << 30, "GiB"}, {1ull << 20, "MiB"}, {1ull << 10, "KiB"}};
  for (const auto& [size, unit] : kUnits) {
    if (bytes >= size && bytes % size == 0) return std::to_string(bytes / size) + unit;
  }
  return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

bool ExpectScalar(const Node& node, Diagnostics& diagnostics, std::string_view what,
                  std::string_view expected) {
  if (node.is_scalar()) return true;
  diagnostics.Error(node, Prefixed(what, "expected " + std::string(expected) + ", got " +
                                             std::string(NodeKindName(node.kind()))));
  return false;
}

std::optional<std::string> StringValue::operator()(const Node& node, Diagnostics& diagnostics,
                                                   std::string_view what) const {
  if (!ExpectScalar(node, diagnostics, what, "a string")) return std::nullopt;
  if (!allow_empty && node.scalar().empty()) {
    diagnostics.Error(node, Prefixed(what, "must not be empty"));
    return std::nullopt;
  }
  return node.scalar();
}

std::optional<bool> BoolValue::operator()(const Node& node, Diagnostics& diagnostics,
                                          std::string_view what) const {
  if (!ExpectScalar(node, diagnostics, what, "true or false")) return std::nullopt;
  if (node.scalar() == "true") return true;
  if (node.scalar() == "false") return false;
  diagnostics.Error(node, Prefixed(what, "expected true or false, got '" + node.scalar() + "'"));
  return std::nullopt;
}

std::optional<std::int64_t> ReadInteger(const Node& node, Diagnostics& diagnostics,
                                        std::string_view what, std::int64_t min, std::int64_t max) {
  if (!ExpectScalar(node, diagnostics, what, "an integer")) return std::nullopt;
  const std::string& text = node.scalar();
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error == std::errc::invalid_argument || end != text.data() + text.size()) {
    diagnostics.Error(node, Prefixed(what, "expected an integer, got '" + text + "'"));
    return std::nullopt;
  }
  if (error == std::errc::result_out_of_range) {
    diagnostics.Error(node, Prefixed(what, text + " is out of range [" + std::to_string(min) +
                                               ", " + std::to_string(max) + "]"));
    return std::nullopt;
  }
  auto format = [](std::int64_t v) { return std::to_string(v); };
  if (!CheckRange(node, diagnostics, what, value, min, max, format)) return std::nullopt;
  return value;
}

std::optional<std::chrono::nanoseconds> DurationValue::operator()(const Node& node,
                                                                  Diagnostics& diagnostics,
                                                                  std::string_view what) const {
  if (!ExpectScalar(node, diagnostics, what, "a duration such as '20ms'")) return std::nullopt;
  auto value = Unwrap(node, diagnostics, what, ParseDuration(node.scalar()));
  if (!value || !CheckRange(node, diagnostics, what, *value, min, max, FormatConfigDuration)) {
    return std::nullopt;
  }
  return value;
}

std::optional<Ratio> RatioValue::operator()(const Node& node, Diagnostics& diagnostics,
                                            std::string_view what) const {
  if (!ExpectScalar(node, diagnostics, what, "a percentage such as '0.1%'")) return std::nullopt;
  auto value = Unwrap(node, diagnostics, what, ParseRatio(node.scalar()));
  if (!value || !CheckRange(node, diagnostics, what, *value, min, max, FormatRatio)) {
    return std::nullopt;
  }
  return value;
}

std::optional<Bandwidth> BandwidthValue::operator()(const Node& node, Diagnostics& diagnostics,
                                                    std::string_view what) const {
  if (!ExpectScalar(node, diagnostics, what, "a bandwidth such as '1Gbps'")) return std::nullopt;
  auto value = Unwrap(node, diagnostics, what, ParseBandwidth(node.scalar()));
  if (!value || !CheckRange(node, diagnostics, what, *value, min, max, FormatBandwidth)) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::uint64_t> ByteSizeValue::operator()(const Node& node, Diagnostics& diagnostics,
                                                       std::string_view what) const {
  if (!ExpectScalar(node, diagnostics, what, "a size such as '64MiB'")) return std::nullopt;
  auto value = Unwrap(node, diagnostics, what, ParseByteSize(node.scalar()));
  if (!value || !CheckRange(node, diagnostics, what, *value, min, max, FormatConfigByteSize)) {
    return std::nullopt;
  }
  return value;
}

std::optional<boost::asio::ip::address> IpAddressValue::operator()(const Node& node,
                                                                   Diagnostics& diagnostics,
                                                                   std::string_view what) const {
  if (!ExpectScalar(node, diagnostics, what, "an IP address")) return std::nullopt;
  auto address = ParseAddress(node.scalar());
  if (!address) {
    diagnostics.Error(node, Prefixed(what, "invalid IP address '" + node.scalar() + "'"));
  }
  return address;
}

bool IpPrefix::Contains(const boost::asio::ip::address& candidate) const {
  if (candidate.is_v4() != address.is_v4()) return false;
  return MaskAddress(candidate, length) == address;
}

std::string IpPrefix::ToString() const {
  return address.to_string() + "/" + std::to_string(length);
}

Result<IpPrefix> ParseIpPrefix(std::string_view text) {
  const auto slash = text.find('/');
  auto address = ParseAddress(text.substr(0, slash));
  if (!address) {
    return MakeError(ErrorCode::kParse, "invalid IP prefix '" + std::string(text) +
                                            "': expected ADDRESS/LENGTH such as '192.0.2.0/24'");
  }
  const int max_length = MaxPrefixLength(*address);
  int length = max_length;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() ||
        length < 0 || length > max_length) {
      return MakeError(ErrorCode::kParse, "invalid prefix length in '" + std::string(text) +
                                              "': expected 0 to " + std::to_string(max_length));
    }
  }
  const auto network = MaskAddress(*address, length);
  if (network != *address) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "prefix '" + std::string(text) + "' has host bits set; did you mean '" +
                         network.to_string() + "/" + std::to_string(length) + "'?");
  }
  return IpPrefix{network, length};
}

std::optional<IpPrefix> IpPrefixValue::operator()(const Node& node, Diagnostics& diagnostics,
                                                  std::string_view what) const {
  if (!ExpectScalar(node, diagnostics, what, "an IP prefix such as '192.0.2.0/24'")) {
    return std::nullopt;
  }
  return Unwrap(node, diagnostics, what, ParseIpPrefix(node.scalar()));
}

std::string SocketAddress::ToString() const {
  if (address.is_v6()) return "[" + address.to_string() + "]:" + std::to_string(port);
  return address.to_string() + ":" + std::to_string(port);
}

Result<SocketAddress> ParseSocketAddress(std::string_view text) {
  auto refuse = [text](std::string_view why) {
    return MakeError(ErrorCode::kParse,
                     "invalid address '" + std::string(text) + "': " + std::string(why));
  };
  std::string_view host;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return refuse("expected '[IPv6]:PORT' such as '[::1]:9100'");
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return refuse("expected ADDRESS:PORT such as '0.0.0.0:9100'");
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return refuse("write an IPv6 address in brackets, such as '[::1]:9100'");
    }
  }
  auto address = ParseAddress(host);
  if (!address || (text.starts_with('[') && !address->is_v6())) {
    return refuse("'" + std::string(host) + "' is not an IP address");
  }
  unsigned port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return refuse("port must be a number from 0 to 65535");
  }
  return SocketAddress{*address, static_cast<std::uint16_t>(port)};
}

std::optional<SocketAddress> SocketAddressValue::operator()(const Node& node,
                                                            Diagnostics& diagnostics,
                                                            std::string_view what) const {
  if (!ExpectScalar(node, diagnostics, what, "an address such as '0.0.0.0:9100'")) {
    return std::nullopt;
  }
  return Unwrap(node, diagnostics, what, ParseSocketAddress(node.scalar()));
}

}  // namespace linkmon::config::yaml
