// collector: where the collector listens and stores, how long it keeps data, its windows, the
// probes' tokens and its limits.

#include <algorithm>

#include "config/schema/schema.h"

namespace linkmon::config::schema {

namespace {

using namespace std::chrono_literals;
using yaml::Diagnostics;
using yaml::MappingReader;
using yaml::Node;

void ReadWindows(const Node& node, Diagnostics& diagnostics, CollectorSettings& collector) {
  auto windows = yaml::ReadSequence(node, diagnostics, "windows",
                                    yaml::DurationValue{.min = 1min, .max = 24h});
  if (!windows) return;
  if (node.items().empty()) {
    diagnostics.Error(node, "windows: list at least one window");
    return;
  }
  if (windows->size() != node.items().size()) return;  // a bad item was reported
  bool ok = true;
  for (std::size_t i = 0; i < windows->size(); ++i) {
    const auto window = (*windows)[i];
    const std::string what = "windows[" + std::to_string(i) + "]";
    // SLA judgement and error budgets count whole minutes, so windows are made of them.
    if (window % 1min != 0ns) {
      diagnostics.Error(node.items()[i], what + ": " + yaml::FormatConfigDuration(window) +
                                             " is not a whole number of minutes");
      ok = false;
    } else if (i > 0 && window <= (*windows)[i - 1]) {
      diagnostics.Error(node.items()[i],
                        what + ": " + yaml::FormatConfigDuration(window) +
                            " is not longer than the window before it; list windows from "
                            "shortest to longest, each once");
      ok = false;
    }
  }
  if (ok) collector.windows = std::move(*windows);
}

void ReadLimits(const Node& node, Diagnostics& diagnostics, CollectorLimits& limits) {
  MappingReader map(node, diagnostics, "limits");
  map.Read("max_body_size", limits.max_body_bytes,
           yaml::ByteSizeValue{.min = 1024, .max = 1ull << 30});
  map.Read("max_decompressed_size", limits.max_decompressed_bytes,
           yaml::ByteSizeValue{.min = 1024, .max = 4ull << 30});
  map.Read("max_paths", limits.max_paths,
           yaml::IntegerValue<std::uint32_t>{.min = 1, .max = 10'000'000});
  map.Read("max_connections", limits.max_connections,
           yaml::IntegerValue<std::uint32_t>{.min = 1, .max = 100'000});
  map.RejectUnknownKeys();
  if (limits.max_decompressed_bytes < limits.max_body_bytes) {
    const Node* at = map.Find("max_decompressed_size");
    diagnostics.Error(
        at ? *at : node,
        "max_decompressed_size: " + yaml::FormatConfigByteSize(limits.max_decompressed_bytes) +
            " is below max_body_size (" + yaml::FormatConfigByteSize(limits.max_body_bytes) + ")");
  }
}

CollectorTls ReadTls(const Node& node, LoadContext& context) {
  CollectorTls tls;
  MappingReader map(node, context.diagnostics, "tls");
  map.ReadRequired("certificate_file", tls.certificate_file, PathValue{&context.base_dir});
  map.ReadRequired("private_key_file", tls.private_key_file, PathValue{&context.base_dir});
  map.Read("client_ca_file", tls.client_ca_file, PathValue{&context.base_dir});
  map.Read("handshake_timeout", tls.handshake_timeout,
           yaml::DurationValue{.min = 100ms, .max = 5min});
  map.RejectUnknownKeys();
  return tls;
}

}  // namespace

void ReadCollector(const Node& node, LoadContext& context, Config& config) {
  Diagnostics& diagnostics = context.diagnostics;
  CollectorSettings& collector = config.collector;
  auto map = MappingReader::AllowingEmpty(node, diagnostics, "collector");
  map.Read("listen", collector.listen, yaml::SocketAddressValue{});
  map.Read("store", collector.store_path, PathValue{&context.base_dir});
  if (const Node* tls = map.Find("tls")) collector.tls = ReadTls(*tls, context);
  const bool retention_ok =
      map.Read("retention", collector.retention, yaml::DurationValue{.min = 1h, .max = 3650 * 24h});
  if (const Node* windows = map.Find("windows")) ReadWindows(*windows, diagnostics, collector);
  if (const Node* limits = map.Find("limits")) ReadLimits(*limits, diagnostics, collector.limits);
  map.Allow("tokens");  // read by ReadCollectorTokens once the probes are known
  map.RejectUnknownKeys();

  const auto longest_window = collector.windows.back();
  if (retention_ok && collector.retention < longest_window) {
    diagnostics.Error(*map.Find("retention"),
                      "retention: " + yaml::FormatConfigDuration(collector.retention) +
                          " is shorter than the longest window (" +
                          yaml::FormatConfigDuration(longest_window) + ")");
  }
}

void ReadCollectorTokens(const Node& collector_node, LoadContext& context, Config& config) {
  Diagnostics& diagnostics = context.diagnostics;
  const Node* tokens = collector_node.Find("tokens");
  if (tokens == nullptr) {
    // No tokens at all: a file without a collector section (or without probes) is fine, but a
    // collector section that would refuse every probe is not.
    if (collector_node.is_mapping() && !config.probes.empty()) {
      diagnostics.Error(collector_node,
                        "collector: missing required key 'tokens' (a token file per probe site)");
    }
    return;
  }
  MappingReader map(*tokens, diagnostics, "tokens");
  if (!map.is_mapping()) return;
  std::vector<std::string> probe_sites;
  for (const auto& probe : config.probes) probe_sites.push_back(probe.site.str());
  for (const auto& entry : tokens->entries()) {
    auto site = yaml::NameValue<SiteTag>{}(entry.key, diagnostics, "tokens");
    if (!site) continue;
    auto path = PathValue{&context.base_dir}(entry.value, diagnostics, site->str());
    if (config.FindProbe(*site) == nullptr) {
      diagnostics.Error(entry.key, "tokens: '" + site->str() + "' is not a probe site" +
                                       yaml::DidYouMean(site->str(), probe_sites));
      continue;
    }
    if (path) config.collector.token_files.emplace(*site, std::move(*path));
  }
  for (const auto& probe : config.probes) {
    if (!config.collector.token_files.contains(probe.site) &&
        std::none_of(
            tokens->entries().begin(), tokens->entries().end(),
            [&](const yaml::MappingEntry& e) { return e.key.scalar() == probe.site.str(); })) {
      diagnostics.Error(*tokens, "tokens: no token file for probe site '" + probe.site.str() +
                                     "'; the collector would refuse its uploads");
    }
  }
}

}  // namespace linkmon::config::schema
