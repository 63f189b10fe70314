#include "config/schema/target_spec.h"

#include <algorithm>
#include <string>

namespace linkmon::config::schema {

namespace {

using namespace std::chrono_literals;
using yaml::Diagnostics;
using yaml::MappingReader;
using yaml::Node;

template <typename T, typename Reader>
void ReadSetting(MappingReader& map, Diagnostics& diagnostics, std::string_view key,
                 std::optional<Setting<T>>& out, const Reader& reader) {
  const Node* node = map.Find(key);
  if (node == nullptr) return;
  if (auto value = reader(*node, diagnostics, key)) out = Setting<T>{std::move(*value), *node};
}

const yaml::IntegerValue<int> kPort{.min = 1, .max = 65535};

// Reads "[icmp, stamp]": known methods, none twice, at least one.
struct MethodsValue {
  std::optional<std::vector<Method>> operator()(const Node& node, Diagnostics& diagnostics,
                                                std::string_view what) const {
    yaml::EnumValue<Method> method;
    for (Method m : kAllMethods) method.choices.emplace_back(std::string(MethodName(m)), m);
    auto methods = yaml::ReadSequence(node, diagnostics, what, method);
    if (!methods) return std::nullopt;
    if (node.items().empty()) {
      diagnostics.Error(node, std::string(what) + ": list at least one method");
      return std::nullopt;
    }
    std::vector<Method> unique;
    for (std::size_t i = 0; i < node.items().size(); ++i) {
      auto parsed = ParseMethod(node.items()[i].scalar());
      if (!parsed) continue;  // already reported
      if (std::find(unique.begin(), unique.end(), *parsed) != unique.end()) {
        diagnostics.Error(node.items()[i], std::string(what) + "[" + std::to_string(i) + "]: '" +
                                               node.items()[i].scalar() + "' is listed twice");
        continue;
      }
      unique.push_back(*parsed);
    }
    if (unique.size() != node.items().size()) return std::nullopt;
    return unique;
  }
};

struct StampValue {
  std::optional<StampSettings> operator()(const Node& node, Diagnostics& diagnostics,
                                          std::string_view what) const {
    MappingReader map(node, diagnostics, std::string(what));
    StampSettings settings;
    int port = settings.port;
    const bool ok = map.Find("port") == nullptr || map.Read("port", port, kPort);
    map.RejectUnknownKeys();
    if (!ok || !map.is_mapping()) return std::nullopt;
    settings.port = static_cast<std::uint16_t>(port);
    return settings;
  }
};

struct TcpValue {
  std::optional<TcpSettings> operator()(const Node& node, Diagnostics& diagnostics,
                                        std::string_view what) const {
    MappingReader map(node, diagnostics, std::string(what));
    int port = 0;
    const bool ok = map.ReadRequired("port", port, kPort);
    map.RejectUnknownKeys();
    if (!ok) return std::nullopt;
    return TcpSettings{.port = static_cast<std::uint16_t>(port)};
  }
};

struct DnsValue {
  std::optional<DnsSettings> operator()(const Node& node, Diagnostics& diagnostics,
                                        std::string_view what) const {
    MappingReader map(node, diagnostics, std::string(what));
    DnsSettings settings;
    int port = settings.port;
    bool ok = map.ReadRequired("query", settings.query, yaml::StringValue{});
    if (map.Find("port") != nullptr && !map.Read("port", port, kPort)) ok = false;
    map.RejectUnknownKeys();
    if (!ok) return std::nullopt;
    settings.port = static_cast<std::uint16_t>(port);
    return settings;
  }
};

struct ThroughputValue {
  std::optional<ThroughputSettings> operator()(const Node& node, Diagnostics& diagnostics,
                                               std::string_view what) const {
    MappingReader map(node, diagnostics, std::string(what));
    ThroughputSettings settings;
    int port = settings.port;
    bool ok = true;
    auto read = [&](std::string_view key, auto& out, const auto& reader) {
      if (map.Find(key) != nullptr && !map.Read(key, out, reader)) ok = false;
    };
    read("mode", settings.mode,
         yaml::EnumValue<ThroughputMode>{
             .choices = {{"tcp", ThroughputMode::kTcp}, {"udp", ThroughputMode::kUdp}}});
    read("rate", settings.rate,
         yaml::BandwidthValue{.min = Bandwidth{1'000'000}, .max = Bandwidth{10'000'000'000}});
    read("duration", settings.duration, yaml::DurationValue{.min = 1s, .max = 60s});
    read("every", settings.every, yaml::DurationValue{.min = 1min, .max = 24h * 7});
    read("port", port, kPort);
    map.RejectUnknownKeys();
    if (!ok || !map.is_mapping()) return std::nullopt;
    settings.port = static_cast<std::uint16_t>(port);
    if (settings.duration * 10 > settings.every) {
      // A test longer than a tenth of its period would load the link much of the time.
      const Node* at = map.Find("duration") ? map.Find("duration") : map.Find("every");
      diagnostics.Error(
          at ? *at : node,
          std::string(what) + ": duration " + yaml::FormatConfigDuration(settings.duration) +
              " is more than a tenth of every " + yaml::FormatConfigDuration(settings.every) +
              "; throughput tests must leave the link to its traffic");
      return std::nullopt;
    }
    return settings;
  }
};

struct PassiveValue {
  std::optional<PassiveSettings> operator()(const Node& node, Diagnostics& diagnostics,
                                            std::string_view what) const {
    MappingReader map(node, diagnostics, std::string(what));
    PassiveSettings settings;
    bool ok = map.ReadRequired("interface", settings.interface, yaml::StringValue{});
    if (const Node* prefixes = map.Find("prefixes")) {
      auto read = yaml::ReadSequence(*prefixes, diagnostics, "prefixes", yaml::IpPrefixValue{});
      if (read && read->empty()) {
        diagnostics.Error(*prefixes,
                          "prefixes: list at least one prefix, or leave the key out "
                          "to use the target's address");
      } else if (read) {
        settings.prefixes = std::move(*read);
      } else {
        ok = false;
      }
    }
    if (map.Find("filter") != nullptr &&
        !map.Read("filter", settings.filter, yaml::StringValue{})) {
      ok = false;
    }
    map.RejectUnknownKeys();
    if (!ok) return std::nullopt;
    // Linux interface names: at most 15 bytes (IFNAMSIZ - 1), no '/', no white space.
    const bool valid =
        settings.interface.size() <= 15 &&
        std::none_of(settings.interface.begin(), settings.interface.end(), [](char c) {
          return c == '/' || c == ':' || static_cast<unsigned char>(c) <= ' ';
        });
    if (!valid) {
      diagnostics.Error(*map.Find("interface"),
                        "interface: '" + settings.interface +
                            "' is not a network interface name (at most 15 characters, no '/', "
                            "':' or spaces)");
      return std::nullopt;
    }
    return settings;
  }
};

template <typename T>
void Prefer(std::optional<T>& out, const std::optional<T>& over) {
  if (over) out = over;
}

}  // namespace

TargetSpec ReadTargetSpec(MappingReader& map, Diagnostics& diagnostics) {
  TargetSpec spec;
  ReadSetting(map, diagnostics, "methods", spec.methods, MethodsValue{});
  ReadSetting(map, diagnostics, "interval", spec.interval,
              yaml::DurationValue{.min = 10ms, .max = 1h});
  ReadSetting(map, diagnostics, "timeout", spec.timeout,
              yaml::DurationValue{.min = 1ms, .max = 60s});
  // 64 bytes holds any probe's headers; 9000 is the largest jumbo frame in common use.
  ReadSetting(map, diagnostics, "packet_size", spec.packet_size,
              yaml::IntegerValue<int>{.min = 64, .max = 9000});
  ReadSetting(map, diagnostics, "dscp", spec.dscp, yaml::IntegerValue<int>{.min = 0, .max = 63});
  ReadSetting(map, diagnostics, "sla_class", spec.sla_class, yaml::NameValue<SlaClassTag>{});
  ReadSetting(map, diagnostics, "stamp", spec.stamp, StampValue{});
  ReadSetting(map, diagnostics, "tcp", spec.tcp, TcpValue{});
  ReadSetting(map, diagnostics, "dns", spec.dns, DnsValue{});
  ReadSetting(map, diagnostics, "throughput", spec.throughput, ThroughputValue{});
  ReadSetting(map, diagnostics, "passive", spec.passive, PassiveValue{});
  return spec;
}

TargetSpec MergeTargetSpecs(const TargetSpec& base, const TargetSpec& over) {
  TargetSpec merged = base;
  Prefer(merged.methods, over.methods);
  Prefer(merged.interval, over.interval);
  Prefer(merged.timeout, over.timeout);
  Prefer(merged.packet_size, over.packet_size);
  Prefer(merged.dscp, over.dscp);
  Prefer(merged.sla_class, over.sla_class);
  Prefer(merged.stamp, over.stamp);
  Prefer(merged.tcp, over.tcp);
  Prefer(merged.dns, over.dns);
  Prefer(merged.throughput, over.throughput);
  Prefer(merged.passive, over.passive);
  return merged;
}

}  // namespace linkmon::config::schema
