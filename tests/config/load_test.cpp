#include "config/load.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

namespace linkmon::config {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

constexpr std::string_view kMinimal = R"(
sites:
  xining: {region: qinghai, addresses: [192.0.2.10]}
  haidong: {region: qinghai, addresses: [192.0.2.20]}
sla_classes:
  metro: {rtt_p99: 1ms}
)";

Config LoadOrFail(std::string_view text, std::string_view file = "/etc/linkmon/linkmon.yaml") {
  ConfigResult result = LoadConfigString(text, file);
  if (!result) {
    for (const auto& d : result.error()) ADD_FAILURE() << d.ToString();
    return Config{};
  }
  return *result;
}

std::vector<std::string> Problems(std::string_view text) {
  ConfigResult result = LoadConfigString(text, "t.yaml");
  std::vector<std::string> out;
  if (result) return out;
  for (const auto& d : result.error()) out.push_back(d.ToString());
  return out;
}

TEST(LoadConfigTest, MinimalFileGetsTheDocumentedDefaults) {
  Config config = LoadOrFail(kMinimal);
  EXPECT_EQ(config.version, 1);
  ASSERT_EQ(config.sites.size(), 2u);
  EXPECT_FALSE(config.sites[0].reflector);
  const SlaClass& metro = config.sla_classes.at(0);
  EXPECT_EQ(metro.rtt_p99->window, 5min);
  EXPECT_DOUBLE_EQ(metro.slo.objective.value, 0.999);
  EXPECT_EQ(metro.slo.period, 24h * 30);
  EXPECT_EQ(metro.breach.open_after_bad_minutes, 3);
  EXPECT_EQ(metro.breach.close_after_good_minutes, 5);
  EXPECT_EQ(config.collector.listen.ToString(), "0.0.0.0:9100");
  EXPECT_EQ(config.collector.retention, 24h * 35);
  EXPECT_THAT(config.collector.windows, ElementsAre(1min, 5min, 1h));
  EXPECT_EQ(config.collector.store_path, "/var/lib/linkmon/collector.db");
  EXPECT_EQ(config.probe.metrics_listen.ToString(), "0.0.0.0:9101");
  EXPECT_FALSE(config.probe.metrics_per_target);
  EXPECT_EQ(config.probe.spool_max_bytes, 256u << 20);
  EXPECT_EQ(config.probe.summary_interval, 10s);
  EXPECT_FALSE(config.probe.reflector);
  EXPECT_FALSE(config.probe.collector_url);
}

TEST(LoadConfigTest, TargetGetsBuiltInDefaults) {
  Config config = LoadOrFail(std::string(kMinimal) + R"(
probe: {collector_url: "http://192.0.2.5:9100"}
probes:
  xining:
    targets:
      - {site: haidong, sla_class: metro}
      - {site: haidong, sla_class: metro, methods: [tcp], tcp: {port: 22}, interval: 200ms}
)");
  ASSERT_EQ(config.probes.size(), 1u);
  ASSERT_EQ(config.probes[0].targets.size(), 2u);
  const Target& plain = config.probes[0].targets[0];
  EXPECT_THAT(plain.methods, ElementsAre(Method::kIcmp));
  EXPECT_EQ(plain.interval, 1s);
  EXPECT_EQ(plain.timeout, 1s);
  EXPECT_EQ(plain.packet_size, 100);
  EXPECT_EQ(plain.dscp, 0);
  EXPECT_FALSE(plain.tcp);
  const Target& tcp = config.probes[0].targets[1];
  EXPECT_EQ(tcp.timeout, 200ms);  // unset timeout follows a short interval
  EXPECT_EQ(tcp.tcp->port, 22);
}

