#pragma once

// Typed readers for scalar values: each turns one Node into a value, or adds a diagnostic saying
// why it cannot and returns nullopt. They are small structs so that bounds read at the call site:
//
//   map.Read("dscp", target.dscp, IntegerValue<int>{.min = 0, .max = 63});
//   map.Read("interval", probe.interval, DurationValue{.min = 1ms, .max = 1h});
//
// Every reader has the signature
//   std::optional<T> operator()(const Node& node, Diagnostics& diagnostics,
//                               std::string_view what) const;
// where `what` names the value in messages, usually its key ("dscp") or "addresses[2]". Messages
// read "<what>: <problem>", e.g. "dscp: 64 is above the maximum of 63".
//
// Units come from common/units.h and are never guessed: "20" is not a duration.

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/units.h"
#include "config/yaml/diagnostics.h"
#include "config/yaml/node.h"
#include "config/yaml/suggest.h"

namespace linkmon::config::yaml {

// A duration as people write it in config files: "35d", "1h", "5m", "20ms", "1.5s".
std::string FormatConfigDuration(std::chrono::nanoseconds value);

// A byte size as people write it: "1MiB", "64KiB", "1000 bytes".
std::string FormatConfigByteSize(std::uint64_t bytes);

// Adds "<what>: expected <expected>, got <kind>" unless `node` is a scalar; returns whether it is.
bool ExpectScalar(const Node& node, Diagnostics& diagnostics, std::string_view what,
                  std::string_view expected);

// Any scalar text. Empty strings ("") are refused unless allow_empty.
struct StringValue {
  bool allow_empty = false;
  std::optional<std::string> operator()(const Node& node, Diagnostics& diagnostics,
                                        std::string_view what) const;
};

// true or false (YAML 1.2 core schema; "yes"/"on" are refused as ambiguous).
struct BoolValue {
  std::optional<bool> operator()(const Node& node, Diagnostics& diagnostics,
                                 std::string_view what) const;
};

// A decimal integer in [min, max]; no sign for positives, no hex, no fractions.
std::optional<std::int64_t> ReadInteger(const Node& node, Diagnostics& diagnostics,
                                        std::string_view what, std::int64_t min, std::int64_t max);

template <std::integral Int>
struct IntegerValue {
  static_assert(sizeof(Int) < sizeof(std::int64_t) || std::is_signed_v<Int>,
                "IntegerValue reads through int64_t");
  Int min = std::numeric_limits<Int>::min();
  Int max = std::numeric_limits<Int>::max();

  std::optional<Int> operator()(const Node& node, Diagnostics& diagnostics,
                                std::string_view what) const {
    auto value = ReadInteger(node, diagnostics, what, static_cast<std::int64_t>(min),
                             static_cast<std::int64_t>(max));
    if (!value) return std::nullopt;
    return static_cast<Int>(*value);
  }
};

// "20ms", "1.5s", "5m", "35d" (common/units.h ParseDuration) in [min, max].
struct DurationValue {
  std::chrono::nanoseconds min{0};
  std::chrono::nanoseconds max = std::chrono::nanoseconds::max();
  std::optional<std::chrono::nanoseconds> operator()(const Node& node, Diagnostics& diagnostics,
                                                     std::string_view what) const;
};

// "0.1%" (ParseRatio) in [min, max].
struct RatioValue {
  Ratio min{0.0};
  Ratio max{1.0};
  std::optional<Ratio> operator()(const Node& node, Diagnostics& diagnostics,
                                  std::string_view what) const;
};

// "1Gbps", "100Mbit" (ParseBandwidth) in [min, max].
struct BandwidthValue {
  Bandwidth min{0};
  Bandwidth max{std::numeric_limits<std::uint64_t>::max()};
  std::optional<Bandwidth> operator()(const Node& node, Diagnostics& diagnostics,
                                      std::string_view what) const;
};

// "64MiB", "4096B" (ParseByteSize) in [min, max] bytes.
struct ByteSizeValue {
  std::uint64_t min = 0;
  std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  std::optional<std::uint64_t> operator()(const Node& node, Diagnostics& diagnostics,
                                          std::string_view what) const;
};

// A name checked by common/ids.h (SiteName, TargetName, SlaClassName).
template <typename Tag>
struct NameValue {
  std::optional<Name<Tag>> operator()(const Node& node, Diagnostics& diagnostics,
                                      std::string_view what) const {
    if (!ExpectScalar(node, diagnostics, what, std::string("a ") + Tag::kWhat + " name")) {
      return std::nullopt;
    }
    auto name = Name<Tag>::Make(node.scalar());
    if (!name) {
      diagnostics.Error(node, std::string(what) + ": " + name.error().message);
      return std::nullopt;
    }
    return *name;
  }
};

// An IPv4 or IPv6 address literal ("192.0.2.10", "2001:db8::1"); no host names.
struct IpAddressValue {
  std::optional<boost::asio::ip::address> operator()(const Node& node, Diagnostics& diagnostics,
                                                     std::string_view what) const;
};

// An address prefix: "192.0.2.0/24", "2001:db8::/32", or a bare address meaning a single host.
struct IpPrefix {
  boost::asio::ip::address address;  // host bits are zero
  int length = 0;                    // 0..32 for IPv4, 0..128 for IPv6

