// The real linkmon-probe binary on loopback: a reflector-only site and a probing site whose
// collector is away. The probe must measure, keep every interval in its spool, serve /metrics, run
// without capabilities, and stop cleanly on SIGTERM.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <thread>

#include "common/batch/batch_codec.h"
#include "probe/net/privileges.h"
#include "probe/upload/batch_spool.h"
#include "tests/support/daemon_process.h"
#include "tests/support/free_port.h"
#include "tests/support/http_client.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_pki.h"

namespace linkmon::probe {
namespace {

using namespace std::chrono_literals;
using linkmon::testing::DaemonProcess;
using linkmon::testing::FreePort;
using linkmon::testing::HttpGet;
using linkmon::testing::RunCommand;
using ::testing::HasSubstr;
namespace asio = boost::asio;

const std::string kProbe = LINKMON_BINARY_DIR "/bin/linkmon-probe";
const std::string kCollector = LINKMON_BINARY_DIR "/bin/linkmon-collector";

// The value of the first sample of `name` whose labels contain `labels`, or -1.
double Sample(const std::string& metrics, const std::string& name, const std::string& labels) {
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name, 0) != 0 || line.find(labels) == std::string::npos) continue;
    return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return -1;
}

// What differs between the tests' configs: the class, the reflector's extra keys, the target.
struct ConfigVariant {
  std::string sla_class = "rtt_p99: 5ms";
  std::string reflector_extra = "";
  std::string target = R"(methods: [icmp, stamp]
        interval: 50ms
        timeout: 50ms
        stamp: {port: REFLECTOR_PORT})";
  // HTTPS between probe and collector: the scheme and each side's tls section.
  std::string scheme = "http";
  std::string probe_tls = "";
  std::string collector_tls = "";
};

class ProbeDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("linkmon-probe-daemon-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    WriteFile("a.token", "probe-a-token-0123456789", 0600);
    a_metrics_ = FreePort<asio::ip::tcp>("127.0.0.1");
    b_metrics_ = FreePort<asio::ip::tcp>("127.0.0.1");
    reflector_ = FreePort<asio::ip::udp>("127.0.0.2");
    collector_ = FreePort<asio::ip::tcp>("127.0.0.1");  // nothing listens: the collector is away
  }
  void TearDown() override {
    if (!::testing::Test::HasFailure() && !std::getenv("LINKMON_KEEP"))
      std::filesystem::remove_all(dir_);
  }

  std::string WriteFile(const std::string& name, const std::string& content, mode_t mode = 0644) {
    const std::string path = dir_ / name;
    std::ofstream(path, std::ios::trunc) << content;
    ::chmod(path.c_str(), mode);
    return path;
  }

  // One config per process: on one host the two probes need different /metrics ports.
  std::string Config(const std::string& name, std::uint16_t metrics_port,
                     const ConfigVariant& variant = {}) {
    std::string target = variant.target;
    target.replace(target.find("REFLECTOR_PORT"), 14, std::to_string(reflector_));
    return WriteFile(
        name, fmt::format(R"(version: 1
sites:
  a: {{region: loopback, addresses: [127.0.0.1]}}
  b: {{region: loopback, addresses: [127.0.0.2], reflector: true}}
sla_classes:
  loopback:
    {class}
probe:
  collector_url: {scheme}://127.0.0.1:{collector}
  {probe_tls}
  token_file: "{dir}/{{site}}.token"
  spool: {{path: "{dir}/{{site}}-spool.db"}}
  summary_interval: 1s
  upload_interval: 1s
  metrics_listen: 127.0.0.1:{metrics}
  reflector:
    listen: 127.0.0.2:{reflector}
    allowed_sources: [127.0.0.0/8]
    {reflector_extra}
probes:
  a:
    targets:
      - site: b
        sla_class: loopback
        {target}
collector:
  listen: 127.0.0.1:{collector}
  store: "{dir}/collector.db"
  tokens: {{a: "{dir}/a.token"}}
  {collector_tls}
)",
                          fmt::arg("class", variant.sla_class), fmt::arg("collector", collector_),
                          fmt::arg("dir", dir_.string()), fmt::arg("metrics", metrics_port),
                          fmt::arg("reflector", reflector_),
                          fmt::arg("reflector_extra", variant.reflector_extra),
                          fmt::arg("target", target), fmt::arg("scheme", variant.scheme),
                          fmt::arg("probe_tls", variant.probe_tls),
                          fmt::arg("collector_tls", variant.collector_tls)));
  }

  // Polls /metrics on `port` until `sample` of `name` reaches at least `value` (at most 20 s);
  // returns the last exposition.
  std::string AwaitSample(std::uint16_t port, const std::string& name, double value) {
    std::string metrics;
    for (int i = 0; i < 200; ++i) {
      metrics = Metrics(port);
      if (Sample(metrics, name, "") >= value) break;
      std::this_thread::sleep_for(100ms);
    }
    return metrics;
  }

  // The probe spools while the collector is away; the real collector comes up and receives every
  // sealed batch once. `variant` chooses HTTP or HTTPS; `collector_get` reads from the collector.
  void ExpectEveryBatchOnce(
      const ConfigVariant& variant,
      const std::function<linkmon::testing::HttpAnswer(const std::string&)>& collector_get);

  std::string Metrics(std::uint16_t port) {
    return HttpGet(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), "/metrics")
        .body;
  }

  std::filesystem::path dir_;
  std::uint16_t a_metrics_ = 0, b_metrics_ = 0, reflector_ = 0, collector_ = 0;
};

