// probe: settings shared by every probe process: where to upload, the spool, the reflector, and
// the file-wide target_defaults.

#include "config/schema/schema.h"

namespace linkmon::config::schema {

namespace {

using namespace std::chrono_literals;
using yaml::Diagnostics;
using yaml::MappingReader;
using yaml::Node;

struct HttpUrlValue {
  std::optional<HttpUrl> operator()(const Node& node, Diagnostics& diagnostics,
                                    std::string_view what) const {
    if (!yaml::ExpectScalar(node, diagnostics, what, "a URL such as 'http://192.0.2.5:9100'")) {
      return std::nullopt;
    }
    auto url = ParseHttpUrl(node.scalar());
    if (!url) {
      diagnostics.Error(node, std::string(what) + ": " + url.error().message);
      return std::nullopt;
    }
    return *url;
  }
};

void ReadSpool(const Node& node, LoadContext& context, ProbeSettings& probe) {
  MappingReader map(node, context.diagnostics, "spool");
  map.Read("path", probe.spool_path, PathValue{&context.base_dir});
  map.Read("max_size", probe.spool_max_bytes,
           yaml::ByteSizeValue{.min = 1ull << 20, .max = 1ull << 40});
  map.RejectUnknownKeys();
}

void ReadTls(const Node& node, LoadContext& context, ProbeSettings& probe) {
  Diagnostics& diagnostics = context.diagnostics;
  ProbeTls tls;
  MappingReader map(node, diagnostics, "tls");
  map.Read("ca_file", tls.ca_file, PathValue{&context.base_dir});
  const bool has_certificate =
      map.Read("certificate_file", tls.certificate_file, PathValue{&context.base_dir});
  const bool has_key =
      map.Read("private_key_file", tls.private_key_file, PathValue{&context.base_dir});
  map.RejectUnknownKeys();
  if (has_certificate != has_key && map.is_mapping()) {
    diagnostics.Error(*map.Find(has_certificate ? "certificate_file" : "private_key_file"),
                      "tls: a client certificate needs both certificate_file and "
                      "private_key_file");
  }
  // Settings that would be ignored are refused: a probe must not upload in the clear while its
  // operator believes it verifies the collector.
  if (probe.collector_url && !probe.collector_url->tls) {
    diagnostics.Error(node,
                      "tls: collector_url is not https://; use an https:// URL or remove tls");
  }
  probe.tls = std::move(tls);
}

ReflectorSettings ReadReflector(const Node& node, LoadContext& context) {
  Diagnostics& diagnostics = context.diagnostics;
  ReflectorSettings reflector;
  MappingReader map(node, diagnostics, "reflector");
  map.Read("listen", reflector.listen, yaml::SocketAddressValue{});
  // Required, and never empty: an open reflector answers anyone, which makes it a traffic source
  // for whoever spoofs a victim's address.
  if (const Node* sources = map.Require("allowed_sources")) {
    if (auto prefixes =
            yaml::ReadSequence(*sources, diagnostics, "allowed_sources", yaml::IpPrefixValue{})) {
      if (sources->items().empty()) {
        diagnostics.Error(*sources,
                          "allowed_sources: list at least one prefix; an open reflector can be "
                          "abused to send traffic to anyone");
      }
      reflector.allowed_sources = std::move(*prefixes);
    }
  }
  map.Read("key_file", reflector.key_file, PathValue{&context.base_dir});
  map.Read("max_packets_per_second", reflector.max_packets_per_second,
           yaml::IntegerValue<std::uint32_t>{.min = 1, .max = 1'000'000});
  map.Read("max_sessions", reflector.max_sessions,
           yaml::IntegerValue<std::uint32_t>{.min = 1, .max = 1'000'000});
  map.Read("max_throughput", reflector.max_throughput,
           yaml::BandwidthValue{.min = Bandwidth{1'000'000}, .max = Bandwidth{100'000'000'000}});
  map.RejectUnknownKeys();
  return reflector;
}

}  // namespace

void ReadProbeSettings(const Node& node, LoadContext& context, Config& config,
                       TargetSpec& target_defaults) {
  Diagnostics& diagnostics = context.diagnostics;
  ProbeSettings& probe = config.probe;
  auto map = MappingReader::AllowingEmpty(node, diagnostics, "probe");
  map.Read("collector_url", probe.collector_url, HttpUrlValue{});
  if (const Node* tls = map.Find("tls")) ReadTls(*tls, context, probe);
  map.Read("token_file", probe.token_file, PathValue{&context.base_dir});
  if (const Node* spool = map.Find("spool")) ReadSpool(*spool, context, probe);
  // Summaries are merged into the collector's minute windows: a summary may not straddle two.
  const bool summary_ok = map.Read("summary_interval", probe.summary_interval,
                                   yaml::DurationValue{.min = 1s, .max = 1min});
  if (summary_ok && 1min % probe.summary_interval != 0ns) {
    diagnostics.Error(*map.Find("summary_interval"),
                      "summary_interval: " + map.Find("summary_interval")->scalar() +
                          " does not divide a minute evenly; summaries must fit the collector's "
                          "minute windows");
  }
  const bool upload_ok = map.Read("upload_interval", probe.upload_interval,
                                  yaml::DurationValue{.min = 1s, .max = 10min});
  if (upload_ok && probe.upload_interval < probe.summary_interval) {
    diagnostics.Error(*map.Find("upload_interval"),
                      "upload_interval: " + map.Find("upload_interval")->scalar() +
                          " is shorter than summary_interval (" +
                          yaml::FormatConfigDuration(probe.summary_interval) +
                          "); there would be nothing new to upload");
  }
  map.Read("metrics_listen", probe.metrics_listen, yaml::SocketAddressValue{});
  map.Read("metrics_per_target", probe.metrics_per_target, yaml::BoolValue{});
  if (const Node* reflector = map.Find("reflector")) {
    probe.reflector = ReadReflector(*reflector, context);
  }
  if (const Node* defaults = map.Find("target_defaults")) {
    MappingReader defaults_map(*defaults, diagnostics, "target_defaults");
    target_defaults = ReadTargetSpec(defaults_map, diagnostics);
    defaults_map.RejectUnknownKeys();
  }
  map.RejectUnknownKeys();
}

}  // namespace linkmon::config::schema
