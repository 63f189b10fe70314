// dashboards/alertmanager/alertmanager.yml against the real Alertmanager
// (Debian prometheus-alertmanager): routing with `amtool config routes test`,
// and inhibition by posting alerts to a real alertmanager on 127.0.0.1 and
// reading back which ones it inhibited.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/collector/ingest/http_test_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/free_port.h"
#include "tests/support/subprocess.h"

namespace linkmon::dashboards {
namespace {

using nlohmann::json;
namespace http = boost::beast::http;

const std::string kConfig =
    std::string(LINKMON_SOURCE_DIR) + "/dashboards/alertmanager/alertmanager.yml";

// The receiver amtool routes `labels` to (its output's last line).
std::string RouteOf(const std::vector<std::string>& labels) {
  std::vector<std::string> argv = {"amtool", "config", "routes", "test",
                                   "--config.file=" + kConfig};
  argv.insert(argv.end(), labels.begin(), labels.end());
  const auto result = testing::RunCommand(argv, std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  std::string out = result.output;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  const auto newline = out.rfind('\n');
  return newline == std::string::npos ? out : out.substr(newline + 1);
}

bool Have(const std::string& program) {
  const auto result = testing::RunCommand({program, "--version"}, std::chrono::seconds(10));
  return result.exit_code == 0;
}

TEST(AlertmanagerConfigTest, RoutesBySeverityAndSite) {
  if (!Have("amtool")) GTEST_SKIP() << "amtool not found (scripts/install-deps installs it)";
  EXPECT_EQ(RouteOf({"severity=page", "site=xining", "alertname=LinkmonPathSlaBreach"}),
            "qinghai-oncall");
  EXPECT_EQ(RouteOf({"severity=page", "site=haidong"}), "qinghai-oncall");
  EXPECT_EQ(RouteOf({"severity=page", "site=lanzhou"}), "noc-oncall");
  EXPECT_EQ(RouteOf({"severity=ticket", "site=golmud"}), "qinghai-tickets");
  EXPECT_EQ(RouteOf({"severity=ticket", "site=lanzhou"}), "noc-tickets");
  EXPECT_EQ(RouteOf({"alertname=SomethingElse"}), "noc-tickets");  // the default
}

json Alert(const std::map<std::string, std::string>& labels) {
  json alert = {{"labels", labels}, {"annotations", {{"summary", "test"}}}};
  return alert;
}

TEST(AlertmanagerConfigTest, PathAlertsAreInhibitedByTheirCause) {
  if (!Have("prometheus-alertmanager")) {
    GTEST_SKIP() << "prometheus-alertmanager not found (scripts/install-deps installs it)";
  }
  const auto dir = std::filesystem::path(LINKMON_BINARY_DIR) / "tests" / "dashboards" /
                   ("alertmanager-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const int port = testing::FreePort();
  const std::string log = (dir / "alertmanager.log").string();
  testing::DaemonProcess alertmanager(
      {.argv = {"prometheus-alertmanager", "--config.file=" + kConfig,
                "--storage.path=" + (dir / "data").string(),
                "--web.listen-address=127.0.0.1:" + std::to_string(port),
                "--cluster.listen-address="},
       .log_path = log});
  ASSERT_TRUE(alertmanager.started());
  const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::address_v4::loopback(),
                                                static_cast<unsigned short>(port));
  bool ready = false;
  for (int i = 0; i < 200 && !ready && alertmanager.Running(); ++i) {
    ready = ingest::testing::HttpRequestTo(endpoint, http::verb::get, "/-/ready", {}, "",
                                           std::chrono::seconds(2))
                .status == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(ready) << alertmanager.Log();

  const std::map<std::string, std::string> haidong_path = {
      {"kind", "path"},   {"site", "haidong"}, {"src", "haidong"},
      {"dst", "beijing"}, {"method", "icmp"},  {"sla_class", "beijing"}};
  auto with = [](std::map<std::string, std::string> labels, const std::string& name,
                 const std::string& severity) {
    labels["alertname"] = name;
    labels["severity"] = severity;
    return labels;
  };
  const std::map<std::string, std::string> xining_breach = {{"alertname", "LinkmonPathSlaBreach"},
                                                            {"severity", "page"},
                                                            {"kind", "path"},
                                                            {"site", "xining"},
                                                            {"src", "xining"},
                                                            {"dst", "shanghai"},
                                                            {"method", "icmp"},
                                                            {"sla_class", "shanghai"}};
  auto xining_burn = xining_breach;
  xining_burn["alertname"] = "LinkmonPathErrorBudgetFastBurn";
  xining_burn["burn_window"] = "1h";
  const json alerts = json::array({
      // Haidong's probe is down: its stale path alert is inhibited, Xining's
      // breach is not.
      Alert({{"alertname", "LinkmonProbeDown"},
             {"severity", "page"},
             {"kind", "probe"},
             {"site", "haidong"},
             {"job", "linkmon-probe"},
             {"instance", "127.0.0.1:9102"}}),
      Alert(with(haidong_path, "LinkmonPathDataStale", "ticket")),
      Alert(xining_breach),
      // The breach already pages for Xining -> Shanghai: its budget burn is
      // inhibited.
      Alert(xining_burn),
  });
  const auto posted =
      ingest::testing::HttpRequestTo(endpoint, http::verb::post, "/api/v2/alerts",
                                     {{"Content-Type", "application/json"}}, alerts.dump());
  ASSERT_EQ(posted.status, 200u) << posted.body;

  std::map<std::string, std::string> state_of;  // "alertname/site" -> state
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto answer =
        ingest::testing::HttpRequestTo(endpoint, http::verb::get, "/api/v2/alerts", {}, "");
    ASSERT_EQ(answer.status, 200u) << answer.body;
    state_of.clear();
    for (const json& alert : json::parse(answer.body)) {
      const std::string key = alert["labels"]["alertname"].get<std::string>() + "/" +
                              alert["labels"]["site"].get<std::string>();
      const json& status = alert["status"];
      state_of[key] =
          status["state"].get<std::string>() + (status["inhibitedBy"].empty() ? "" : "+inhibited");
    }
    if (state_of.size() == 4 && state_of["LinkmonPathDataStale/haidong"] != "unprocessed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(state_of["LinkmonProbeDown/haidong"], "active");
  EXPECT_EQ(state_of["LinkmonPathDataStale/haidong"], "suppressed+inhibited");
  EXPECT_EQ(state_of["LinkmonPathSlaBreach/xining"], "active");
  EXPECT_EQ(state_of["LinkmonPathErrorBudgetFastBurn/xining"], "suppressed+inhibited");
  alertmanager.Stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace linkmon::dashboards