TEST_F(ProbeDaemonTest, MeasuresAndSpoolsEveryIntervalWhileTheCollectorIsAway) {
  DaemonProcess reflector(
      {kProbe, "--config", Config("b.yaml", b_metrics_), "--site", "b", "--clock", "synchronized"},
      (dir_ / "b.log").string());
  ASSERT_TRUE(reflector.WaitForLog("event=probe_started site=b paths=0", 10s)) << reflector.Log();
  DaemonProcess probe(
      {kProbe, "--config", Config("a.yaml", a_metrics_), "--site", "a", "--clock", "synchronized"},
      (dir_ / "a.log").string());
  ASSERT_TRUE(probe.WaitForLog("event=probe_started site=a paths=2", 10s)) << probe.Log();

  // Every capability is gone once the sockets are open (the test runs as root:
  // raw ICMP).
  auto capabilities = net::ReadCapabilities(probe.pid());
  ASSERT_TRUE(capabilities) << capabilities.error().message;
  EXPECT_EQ(capabilities->effective, 0u);
  EXPECT_EQ(capabilities->permitted, 0u);

  // Let at least three summary intervals close and be sealed.
  std::string metrics = AwaitSample(a_metrics_, "linkmon_probe_batches_spooled_total", 3);
  EXPECT_GE(Sample(metrics, "linkmon_probe_batches_spooled_total", ""), 3) << metrics;
  EXPECT_GT(Sample(metrics, "linkmon_probe_probes_sent_total", "method=\"icmp\""), 20) << metrics;
  EXPECT_GT(Sample(metrics, "linkmon_probe_probes_sent_total", "method=\"stamp\""), 20) << metrics;
  EXPECT_EQ(Sample(metrics, "linkmon_probe_batches_acked_total", ""), 0) << metrics;
  EXPECT_GT(Sample(metrics, "linkmon_probe_replies_received_total", "method=\"stamp\""), 0)
      << metrics;
  EXPECT_EQ(Sample(metrics, "linkmon_probe_probes_lost_total", "method=\"icmp\""), 0) << metrics;
  // Kernel stamps (mixed when a reply was handled before its transmit stamp was read). The
  // probe's series are per method by default (probe.metrics_per_target: false): no dst label.
  EXPECT_EQ(std::max(Sample(metrics, "linkmon_probe_timestamp_source_info",
                            "{method=\"icmp\",source=\"kernel\""),
                     Sample(metrics, "linkmon_probe_timestamp_source_info",
                            "{method=\"icmp\",source=\"mixed\"")),
            1)
      << metrics;
  EXPECT_EQ(metrics.find("linkmon_probe_probes_sent_total{dst="), std::string::npos) << metrics;
  const std::string reflector_metrics = Metrics(b_metrics_);
  EXPECT_GT(Sample(reflector_metrics, "linkmon_reflector_reflected_packets_total", ""), 20);
  EXPECT_EQ(Sample(reflector_metrics, "linkmon_reflector_refused_packets_total",
                   "reason=\"source_not_allowed\""),
            0);
  EXPECT_EQ(HttpGet(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), a_metrics_),
                    "/-/healthy")
                .status,
            200u);
  auto lint = RunCommand({"promtool", "check", "metrics"}, 30s, metrics);
  EXPECT_EQ(lint.exit_code, 0) << lint.output;

  ASSERT_EQ(probe.Stop(), 0) << probe.Log();
  EXPECT_THAT(probe.Log(), HasSubstr("event=probe_stopped site=a"));
  ASSERT_EQ(reflector.Stop(), 0) << reflector.Log();

  // The spool holds every batch, numbered without gaps in one epoch, each path
  // in each interval once, and the loopback lost nothing.
  auto spool = upload::BatchSpool::Open({.path = dir_ / "a-spool.db"});
  ASSERT_TRUE(spool) << spool.error().message;
  auto pending = spool->Pending(1000);
  ASSERT_TRUE(pending) << pending.error().message;
  ASSERT_GE(pending->size(), 3u);
  std::set<std::pair<std::string, SystemTime>> seen;
  std::uint64_t received = 0, lost = 0;
  for (std::size_t i = 0; i < pending->size(); ++i) {
    const auto& bytes = (*pending)[i].bytes;
    auto decoded = batch::DecodeBatch(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded->sequence, i);
    EXPECT_EQ(decoded->probe.str(), "a");
    for (const auto& summary : decoded->summaries) {
      EXPECT_TRUE(seen.emplace(summary.path.ToString(), summary.summary.start).second)
          << summary.path.ToString() << " twice";
      received += summary.summary.counts.received;
      lost += summary.summary.counts.lost;
    }
  }
  EXPECT_GT(received, 40u);
  EXPECT_EQ(lost, 0u);
}