TEST(LoadConfigTest, PassiveTargetReadsPrefixesAndFilter) {
  Config config = LoadOrFail(std::string(kMinimal) + R"(
probe: {collector_url: "http://192.0.2.5:9100"}
probes:
  xining:
    targets:
      - {site: haidong, sla_class: metro, methods: [passive], passive: {interface: eth0}}
  haidong:
    targets:
      - site: xining
        sla_class: metro
        methods: [passive]
        passive: {interface: bond0, prefixes: [192.0.2.0/28, "2001:db8::/32"], filter: tcp}
)");
  ASSERT_EQ(config.probes.size(), 2u);
  const PassiveSettings& plain = *config.probes[0].targets.at(0).passive;
  EXPECT_EQ(plain.interface, "eth0");
  EXPECT_TRUE(plain.prefixes.empty());
  EXPECT_EQ(plain.filter, "ip or ip6");
  const PassiveSettings& set = *config.probes[1].targets.at(0).passive;
  EXPECT_EQ(set.interface, "bond0");
  ASSERT_EQ(set.prefixes.size(), 2u);
  EXPECT_EQ(set.prefixes[0].ToString(), "192.0.2.0/28");
  EXPECT_EQ(set.prefixes[1].ToString(), "2001:db8::/32");
  EXPECT_EQ(set.filter, "tcp");
}

TEST(LoadConfigTest, ThroughputModeDefaultsToTcp) {
  Config config = LoadOrFail(R"(
sites:
  xining: {region: qinghai, addresses: [192.0.2.10], reflector: true}
  haidong: {region: qinghai, addresses: [192.0.2.20], reflector: true}
sla_classes:
  metro: {rtt_p99: 1ms}
probe:
  collector_url: http://192.0.2.5:9100
  reflector: {allowed_sources: [192.0.2.0/24]}
probes:
  xining:
    targets:
      - {site: haidong, sla_class: metro, methods: [throughput]}
  haidong:
    targets:
      - {site: xining, sla_class: metro, methods: [throughput], throughput: {mode: udp}}
)");
  ASSERT_EQ(config.probes.size(), 2u);
  EXPECT_EQ(config.probes[0].targets.at(0).throughput->mode, ThroughputMode::kTcp);
  EXPECT_EQ(config.probes[1].targets.at(0).throughput->mode, ThroughputMode::kUdp);
}

TEST(LoadConfigTest, TargetSettingsOverrideSiteDefaultsWhichOverrideFileDefaults) {
  Config config = LoadOrFail(std::string(kMinimal) + R"(
probe:
  collector_url: http://192.0.2.5:9100
  target_defaults: {dscp: 10, interval: 2s, packet_size: 200, sla_class: metro}
probes:
  xining:
    target_defaults: {dscp: 20, interval: 3s}
    targets:
      - {site: haidong, dscp: 30}
)");
  const Target& target = config.probes.at(0).targets.at(0);
  EXPECT_EQ(target.dscp, 30);
  EXPECT_EQ(target.interval, 3s);
  EXPECT_EQ(target.packet_size, 200);
  EXPECT_EQ(target.sla_class.str(), "metro");
}

TEST(LoadConfigTest, HubGroupSkipsTheProbesOwnSite) {
  Config config = LoadOrFail(std::string(kMinimal) + R"(
hub_groups:
  cluster: [xining, haidong]
probe: {collector_url: "http://192.0.2.5:9100"}
probes:
  xining:
    targets:
      - {hub_group: cluster, sla_class: metro}
)");
  const auto& targets = config.probes.at(0).targets;
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].name.str(), "haidong");
  EXPECT_EQ(targets[0].via_hub_group->str(), "cluster");
}

TEST(LoadConfigTest, RelativePathsResolveAgainstTheConfigDirectory) {
  Config config = LoadOrFail(std::string(kMinimal) + R"(
probe:
  token_file: secrets/probe.token
  spool: {path: /var/spool/linkmon.db}
collector:
  store: ../state/collector.db
)");
  EXPECT_EQ(config.probe.token_file, "/etc/linkmon/secrets/probe.token");
  EXPECT_EQ(config.probe.spool_path, "/var/spool/linkmon.db");
  EXPECT_EQ(config.collector.store_path, "/etc/state/collector.db");
}

TEST(LoadConfigTest, SectionsMayComeInAnyOrder) {
  Config config = LoadOrFail(R"(
probes:
  xining:
    targets: [{site: haidong}]
probe: {collector_url: "http://192.0.2.5:9100", target_defaults: {sla_class: metro}}
sla_classes:
  metro: {rtt_p99: 1ms, window: 1m}
collector:
  windows: [1m, 10m]
  tokens: {xining: xining.token}
sites:
  xining: {region: qinghai, addresses: [192.0.2.10]}
  haidong: {region: qinghai, addresses: [192.0.2.20]}
)");
  EXPECT_EQ(config.probes.size(), 1u);
  EXPECT_EQ(config.collector.token_files.at(*SiteName::Make("xining")),
            "/etc/linkmon/xining.token");
}

