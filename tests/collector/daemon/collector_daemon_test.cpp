// The real linkmon-collector binary end to end on 127.0.0.1: batches POSTed to /api/v1/ingest (the
// probe's wire format, common/batch, with its bearer token) show in /api/v1/matrix, /paths, /rank
// and /metrics (linted by promtool); a bad minute opens a breach (the class opens after one bad
// minute); after SIGTERM and a restart on the same store the matrix and the breaches are the same;
// SIGHUP with a bad config keeps the old one, with a good one adds a path without losing state.
// Every endpoint's JSON, and its error bodies, match the schemas in docs/api/.
//
// Time: the collector judges a minute 20 s after its end on the real clock. The test sends one
// full minute of summaries for the oldest minute the collector has not judged yet (its matrix's
// `windows_end`), so the verdict comes within 80 s at worst (~50 s on average) instead of the
// three minutes a default class needs.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "collector/history/history_store.h"
#include "collector/store/summary_store.h"
#include "common/batch/batch_codec.h"
#include "tests/collector/daemon/api_schema_check.h"
#include "tests/collector/daemon/collector_process.h"
#include "tests/collector/windows/test_minutes.h"
#include "tests/common/batch/batch_examples.h"
#include "tests/support/http_client.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_pki.h"

namespace linkmon::collector {
namespace {

using nlohmann::json;
using testing::CollectorProcess;
using testing::Get;
using testing::MatchesApiSchema;
using testing::WaitReady;
using namespace std::chrono_literals;

constexpr const char* kToken = "xining-daemon-test-token-0123456789";

// "2026-11-23T17:00:00Z" -> time point.
SystemTime ParseTime(const std::string& text) {
  std::tm tm{};
  strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return SystemTime(
      std::chrono::duration_cast<SystemTime::duration>(std::chrono::seconds(timegm(&tm))));
}

class CollectorDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("linkmon-collector-daemon-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "xining.token") << kToken << "\n";
    WriteConfig({"hub-0"});
  }
  void TearDown() override {
    if (process_) process_->Kill();
    process_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  std::string ConfigPath() const { return (dir_ / "linkmon.yaml").string(); }

  // Probe xining measures each hub by ICMP and TCP; class "nationwide": p99 <= 20 ms on 1 min,
  // a breach after one bad minute, closed after two good ones.
  std::string ConfigYaml(const std::vector<std::string>& hubs) const {
    std::string yaml = "version: 1\nsites:\n  xining: {region: qinghai, addresses: [192.0.2.10]}\n";
    for (std::size_t i = 0; i < 3; ++i) {
      yaml += "  hub-" + std::to_string(i) + ": {region: hubs, addresses: [198.51.100." +
              std::to_string(i + 1) + "]}\n";
    }
    yaml +=
        "sla_classes:\n  nationwide:\n    window: 1m\n    rtt_p99: 20ms\n"
        "    breach: {open_after_bad_minutes: 1, close_after_good_minutes: 2}\n"
        "probe:\n  collector_url: http://127.0.0.1:9100\n"
        "probes:\n  xining:\n    targets:\n";
    for (const std::string& hub : hubs) {
      yaml += "      - site: " + hub +
              "\n        methods: [icmp, tcp]\n        tcp: {port: 80}\n"
              "        sla_class: nationwide\n";
    }
    yaml += "collector:\n  listen: 127.0.0.1:0\n  store: " + (dir_ / "collector.db").string() +
            "\n  tokens:\n    xining: " + (dir_ / "xining.token").string() + "\n";
    return yaml;
  }
  void WriteConfig(const std::vector<std::string>& hubs) {
    std::ofstream(ConfigPath(), std::ios::trunc) << ConfigYaml(hubs);
  }

  // Starts the collector and waits until it is ready (its rebuild finished).
  void Start() {
    process_.reset();
    process_ = std::make_unique<CollectorProcess>(ConfigPath(), dir_ / "collector.log");
    ASSERT_TRUE(process_->started());
    auto endpoint = process_->WaitListening();
    ASSERT_TRUE(endpoint) << process_->Log();
    endpoint_ = *endpoint;
    ASSERT_TRUE(WaitReady(endpoint_)) << process_->Log();
  }

  void StopWithSigterm() {
    process_->Signal(SIGTERM);
    EXPECT_EQ(process_->WaitForExit(20s), 0) << process_->Log();
    process_.reset();
  }

  json GetJson(const std::string& target) {
    auto response = Get(endpoint_, target);
    EXPECT_EQ(response.status, 200u) << target << ": " << response.body;
    if (response.status != 200) return json::object();
    return json::parse(response.body);
  }

  // A batch of xining's six 10 s intervals of `minute` to hub-0: ICMP at 50 ms (over the 20 ms
  // class), TCP at 12 ms.
  std::string MinuteBatch(SystemTime minute, std::uint64_t sequence) {
    const SiteName xining = SiteName::Make("xining").value();
    batch::Batch b{.probe = xining,
                   .probe_start = minute - 1h,
                   .sequence = sequence,
                   .created = minute + 1min,
                   .summaries = {}};
    for (int i = 0; i < 6; ++i) {
      const SystemTime start = minute + i * 10s;
      b.summaries.push_back(batch::testing::ExampleSummary(xining, "hub-0", Method::kIcmp, start,
                                                           static_cast<std::uint32_t>(i), 50ms));
      b.summaries.push_back(batch::testing::ExampleSummary(
          xining, "hub-0", Method::kTcp, start, static_cast<std::uint32_t>(100 + i), 12ms));
    }
    return batch::EncodeBatch(b);
  }

  static const json* FindPath(const json& matrix, const std::string& dst,
                              const std::string& method) {
    for (const json& path : matrix["paths"]) {
      if (path["dst"] == dst && path["method"] == method) return &path;
    }
    return nullptr;
  }

  // The figures of every path that a restart must give back (not ages: they move with the clock).
  static json Comparable(const json& matrix) {
    json out = json::array();
    for (const json& path : matrix["paths"]) {
      out.push_back({path["src"], path["dst"], path["method"], path["sla_state"],
                     path["rtt_p50_seconds"], path["rtt_p99_seconds"], path["loss_ratio"],
                     path["open_breach"]});
    }
    return out;
  }
  static json ComparableBreaches(const json& answer) {
    json out = json::array();
    for (json event : answer["breaches"]) {
      event.erase("duration_seconds");  // an open event's duration runs to now
      out.push_back(event);
    }
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<CollectorProcess> process_;
  boost::asio::ip::tcp::endpoint endpoint_;
};

TEST_F(CollectorDaemonTest, IngestedMinutesReachEveryEndpointAndSurviveARestartAndReloads) {
  ASSERT_NO_FATAL_FAILURE(Start());
  // Before any data every figure is null: the schema allows exactly the documented nulls.
  const auto empty_answer = Get(endpoint_, "/api/v1/matrix");
  ASSERT_EQ(empty_answer.status, 200u) << empty_answer.body;
  EXPECT_TRUE(MatchesApiSchema("matrix", empty_answer.body));
  const json empty = json::parse(empty_answer.body);
  ASSERT_EQ(empty["paths"].size(), 2u);
  EXPECT_EQ(empty["paths"][0]["sla_state"], "unknown");

  // The oldest minute not judged yet: its data is on time.
  const SystemTime minute = ParseTime(empty["windows_end"]);
  auto posted = ingest::testing::PostBatch(endpoint_, kToken, MinuteBatch(minute, 0));
  ASSERT_EQ(posted.status, 200u) << posted.body;
  EXPECT_EQ(json::parse(posted.body)["status"], "applied");
  auto refused =
      ingest::testing::PostBatch(endpoint_, "wrong-token-0123456789abcdef", MinuteBatch(minute, 1));
  EXPECT_EQ(refused.status, 401u) << refused.body;

  // Fresh data before its minute is judged: an age, no verdict yet. (/paths, not the matrix,
  // whose body is cached for the second.)
  const auto before_answer = Get(endpoint_, "/api/v1/paths/xining/hub-0?method=icmp");
  ASSERT_EQ(before_answer.status, 200u) << before_answer.body;
  EXPECT_TRUE(MatchesApiSchema("paths", before_answer.body));
  const json before = json::parse(before_answer.body);
  ASSERT_EQ(before["paths"].size(), 1u);
  EXPECT_FALSE(before["paths"][0]["last_data_time"].is_null());
  EXPECT_EQ(before["paths"][0]["sla_state"], "unknown");

  // Wait for the minute to close (at its end + 20 s).
  json matrix;
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < deadline) {
    matrix = GetJson("/api/v1/matrix?window=5m");
    if (matrix.contains("windows_end") && ParseTime(matrix["windows_end"]) > minute) break;
    std::this_thread::sleep_for(250ms);
  }
  ASSERT_GT(ParseTime(matrix["windows_end"]), minute) << process_->Log();
  const json* icmp = FindPath(matrix, "hub-0", "icmp");
  const json* tcp = FindPath(matrix, "hub-0", "tcp");
  ASSERT_NE(icmp, nullptr);
  ASSERT_NE(tcp, nullptr);
  EXPECT_EQ((*icmp)["sla_state"], "breach");
  EXPECT_EQ((*icmp)["open_breach"], true);
  EXPECT_NEAR((*icmp)["rtt_p99_seconds"].get<double>(), 0.0504, 0.002);
  EXPECT_EQ((*tcp)["sla_state"], "ok");
  EXPECT_NEAR((*tcp)["rtt_p99_seconds"].get<double>(), 0.0124, 0.001);
  EXPECT_NEAR((*tcp)["loss_ratio"].get<double>(), 0.1, 1e-9);  // 1 of 10 lost per interval

  // /paths: both methods, the open breach on ICMP.
  const json paths = GetJson("/api/v1/paths/xining/hub-0");
  ASSERT_EQ(paths["paths"].size(), 2u);
  for (const json& path : paths["paths"]) {
    EXPECT_EQ(path["open_breach"].is_null(), path["method"] == "tcp") << path.dump();
  }
  EXPECT_EQ(Get(endpoint_, "/api/v1/paths/xining/lhasa").status, 404u);

  // /rank: TCP meets the class, ICMP does not.
  const json rank = GetJson("/api/v1/rank?from=xining&sla=nationwide");
  ASSERT_EQ(rank["targets"].size(), 1u) << rank.dump();
  EXPECT_EQ(rank["targets"][0]["method"], "tcp");
  ASSERT_EQ(rank["not_meeting"].size(), 1u);
  EXPECT_EQ(rank["not_meeting"][0]["reason"], "violates rtt_p99");
  EXPECT_EQ(Get(endpoint_, "/api/v1/rank?from=xining&sla=gold").status, 404u);

  // /breaches: the one open event.
  const json breaches = GetJson("/api/v1/breaches");
  ASSERT_EQ(breaches["breaches"].size(), 1u);
  EXPECT_EQ(breaches["breaches"][0]["method"], "icmp");
  EXPECT_TRUE(breaches["breaches"][0]["end"].is_null());
  EXPECT_EQ(ParseTime(breaches["breaches"][0]["start"]), minute);

  // Every endpoint's answer, with data, an open breach and a judged minute, matches its schema in
  // docs/api/ (issue 7); so do the error bodies of a bad parameter and an unknown name.
  struct SchemaCase {
    std::string target;
    unsigned status;
    std::string schema;
  };
  const std::vector<SchemaCase> schema_cases = {
      {"/api/v1/matrix", 200, "matrix"},
      {"/api/v1/matrix?window=5m", 200, "matrix"},
      {"/api/v1/matrix?from=xining&method=tcp", 200, "matrix"},
      {"/api/v1/paths/xining/hub-0", 200, "paths"},
      {"/api/v1/rank?from=xining&sla=nationwide", 200, "rank"},
      {"/api/v1/breaches", 200, "breaches"},
      {"/api/v1/breaches?src=xining&dst=hub-0&format=json", 200, "breaches"},
      {"/api/v1/paths/xining/lhasa", 404, "error"},
      {"/api/v1/rank?from=xining&sla=gold", 404, "error"},
      {"/api/v1/rank?from=xining", 400, "error"},
      {"/api/v1/matrix?window=7m", 400, "error"},
      {"/api/v1/breaches?from=yesterday", 400, "error"},
  };
  for (const SchemaCase& check : schema_cases) {
    auto answer = Get(endpoint_, check.target);
    EXPECT_EQ(answer.status, check.status) << check.target << ": " << answer.body;
    EXPECT_TRUE(MatchesApiSchema(check.schema, answer.body)) << check.target;
  }

  // /metrics: valid exposition with the path's state.
  auto metrics = Get(endpoint_, "/metrics");
  ASSERT_EQ(metrics.status, 200u);
  EXPECT_NE(
      metrics.body.find(
          R"(linkmon_path_breach_open{src="xining",dst="hub-0",method="icmp",sla_class="nationwide"} 1)"),
      std::string::npos)
      << metrics.body;
  auto lint = linkmon::testing::RunCommand({"promtool", "check", "metrics"}, 30s, metrics.body);
  EXPECT_EQ(lint.exit_code, 0) << lint.output;

  // SIGTERM, restart on the same store: the same matrix and breaches, rebuilt from the minutes.
  const json matrix_before = Comparable(GetJson("/api/v1/matrix?window=5m"));
  const json breaches_before = ComparableBreaches(GetJson("/api/v1/breaches"));
  ASSERT_NO_FATAL_FAILURE(StopWithSigterm());
  ASSERT_NO_FATAL_FAILURE(Start());
  EXPECT_TRUE(process_->WaitForLog(R"(event=state_rebuilt .*minutes_read=2 applied=2 )"))
      << process_->Log();
  EXPECT_EQ(Comparable(GetJson("/api/v1/matrix?window=5m")), matrix_before);
  EXPECT_EQ(ComparableBreaches(GetJson("/api/v1/breaches")), breaches_before);

  // SIGHUP with a broken file: refused with its position, the old config still serves.
  std::ofstream(ConfigPath(), std::ios::app) << "bogus: 1\n";
  process_->Signal(SIGHUP);
  auto problem = process_->WaitForLog(R"(event=config_problem problem="([^"]*))");
  ASSERT_TRUE(problem) << process_->Log();
  EXPECT_NE(problem->find("linkmon.yaml:"), std::string::npos);
  EXPECT_NE(problem->find("unknown key 'bogus'"), std::string::npos);
  EXPECT_TRUE(process_->WaitForLog("event=config_reload_refused"));
  EXPECT_EQ(GetJson("/api/v1/matrix")["paths"].size(), 2u);
  EXPECT_EQ(Get(endpoint_, "/-/ready").status, 200u);

  // SIGHUP with a good file adding hub-1: a new path, the old ones keep their state.
  WriteConfig({"hub-0", "hub-1"});
  process_->Signal(SIGHUP);
  ASSERT_TRUE(process_->WaitForLog("event=config_reloaded .* added=2 ")) << process_->Log();
  const json reloaded = GetJson("/api/v1/matrix?window=5m");
  ASSERT_EQ(reloaded["paths"].size(), 4u);
  ASSERT_NE(FindPath(reloaded, "hub-1", "icmp"), nullptr);
  EXPECT_EQ((*FindPath(reloaded, "hub-1", "icmp"))["sla_state"], "unknown");
  EXPECT_EQ((*FindPath(reloaded, "hub-0", "icmp"))["open_breach"], true);
  EXPECT_EQ(ComparableBreaches(GetJson("/api/v1/breaches")), breaches_before);
  ASSERT_NO_FATAL_FAILURE(StopWithSigterm());
}

TEST_F(CollectorDaemonTest, ABreachOlderThanTheReplayIsKeptAcrossRestarts) {
  // The SLA history of an earlier run, written with the store library before the collector
  // starts: xining -> hub-0 by ICMP was bad for 5 minutes 3 h ago, good since; the collector was
  // last judging 2 h 30 min ago. The start-up replay reaches back 2 h only.
  const SystemTime now = std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now());
  const SystemTime bad_from = now - 3h;
  const PathKey hub0{SiteName::Make("xining").value(), TargetName::Make("hub-0").value(),
                     Method::kIcmp};
  const auto seconds = [](SystemTime time) {
    return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
  };
  const std::string id = "xining->hub-0/icmp@" + std::to_string(seconds(bad_from));
  {
    auto history = history::HistoryStore::Open({.path = dir_ / "collector.db"});
    ASSERT_TRUE(history) << history.error().message;
    sla::HistoryDelta delta;
    delta.verdict_changes = {{hub0, bad_from - 10min, sla::Verdict::kGood},
                             {hub0, bad_from, sla::Verdict::kBad},
                             {hub0, bad_from + 5min, sla::Verdict::kGood}};
    delta.closed = {
        sla::BreachEvent{.id = id,
                         .path = hub0,
                         .sla_class = SlaClassName::Make("nationwide").value(),
                         .start = bad_from,
                         .end = bad_from + 5min,
                         .bad_minutes = 5,
                         .crossed = {sla::CrossedThreshold{.kind = sla::ThresholdKind::kRttP99,
                                                           .window = 1min,
                                                           .limit = 0.02,
                                                           .worst_value = 0.05,
                                                           .violated_minutes = 5}}}};
    delta.judged_through = now - 2h - 30min;
    ASSERT_TRUE((*history)->Write(delta));
    // The first bad minute's measurements (60 probes at 50 ms), as ingest stored them.
    auto store = store::SummaryStore::Open({.path = dir_ / "collector.db"});
    ASSERT_TRUE(store) << store.error().message;
    batch::Batch batch{.probe = hub0.source,
                       .probe_start = bad_from,
                       .sequence = 1,
                       .created = bad_from + 1min,
                       .summaries = {}};
    for (int i = 0; i < 6; ++i) {
      batch.summaries.push_back(
          {hub0, linkmon::testing::SummaryAt(bad_from + i * 10s, 50ms, 10), std::nullopt});
    }
    ASSERT_TRUE((*store)->ApplyBatch(batch, bad_from + 1min));
  }
  const std::string range = "from=" + std::to_string(seconds(now - 4h));
  for (int run = 0; run < 2; ++run) {
    SCOPED_TRACE(run == 0 ? "first start" : "after a restart");
    ASSERT_NO_FATAL_FAILURE(Start());
    const json breaches = GetJson("/api/v1/breaches?" + range);
    EXPECT_TRUE(MatchesApiSchema("breaches", breaches.dump()));
    ASSERT_EQ(breaches["breaches"].size(), 1u) << breaches.dump();
    EXPECT_EQ(breaches["breaches"][0]["id"], id);
    EXPECT_EQ(breaches["breaches"][0]["bad_minutes"], 5);
    EXPECT_EQ(breaches["breaches"][0]["thresholds_crossed"][0]["worst_value"], 0.05);
    auto csv = Get(endpoint_, "/api/v1/breaches?format=csv&" + range);
    EXPECT_NE(csv.body.find(id + ",xining,hub-0,icmp,nationwide,"), std::string::npos) << csv.body;
    // The budget counts the five bad minutes, in the API and in the /metrics counters.
    const json path = GetJson("/api/v1/paths/xining/hub-0?method=icmp");
    EXPECT_TRUE(MatchesApiSchema("paths", path.dump()));
    EXPECT_EQ(path["paths"][0]["error_budget"]["bad_minutes"], 5) << path.dump();
    const json minutes = GetJson(
        "/api/v1/paths/xining/hub-0?method=icmp&from=" + std::to_string(seconds(bad_from - 1min)) +
        "&to=" + std::to_string(seconds(bad_from + 6min)));
    EXPECT_TRUE(MatchesApiSchema("paths", minutes.dump()));
    ASSERT_EQ(minutes["paths"][0]["minutes"].size(), 7u) << minutes.dump();
    EXPECT_EQ(minutes["paths"][0]["minutes"][0]["verdict"], "good");
    EXPECT_TRUE(minutes["paths"][0]["minutes"][0]["probes_sent"].is_null());  // nothing stored
    const json& first_bad = minutes["paths"][0]["minutes"][1];
    EXPECT_EQ(first_bad["verdict"], "bad");
    // Three hours old: beyond memory's hour and the 2 h replay, so the store's figures.
    EXPECT_EQ(first_bad["probes_sent"], 60) << first_bad.dump();
    EXPECT_NEAR(first_bad["rtt_p99_seconds"].get<double>(), 0.05, 0.05 / 128) << first_bad.dump();
    EXPECT_EQ(minutes["paths"][0]["minutes"][6]["verdict"], "good");
    auto metrics = Get(endpoint_, "/metrics");
    EXPECT_NE(
        metrics.body.find(
            R"(linkmon_path_sla_bad_seconds_total{src="xining",dst="hub-0",method="icmp",sla_class="nationwide"} 300)"),
        std::string::npos)
        << metrics.body;
    ASSERT_NO_FATAL_FAILURE(StopWithSigterm());
  }
}

TEST_F(CollectorDaemonTest, AnInvalidConfigExitsWithItsErrorsAndAnUnusableStoreFails) {
  std::ofstream(ConfigPath(), std::ios::app) << "bogus: 1\n";
  auto checked = linkmon::testing::RunCommand(
      {std::string(LINKMON_BINARY_DIR) + "/bin/linkmon-collector", "--config", ConfigPath()}, 30s);
  EXPECT_EQ(checked.exit_code, 2) << checked.output;
  EXPECT_NE(checked.output.find("linkmon.yaml:"), std::string::npos) << checked.output;

  // A store path in a directory that does not exist: exit 1, saying why.
  std::string yaml = ConfigYaml({"hub-0"});
  const std::string store = (dir_ / "collector.db").string();
  yaml.replace(yaml.find(store), store.size(), (dir_ / "missing" / "collector.db").string());
  std::ofstream(ConfigPath(), std::ios::trunc) << yaml;
  auto failed = linkmon::testing::RunCommand(
      {std::string(LINKMON_BINARY_DIR) + "/bin/linkmon-collector", "--config", ConfigPath()}, 30s);
  EXPECT_EQ(failed.exit_code, 1) << failed.output;
  EXPECT_NE(failed.output.find("event=store_open_failed"), std::string::npos) << failed.output;
}

// collector.tls: HTTPS only on the one port; SIGHUP serves a rotated certificate (new contents at
// the same paths) to new connections and refuses a broken file, keeping the old certificate; a
// certificate that cannot be read at start is exit 1 with event=tls_setup_failed.
TEST_F(CollectorDaemonTest, ServesHttpsAndRotatesItsCertificateOnSighup) {
  linkmon::testing::TestCertificateAuthority first_ca(dir_, "first");
  linkmon::testing::TestCertificateAuthority second_ca(dir_, "second");
  const auto cert =
      first_ca.Issue("collector", {.common_name = "collector", .ip_addresses = {"127.0.0.1"}});
  const std::string tls_yaml = "  tls: {certificate_file: " + cert.certificate_file +
                               ", private_key_file: " + cert.key_file + "}\n";
  std::ofstream(ConfigPath(), std::ios::trunc) << ConfigYaml({"hub-0"}) + tls_yaml;
  process_ = std::make_unique<CollectorProcess>(ConfigPath(), dir_ / "collector.log");
  auto endpoint = process_->WaitListening();
  ASSERT_TRUE(endpoint) << process_->Log();
  auto https_get = [&](const std::string& ca_file) {
    return linkmon::testing::HttpsExchange(*endpoint, {.ca_file = ca_file},
                                           {.target = "/-/healthy"});
  };
  EXPECT_EQ(https_get(first_ca.certificate_file()).status, 200u) << process_->Log();
  EXPECT_EQ(Get(*endpoint, "/-/healthy").status, 0u);  // no plain HTTP on a TLS port

  second_ca.Issue("collector", {.common_name = "collector", .ip_addresses = {"127.0.0.1"}});
  process_->Signal(SIGHUP);
  ASSERT_TRUE(process_->WaitForLog("event=config_reloaded .* tls=reloaded")) << process_->Log();
  EXPECT_EQ(https_get(second_ca.certificate_file()).status, 200u) << process_->Log();
  EXPECT_EQ(https_get(first_ca.certificate_file()).status, 0u);

  std::ofstream(cert.certificate_file, std::ios::trunc) << "not a certificate\n";
  process_->Signal(SIGHUP);
  auto refused = process_->WaitForLog(R"(event=config_reload_refused .*detail="([^"]*))");
  ASSERT_TRUE(refused) << process_->Log();
  EXPECT_NE(refused->find("tls: certificate_file " + cert.certificate_file +
                          ": not a PEM certificate chain"),
            std::string::npos)
      << *refused;
  EXPECT_EQ(https_get(second_ca.certificate_file()).status, 200u) << process_->Log();
  ASSERT_NO_FATAL_FAILURE(StopWithSigterm());

  std::filesystem::remove(cert.certificate_file);
  auto failed = linkmon::testing::RunCommand(
      {std::string(LINKMON_BINARY_DIR) + "/bin/linkmon-collector", "--config", ConfigPath()}, 30s);
  EXPECT_EQ(failed.exit_code, 1) << failed.output;
  EXPECT_NE(failed.output.find("event=tls_setup_failed"), std::string::npos) << failed.output;
  EXPECT_NE(failed.output.find("cannot read: No such file or directory"), std::string::npos)
      << failed.output;
}

}  // namespace
}  // namespace linkmon::collector