TEST_F(ProbeDaemonTest, ACollectorThatComesBackReceivesEverySealedBatchOnce) {
  const asio::ip::tcp::endpoint api(asio::ip::make_address("127.0.0.1"), collector_);
  ExpectEveryBatchOnce({}, [&](const std::string& target) { return HttpGet(api, target); });
}

// The same over mutual TLS, certificates made at test time: the collector's for 127.0.0.1, the
// probe's naming its site.
TEST_F(ProbeDaemonTest, ACollectorThatComesBackOverMutualTlsReceivesEverySealedBatchOnce) {
  linkmon::testing::TestCertificateAuthority ca(dir_, "lab");
  const auto server =
      ca.Issue("collector", {.common_name = "collector", .ip_addresses = {"127.0.0.1"}});
  ca.Issue("a", {.common_name = "a", .dns_names = {"a"}});
  const auto scraper = ca.Issue("scraper", {.common_name = "scraper"});
  ConfigVariant variant;
  variant.scheme = "https";
  variant.probe_tls = fmt::format(
      R"(tls: {{ca_file: "{ca}", certificate_file: "{dir}/{{site}}.pem", private_key_file: "{dir}/{{site}}-key.pem"}})",
      fmt::arg("ca", ca.certificate_file()), fmt::arg("dir", dir_.string()));
  variant.collector_tls = fmt::format(
      R"(tls: {{certificate_file: "{cert}", private_key_file: "{key}", client_ca_file: "{ca}"}})",
      fmt::arg("cert", server.certificate_file), fmt::arg("key", server.key_file),
      fmt::arg("ca", ca.certificate_file()));
  const asio::ip::tcp::endpoint api(asio::ip::make_address("127.0.0.1"), collector_);
  ExpectEveryBatchOnce(variant, [&](const std::string& target) {
    return linkmon::testing::HttpsExchange(api,
                                           {.ca_file = ca.certificate_file(),
                                            .certificate_file = scraper.certificate_file,
                                            .key_file = scraper.key_file},
                                           {.target = target});
  });
}