  bool Contains(const boost::asio::ip::address& candidate) const;
  std::string ToString() const;
  bool operator==(const IpPrefix&) const = default;
};

// Parses "ADDRESS/LENGTH" or "ADDRESS"; refuses host bits set ("192.0.2.1/24").
Result<IpPrefix> ParseIpPrefix(std::string_view text);

struct IpPrefixValue {
  std::optional<IpPrefix> operator()(const Node& node, Diagnostics& diagnostics,
                                     std::string_view what) const;
};

// An address and port to listen on or connect to: "0.0.0.0:9100", "[::]:9100", "[::1]:0".
struct SocketAddress {
  boost::asio::ip::address address;
  std::uint16_t port = 0;

  std::string ToString() const;
  bool operator==(const SocketAddress&) const = default;
};

Result<SocketAddress> ParseSocketAddress(std::string_view text);

struct SocketAddressValue {
  std::optional<SocketAddress> operator()(const Node& node, Diagnostics& diagnostics,
                                          std::string_view what) const;
};

// One of a fixed set of words, with a did-you-mean hint for a misspelt one.
template <typename T>
struct EnumValue {
  std::vector<std::pair<std::string, T>> choices;

  std::optional<T> operator()(const Node& node, Diagnostics& diagnostics,
                              std::string_view what) const {
    std::vector<std::string> names;
    for (const auto& [name, value] : choices) names.push_back(name);
    if (!ExpectScalar(node, diagnostics, what, "one of: " + JoinNames(names))) return std::nullopt;
    for (const auto& [name, value] : choices) {
      if (name == node.scalar()) return value;
    }
    std::string hint = DidYouMean(node.scalar(), names);
    if (hint.empty()) hint = "; expected one of: " + JoinNames(names);
    diagnostics.Error(node, std::string(what) + ": unknown value '" + node.scalar() + "'" + hint);
    return std::nullopt;
  }
};

// A sequence read item by item with `item` (any reader above). Returns nullopt when the node is
// not a sequence; otherwise the items that read well (the others got diagnostics). Items are
// named "<what>[index]" in messages, counting from 0.
template <typename ItemReader>
auto ReadSequence(const Node& node, Diagnostics& diagnostics, std::string_view what,
                  const ItemReader& item)
    -> std::optional<std::vector<typename std::invoke_result_t<
        const ItemReader&, const Node&, Diagnostics&, std::string_view>::value_type>> {
  using Item = typename std::invoke_result_t<const ItemReader&, const Node&, Diagnostics&,
                                             std::string_view>::value_type;
  if (!node.is_sequence()) {
    diagnostics.Error(node, std::string(what) + ": expected a sequence, got " +
                                std::string(NodeKindName(node.kind())));
    return std::nullopt;
  }
  std::vector<Item> out;
  out.reserve(node.items().size());
  for (std::size_t i = 0; i < node.items().size(); ++i) {
    const std::string item_what = std::string(what) + "[" + std::to_string(i) + "]";
    if (auto value = item(node.items()[i], diagnostics, item_what))
      out.push_back(std::move(*value));
  }
  return out;
}

// Reads a sequence with ReadSequence; usable as an item or mapping-value reader itself.
template <typename ItemReader>
struct SequenceValue {
  ItemReader item;
  auto operator()(const Node& node, Diagnostics& diagnostics, std::string_view what) const {
    return ReadSequence(node, diagnostics, what, item);
  }
};

}  // namespace linkmon::config::yaml