TEST(LoadConfigTest, BrokenSiteIsStillKnownByName) {
  // The site's own mistake is reported; references to it add no "unknown site".
  EXPECT_THAT(Problems(R"(
sites:
  xining: {region: qinghai, addresses: [192.0.2.10]}
  haidong: {addresses: [192.0.2.20]}
sla_classes:
  metro: {rtt_p99: 1ms}
hub_groups:
  cluster: [xining, haidong]
)"),
              ElementsAre("t.yaml:4:12: site 'haidong': missing required key 'region'"));
}

TEST(LoadConfigTest, AliasesShareSettings) {
  Config config = LoadOrFail(std::string(kMinimal) + R"(
probe:
  collector_url: http://192.0.2.5:9100
probes:
  xining:
    target_defaults: &fast {sla_class: metro, interval: 100ms, dscp: 8}
    targets: [{site: haidong}]
  haidong:
    target_defaults: *fast
    targets: [{site: xining}]
)");
  ASSERT_EQ(config.probes.size(), 2u);
  EXPECT_EQ(config.probes[1].targets.at(0).interval, 100ms);
  EXPECT_EQ(config.probes[1].targets.at(0).dscp, 8);
}

TEST(LoadConfigTest, TlsSectionsReadTheirFilesRelativeToTheConfig) {
  Config config = LoadOrFail(std::string(kMinimal) + R"(
probe:
  collector_url: https://collector.example:9443
  tls: {ca_file: ca.pem, certificate_file: "{site}.pem", private_key_file: "{site}-key.pem"}
collector:
  tls:
    certificate_file: collector.pem
    private_key_file: /secret/collector-key.pem
    client_ca_file: probes-ca.pem
    handshake_timeout: 3s
)");
  ASSERT_TRUE(config.probe.tls);
  EXPECT_EQ(config.probe.tls->ca_file, "/etc/linkmon/ca.pem");
  EXPECT_EQ(config.probe.tls->certificate_file, "/etc/linkmon/{site}.pem");
  EXPECT_EQ(config.probe.tls->private_key_file, "/etc/linkmon/{site}-key.pem");
  ASSERT_TRUE(config.collector.tls);
  EXPECT_EQ(config.collector.tls->certificate_file, "/etc/linkmon/collector.pem");
  EXPECT_EQ(config.collector.tls->private_key_file, "/secret/collector-key.pem");
  EXPECT_EQ(config.collector.tls->client_ca_file, "/etc/linkmon/probes-ca.pem");
  EXPECT_EQ(config.collector.tls->handshake_timeout, 3s);
}

TEST(LoadConfigTest, ProbeMetricsPerTargetIsOptIn) {
  Config config = LoadOrFail(std::string(kMinimal) + R"(
probe: {metrics_per_target: true}
)");
  EXPECT_TRUE(config.probe.metrics_per_target);
}

TEST(LoadConfigTest, TlsDefaults) {
  Config config = LoadOrFail(std::string(kMinimal) + R"(
probe: {collector_url: "https://192.0.2.5"}
collector:
  tls: {certificate_file: c.pem, private_key_file: k.pem}
)");
  EXPECT_FALSE(config.probe.tls);  // the system store, no client certificate
  EXPECT_EQ(config.probe.collector_url->port, 443);
  ASSERT_TRUE(config.collector.tls);
  EXPECT_EQ(config.collector.tls->client_ca_file, "");  // no mutual TLS
  EXPECT_EQ(config.collector.tls->handshake_timeout, 10s);
  EXPECT_FALSE(LoadOrFail(kMinimal).collector.tls);
}

TEST(LoadConfigFileTest, MissingFileIsOneDiagnostic) {
  ConfigResult result = LoadConfigFile("/nonexistent/linkmon.yaml");
  ASSERT_FALSE(result);
  ASSERT_EQ(result.error().size(), 1u);
  EXPECT_EQ(result.error()[0].ToString(),
            "/nonexistent/linkmon.yaml: cannot open: No such file or directory");
}

}  // namespace
}  // namespace linkmon::config