void ProbeDaemonTest::ExpectEveryBatchOnce(
    const ConfigVariant& variant,
    const std::function<linkmon::testing::HttpAnswer(const std::string&)>& collector_get) {
  DaemonProcess reflector(
      {kProbe, "--config", Config("b.yaml", b_metrics_, variant), "--site", "b"},
      (dir_ / "b.log").string());
  ASSERT_TRUE(reflector.WaitForLog("event=probe_started site=b", 10s)) << reflector.Log();
  DaemonProcess probe({kProbe, "--config", Config("a.yaml", a_metrics_, variant), "--site", "a"},
                      (dir_ / "a.log").string());
  ASSERT_TRUE(probe.WaitForLog("event=probe_started site=a", 10s)) << probe.Log();
  const std::string away = AwaitSample(a_metrics_, "linkmon_probe_batches_spooled_total", 3);
  ASSERT_GE(Sample(away, "linkmon_probe_batches_spooled_total", ""), 3) << away;

  // The real collector comes up on the port the probe has been failing to reach.
  DaemonProcess collector({kCollector, "--config", Config("collector.yaml", b_metrics_, variant)},
                          (dir_ / "collector.log").string());
  ASSERT_TRUE(collector.WaitForLog("event=collector_listening", 20s)) << collector.Log();
  // Everything spooled meanwhile is acknowledged, and new intervals follow.
  const double spooled = Sample(away, "linkmon_probe_batches_spooled_total", "");
  std::string metrics = AwaitSample(a_metrics_, "linkmon_probe_batches_acked_total", spooled + 2);
  const double acked = Sample(metrics, "linkmon_probe_batches_acked_total", "");
  EXPECT_GE(acked, spooled + 2) << metrics << collector.Log();
  EXPECT_EQ(Sample(metrics, "linkmon_probe_upload_tls_failures_total", ""), 0) << metrics;
  ASSERT_EQ(probe.Stop(), 0) << probe.Log();

  const std::string collected = collector_get("/metrics").body;
  // Every batch the probe sealed (its last words say how many) was applied once; the spool is
  // empty.
  std::smatch sealed;
  const std::string log = probe.Log();
  ASSERT_TRUE(std::regex_search(log, sealed, std::regex("batches_sealed=([0-9]+)"))) << log;
  EXPECT_EQ(Sample(collected, "linkmon_ingest_batches_total", "outcome=\"applied\""),
            std::stod(sealed[1].str()))
      << collected;
  auto spool = upload::BatchSpool::Open({.path = dir_ / "a-spool.db"});
  ASSERT_TRUE(spool) << spool.error().message;
  EXPECT_EQ(spool->stats().pending_batches, 0u);
  double rejected = 0;
  std::istringstream lines(collected);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("linkmon_ingest_rejected_total{", 0) == 0) {
      rejected += std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  EXPECT_EQ(rejected, 0) << collected;
  const std::string path = collector_get("/api/v1/paths/a/b?method=icmp").body;
  EXPECT_THAT(path, HasSubstr("\"method\":\"icmp\"")) << path;
  EXPECT_THAT(path, ::testing::Not(HasSubstr("\"probes_received\":0,"))) << path;
  ASSERT_EQ(collector.Stop(), 0) << collector.Log();
  ASSERT_EQ(reflector.Stop(), 0) << reflector.Log();
}

