// sla_classes: named sets of thresholds, each judged on one of the collector's windows, with the
// SLO behind error budgets and the hysteresis of breach events.

#include <algorithm>

#include "config/schema/schema.h"

namespace linkmon::config::schema {

namespace {

using namespace std::chrono_literals;
using yaml::Diagnostics;
using yaml::MappingReader;
using yaml::Node;

constexpr auto kDefaultWindow = 5min;

// A window must be one the collector keeps.
struct WindowValue {
  const std::vector<std::chrono::nanoseconds>* windows;
  std::optional<std::chrono::nanoseconds> operator()(const Node& node, Diagnostics& diagnostics,
                                                     std::string_view what) const {
    auto window = yaml::DurationValue{}(node, diagnostics, what);
    if (!window) return std::nullopt;
    if (std::find(windows->begin(), windows->end(), *window) == windows->end()) {
      diagnostics.Error(node, std::string(what) + ": " + node.scalar() +
                                  " is not one of the collector's windows (" +
                                  FormatDurations(*windows) + ")");
      return std::nullopt;
    }
    return window;
  }
};

// A threshold is written "rtt_p99: 20ms" (judged on the class's window) or
// "rtt_p99: {max: 20ms, window: 1h}"; `bound_key` is "max" or, for bandwidth, "min".
template <typename T, typename ValueReader>
std::optional<Threshold<T>> ReadThreshold(const Node& node, Diagnostics& diagnostics,
                                          std::string_view key, std::string_view bound_key,
                                          const ValueReader& value_reader,
                                          const WindowValue& window_reader,
                                          std::chrono::nanoseconds default_window) {
  if (node.is_scalar()) {
    auto limit = value_reader(node, diagnostics, key);
    if (!limit) return std::nullopt;
    return Threshold<T>{*limit, default_window};
  }
  MappingReader map(node, diagnostics, std::string(key));
  if (!map.is_mapping()) return std::nullopt;
  std::optional<T> limit;
  std::chrono::nanoseconds window = default_window;
  if (const Node* bound = map.Require(bound_key))
    limit = value_reader(*bound, diagnostics, bound_key);
  const bool window_ok = map.Find("window") == nullptr || map.Read("window", window, window_reader);
  map.RejectUnknownKeys();
  if (!limit || !window_ok) return std::nullopt;
  return Threshold<T>{*limit, window};
}

void ReadSlo(const Node& node, Diagnostics& diagnostics, const CollectorSettings& collector,
             Slo& slo) {
  MappingReader map(node, diagnostics, "slo");
  if (const Node* objective = map.Find("objective")) {
    // Below 50% is no objective; 100% leaves no error budget (burn rates divide by it).
    if (auto value = yaml::RatioValue{.min = Ratio{0.5}}(*objective, diagnostics, "objective")) {
      if (value->value >= 1.0) {
        diagnostics.Error(*objective, "objective: " + objective->scalar() +
                                          " leaves no error budget; use less than 100%, such "
                                          "as 99.9%");
      } else {
        slo.objective = *value;
      }
    }
  }
  if (const Node* period = map.Find("period")) {
    if (auto value =
            yaml::DurationValue{.min = 1h, .max = 366 * 24h}(*period, diagnostics, "period")) {
      if (*value > collector.retention) {
        diagnostics.Error(*period, "period: " + period->scalar() +
                                       " is longer than the collector's retention (" +
                                       yaml::FormatConfigDuration(collector.retention) +
                                       "); the error budget could not be counted");
      } else if (*value % 1min != 0ns) {
        diagnostics.Error(*period,
                          "period: " + period->scalar() + " is not a whole number of minutes");
      } else {
        slo.period = *value;
      }
    }
  }
  map.RejectUnknownKeys();
}

void ReadBreach(const Node& node, Diagnostics& diagnostics, BreachHysteresis& breach) {
  MappingReader map(node, diagnostics, "breach");
  const yaml::IntegerValue<int> minutes{.min = 1, .max = 24 * 60};
  map.Read("open_after_bad_minutes", breach.open_after_bad_minutes, minutes);
  map.Read("close_after_good_minutes", breach.close_after_good_minutes, minutes);
  map.RejectUnknownKeys();
}

// p50 <= p95 <= p99: a class that allows more at the median than at the tail is a typo.
void CheckPercentileOrder(const MappingReader& map, const SlaClass& sla, Diagnostics& diagnostics,
                          const Node& class_node) {
  struct Percentile {
    const char* key;
    const std::optional<Threshold<std::chrono::nanoseconds>>* threshold;
  };
  const Percentile percentiles[] = {
      {"rtt_p50", &sla.rtt_p50}, {"rtt_p95", &sla.rtt_p95}, {"rtt_p99", &sla.rtt_p99}};
  for (std::size_t low = 0; low < 3; ++low) {
    for (std::size_t high = low + 1; high < 3; ++high) {
      const auto& a = *percentiles[low].threshold;
      const auto& b = *percentiles[high].threshold;
      if (!a || !b || a->limit <= b->limit) continue;
      const Node* at = class_node.Find(percentiles[low].key);
      diagnostics.Error(at ? *at : map.node(), "sla class '" + sla.name.str() +
                                                   "': " + percentiles[low].key + " (" +
                                                   yaml::FormatConfigDuration(a->limit) +
                                                   ") is above " + percentiles[high].key + " (" +
                                                   yaml::FormatConfigDuration(b->limit) + ")");
    }
  }
}

SlaClass ReadSlaClass(const SlaClassName& name, const Node& node, LoadContext& context,
                      const CollectorSettings& collector) {
  Diagnostics& diagnostics = context.diagnostics;
  SlaClass sla{.name = name,
               .description = {},
               .rtt_p50 = {},
               .rtt_p95 = {},
               .rtt_p99 = {},
               .jitter = {},
               .loss = {},
               .min_bandwidth = {},
               .slo = {},
               .breach = {}};
  MappingReader map(node, diagnostics, "sla class '" + name.str() + "'");
  if (!map.is_mapping()) return sla;
  const WindowValue window_reader{&collector.windows};
  map.Read("description", sla.description, yaml::StringValue{.allow_empty = true});

  std::chrono::nanoseconds default_window = kDefaultWindow;
  if (const Node* window = map.Find("window")) {
    if (auto value = window_reader(*window, diagnostics, "window")) default_window = *value;
  } else if (std::find(collector.windows.begin(), collector.windows.end(), kDefaultWindow) ==
             collector.windows.end()) {
    // The built-in default is not a collector window here: the class must say which to use.
    diagnostics.Error(node, "sla class '" + name.str() +
                                "': missing required key 'window' (the collector has no " +
                                yaml::FormatConfigDuration(kDefaultWindow) + " window)");
  }

  const yaml::DurationValue rtt{.min = 1us, .max = 60s};
  auto read_rtt = [&](const char* key, std::optional<Threshold<std::chrono::nanoseconds>>& out) {
    if (const Node* value = map.Find(key)) {
      out = ReadThreshold<std::chrono::nanoseconds>(*value, diagnostics, key, "max", rtt,
                                                    window_reader, default_window);
    }
  };
  read_rtt("rtt_p50", sla.rtt_p50);
  read_rtt("rtt_p95", sla.rtt_p95);
  read_rtt("rtt_p99", sla.rtt_p99);
  read_rtt("jitter", sla.jitter);
  if (const Node* value = map.Find("loss")) {
    sla.loss = ReadThreshold<Ratio>(*value, diagnostics, "loss", "max", yaml::RatioValue{},
                                    window_reader, default_window);
  }
  if (const Node* value = map.Find("min_bandwidth")) {
    sla.min_bandwidth = ReadThreshold<Bandwidth>(*value, diagnostics, "min_bandwidth", "min",
                                                 yaml::BandwidthValue{.min = Bandwidth{1000}},
                                                 window_reader, default_window);
  }
  if (const Node* slo = map.Find("slo")) ReadSlo(*slo, diagnostics, collector, sla.slo);
  if (const Node* breach = map.Find("breach")) ReadBreach(*breach, diagnostics, sla.breach);
  map.RejectUnknownKeys();

  const bool any_threshold_written = map.Find("rtt_p50") || map.Find("rtt_p95") ||
                                     map.Find("rtt_p99") || map.Find("jitter") ||
                                     map.Find("loss") || map.Find("min_bandwidth");
  if (!any_threshold_written) {
    diagnostics.Error(node, "sla class '" + name.str() +
                                "': set at least one threshold (rtt_p50, rtt_p95, rtt_p99, "
                                "jitter, loss, min_bandwidth)");
  }
  CheckPercentileOrder(map, sla, diagnostics, node);
  return sla;
}

}  // namespace

void ReadSlaClasses(const Node& node, LoadContext& context, Config& config) {
  Diagnostics& diagnostics = context.diagnostics;
  MappingReader classes(node, diagnostics, "sla_classes");
  if (!classes.is_mapping()) return;
  if (node.entries().empty()) {
    diagnostics.Error(node, "sla_classes: define at least one SLA class");
    return;
  }
  for (const auto& entry : node.entries()) {
    auto name = yaml::NameValue<SlaClassTag>{}(entry.key, diagnostics, "sla_classes");
    if (!name) continue;
    // Registered even with mistakes, so that targets naming it do not add "unknown class".
    config.sla_classes.push_back(ReadSlaClass(*name, entry.value, context, config.collector));
  }
}

}  // namespace linkmon::config::schema
