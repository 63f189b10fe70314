#pragma once

// A config for ingest tests, benchmarks and the crash test: probe sites "xining" and "haidong"
// (and `more_probes` others, "probe-0" ..., token ProbeToken(i)), each probing `hubs` hub sites
// ("hub-0" ...) by ICMP and STAMP (the paths of batch_examples.h's ExampleBatch), their token
// files written into `dir`, the store in `dir`.
// Addresses are from RFC 5737's documentation range: nothing sends to them.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/load.h"

namespace linkmon::ingest::testing {

inline constexpr const char* kXiningToken = "xining-token-0123456789abcdef";
inline constexpr const char* kHaidongToken = "haidong-token-0123456789abcdef";

inline std::string ProbeToken(int i) { return "probe-" + std::to_string(i) + "-token-0123456789"; }

inline std::string IngestTestConfigYaml(const std::filesystem::path& dir, int hubs,
                                        const std::string& listen = "127.0.0.1:0",
                                        int more_probes = 0) {
  std::ofstream(dir / "xining.token") << kXiningToken << "\n";
  std::ofstream(dir / "haidong.token") << kHaidongToken << "\n";
  std::vector<std::string> probes = {"xining", "haidong"};
  std::string yaml = "version: 1\nsites:\n";
  yaml += "  xining: {region: qinghai, addresses: [192.0.2.10], reflector: true}\n";
  yaml += "  haidong: {region: qinghai, addresses: [192.0.2.20], reflector: true}\n";
  for (int i = 0; i < more_probes; ++i) {
    probes.push_back("probe-" + std::to_string(i));
    std::ofstream(dir / (probes.back() + ".token")) << ProbeToken(i) << "\n";
    yaml += "  " + probes.back() + ": {region: qinghai, addresses: [192.0.2." +
            std::to_string(30 + i) + "], reflector: true}\n";
  }
  for (int i = 0; i < hubs; ++i) {
    // Up to 508 hubs: 198.51.100.1-254, then 203.0.113.1-254 (both RFC 5737).
    const std::string address =
        i < 254 ? "198.51.100." + std::to_string(i + 1) : "203.0.113." + std::to_string(i - 253);
    yaml += "  hub-" + std::to_string(i) + ": {region: hubs, addresses: [" + address +
            "], reflector: true}\n";
  }
  yaml += "sla_classes:\n  nationwide:\n    window: 1m\n    rtt_p99: 20ms\n";
  yaml +=
      "probe:\n  collector_url: http://127.0.0.1:9100\n  reflector:\n    listen: 127.0.0.1:862\n"
      "    allowed_sources: [127.0.0.0/8]\n";
  yaml += "probes:\n";
  for (const std::string& probe : probes) {
    yaml += "  " + probe + ":\n    targets:\n";
    for (int i = 0; i < hubs; ++i) {
      yaml += "      - site: hub-" + std::to_string(i) +
              "\n        methods: [icmp, stamp]\n        sla_class: nationwide\n";
    }
  }
  yaml += "collector:\n  listen: " + listen + "\n  store: " + (dir / "collector.db").string() +
          "\n  retention: 35d\n  tokens:\n";
  for (const std::string& probe : probes) {
    yaml += "    " + probe + ": " + (dir / (probe + ".token")).string() + "\n";
  }
  return yaml;
}

inline config::Config IngestTestConfig(const std::filesystem::path& dir, int hubs) {
  auto loaded =
      config::LoadConfigString(IngestTestConfigYaml(dir, hubs), (dir / "linkmon.yaml").string());
  if (!loaded) {
    std::string problems;
    for (const auto& d : loaded.error()) problems += d.ToString() + "\n";
    throw std::runtime_error("test config does not load:\n" + problems);
  }
  return *loaded;
}

}  // namespace linkmon::ingest::testing