// Authenticated reflector, a throughput target: the probe runs its first test at once (one target:
// no phasing), after every capability is gone from every thread, and spools its goodput.
TEST_F(ProbeDaemonTest, RunsScheduledThroughputTestsWithoutCapabilities) {
  const std::string key = WriteFile("reflector.key", std::string(64, 'a') + "\n", 0600);
  const ConfigVariant variant{
      .sla_class = "min_bandwidth: {min: 1Mbps, window: 1h}",
      .reflector_extra = "key_file: " + key + "\n    max_throughput: 20Mbps",
      .target =
          "methods: [throughput]\n        throughput: {rate: 10Mbps, duration: 1s, every: "
          "1h, port: REFLECTOR_PORT}"};
  auto config = [&](const std::string& name, std::uint16_t metrics_port) {
    return Config(name, metrics_port, variant);
  };
  DaemonProcess reflector({kProbe, "--config", config("b.yaml", b_metrics_), "--site", "b"},
                          (dir_ / "b.log").string());
  ASSERT_TRUE(reflector.WaitForLog("event=probe_started site=b", 10s)) << reflector.Log();
  DaemonProcess probe({kProbe, "--config", config("a.yaml", a_metrics_), "--site", "a"},
                      (dir_ / "a.log").string());
  ASSERT_TRUE(probe.WaitForLog("event=probe_started site=a", 10s)) << probe.Log();
  // No thread of the probe holds a capability, the throughput worker included.
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(probe.pid()) + "/task")) {
    std::ifstream status(task.path() / "status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("CapEff:", 0) == 0) {
        EXPECT_EQ(line, "CapEff:\t0000000000000000") << task.path();
      }
    }
  }
  // The test's batch: its only path is the throughput test.
  AwaitSample(a_metrics_, "linkmon_probe_batches_spooled_total", 1);
  ASSERT_EQ(probe.Stop(), 0) << probe.Log();
  ASSERT_EQ(reflector.Stop(), 0) << reflector.Log();

  auto spool = upload::BatchSpool::Open({.path = dir_ / "a-spool.db"});
  ASSERT_TRUE(spool) << spool.error().message;
  auto pending = spool->Pending(1000);
  ASSERT_TRUE(pending) << pending.error().message;
  std::optional<Bandwidth> goodput;
  for (const auto& spooled : *pending) {
    auto decoded = batch::DecodeBatch(std::string_view(
        reinterpret_cast<const char*>(spooled.bytes.data()), spooled.bytes.size()));
    ASSERT_TRUE(decoded) << decoded.error().message;
    for (const auto& summary : decoded->summaries) {
      if (summary.path.method == Method::kThroughput) goodput = summary.throughput;
    }
  }
  ASSERT_TRUE(goodput.has_value()) << probe.Log();
  // Capped at 10 Mbit/s by the sender; loopback carries all of it.
  EXPECT_GT(static_cast<double>(goodput->bits_per_second), 5e6) << probe.Log();
  EXPECT_LE(static_cast<double>(goodput->bits_per_second), 10.5e6) << probe.Log();
}

TEST_F(ProbeDaemonTest, RefusesATokenOthersCanRead) {
  WriteFile("a.token", "probe-a-token-0123456789", 0644);
  auto result = RunCommand({kProbe, "--config", Config("a.yaml", a_metrics_), "--site", "a"}, 30s);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output, HasSubstr("event=token_unreadable site=a"));
  EXPECT_THAT(result.output, HasSubstr("is readable or writable by group or others"));
}

TEST_F(ProbeDaemonTest, ReflectorOnlyNeedsASiteWithAReflector) {
  auto result = RunCommand(
      {kProbe, "--config", Config("a.yaml", a_metrics_), "--site", "a", "--reflector-only"}, 30s);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("--reflector-only: site 'a' does not run a reflector"));
}

TEST_F(ProbeDaemonTest, MeasureIsASubcommandOfTheBinary) {
  auto result = RunCommand({kProbe, "measure", "--method", "icmp", "--target", "127.0.0.1",
                            "--count", "5", "--interval", "10ms", "--json"},
                           30s);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("\"received\":5"));
}

}  // namespace
}  // namespace linkmon::probe
