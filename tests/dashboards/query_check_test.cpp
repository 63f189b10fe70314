// The stack test's verdict on the dashboards' queries (query_check.h) with a fake Prometheus, the
// allow-list against the real dashboards, and CountSeries (prometheus_query.h) against a real
// Prometheus (Debian `prometheus`) on 127.0.0.1.

#include "tests/dashboards/query_check.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/dashboards/prometheus_query.h"
#include "tests/support/daemon_process.h"
#include "tests/support/free_port.h"
#include "tests/support/http_client.h"
#include "tests/support/subprocess.h"

namespace linkmon::dashboards {
namespace {

using Kind = DashboardQuery::Kind;

DashboardQuery Panel(std::string file, std::string title, std::string expr, bool instant = false) {
  return {std::move(file), "uid", Kind::kPanel, std::move(title), "A", std::move(expr), instant};
}

const std::vector<QueryView> kViews = {
    {"all", {}},
    {"breach", {{"src", "xining"}, {"dst", "shanghai"}, {"method", "icmp"}}},
    {"bandwidth", {{"src", "xining"}, {"dst", "guian"}, {"method", "throughput"}}},
};

TEST(QueryCheckTest, ParsesViews) {
  auto view = ParseQueryView("breach:src=xining,dst=shanghai,method=icmp");
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_EQ(view->name, "breach");
  EXPECT_EQ(view->values, (std::map<std::string, std::string>{
                              {"src", "xining"}, {"dst", "shanghai"}, {"method", "icmp"}}));
  auto all = ParseQueryView("all:");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->values.empty());
  EXPECT_EQ(ParseQueryView("src=xining").error().message,
            "view 'src=xining': wants NAME:VAR=VALUE,... (or NAME:)");
  EXPECT_EQ(ParseQueryView("v:src").error().message, "view 'v': 'src' is not VAR=VALUE");
  EXPECT_EQ(ParseQueryView("v:src=a,src=b").error().message, "view 'v': variable 'src' set twice");
}

TEST(QueryCheckTest, APanelPassesWithDataInAnyViewAndFailsWithNone) {
  // The fake answers data only for the throughput path, and refuses one query.
  std::vector<std::pair<std::string, bool>> asked;
  const AskPrometheus ask = [&](const std::string& expr, bool instant) -> Result<std::size_t> {
    asked.emplace_back(expr, instant);
    if (expr == "broken(") return MakeError(ErrorCode::kParse, "bad_data: unexpected end");
    return expr.find("method=~\"throughput\"") != std::string::npos ? 1u : 0u;
  };
  const std::vector<DashboardQuery> queries = {
      Panel("linkmon-path.json", "Bandwidth test", "bw{method=~\"$method\"}"),
      Panel("linkmon-path.json", "RTT", "rtt{method=~\"icmp\"}", /*instant=*/true),
      Panel("linkmon-overview.json", "Paths not OK", "state{method=~\"icmp\"} > 0"),
      Panel("linkmon-overview.json", "Broken", "broken("),
  };
  const auto results = CheckQueries(queries, kViews, ask);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].verdict, QueryVerdict::kPass);
  EXPECT_EQ(results[0].views_with_data, std::vector<std::string>{"bandwidth"});
  EXPECT_EQ(results[1].verdict, QueryVerdict::kEmpty);
  EXPECT_EQ(results[1].detail, "no data in any view");
  EXPECT_EQ(results[2].verdict, QueryVerdict::kEmptyAllowed);
  EXPECT_EQ(results[2].detail, "lists paths whose state is not ok: empty while every path is ok");
  EXPECT_EQ(results[3].verdict, QueryVerdict::kRefused);
  EXPECT_EQ(results[3].detail, "all: bad_data: unexpected end");
  // Three texts for the first panel; one each for the others, whatever the view (asked once).
  EXPECT_EQ(asked.size(), 6u);
  EXPECT_EQ(asked[3], (std::pair<std::string, bool>{"rtt{method=~\"icmp\"}", true}));

  std::ostringstream report;
  EXPECT_FALSE(ReportQueryResults(results, report));
  EXPECT_NE(report.str().find("pass  linkmon-path.json panel \"Bandwidth test\" A  data in: "
                              "bandwidth\n"),
            std::string::npos)
      << report.str();
  EXPECT_NE(report.str().find("FAIL  linkmon-path.json panel \"RTT\" A  no data in any view\n"
                              "    query: rtt{method=~\"icmp\"}\n"),
            std::string::npos)
      << report.str();
  EXPECT_NE(report.str().find("dashboard queries: 1 pass, 1 empty as allowed, 1 empty (FAIL), 1 "
                              "refused (FAIL)\n"),
            std::string::npos)
      << report.str();

  std::ostringstream passing;
  EXPECT_TRUE(ReportQueryResults({results[0], results[2]}, passing)) << passing.str();
}

// An allow-list entry that names no query would silently excuse nothing (or a renamed panel).
TEST(QueryCheckTest, EveryAllowListEntryNamesADashboardQuery) {
  auto dashboards =
      LoadDashboards(std::filesystem::path(LINKMON_SOURCE_DIR) / "dashboards/grafana/dashboards");
  ASSERT_TRUE(dashboards) << dashboards.error().message;
  std::vector<DashboardQuery> queries;
  for (const auto& [file, dashboard] : *dashboards) {
    auto extracted = ExtractQueries(dashboard, file);
    ASSERT_TRUE(extracted) << extracted.error().message;
    queries.insert(queries.end(), extracted->begin(), extracted->end());
  }
  for (const EmptyAllowed& entry : EmptyAllowedQueries()) {
    EXPECT_FALSE(entry.reason.empty());
    const bool found = std::any_of(queries.begin(), queries.end(), [&](const DashboardQuery& q) {
      return q.file == entry.file && q.kind == entry.kind && q.panel_title == entry.title;
    });
    EXPECT_TRUE(found) << entry.file << " " << KindName(entry.kind) << " \"" << entry.title
                       << "\" is in the allow-list but not in the dashboards";
  }
  EXPECT_LE(EmptyAllowedQueries().size(), 5u) << "the allow-list is meant to stay short";
}

TEST(QueryCheckTest, FormEncodesPromQl) {
  EXPECT_EQ(FormEncode("up{job=\"a b\"} > 0 & x+y"),
            "up%7Bjob%3D%22a%20b%22%7D%20%3E%200%20%26%20x%2By");
}

// CountSeries against a real Prometheus with no scrape targets: constant vectors have series,
// `up` none, broken PromQL is refused with Prometheus' message.
TEST(QueryCheckTest, CountsSeriesFromARealPrometheus) {
  if (testing::RunCommand({"prometheus", "--version"}, std::chrono::seconds(10)).exit_code != 0) {
    GTEST_SKIP() << "prometheus not found (scripts/install-deps installs it)";
  }
  const auto dir = std::filesystem::path(LINKMON_BINARY_DIR) / "tests" / "dashboards" /
                   ("prometheus-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "prometheus.yml") << "global: {scrape_interval: 15s}\n";
  const std::uint16_t port = testing::FreePort();
  const std::string log = (dir / "prometheus.log").string();
  testing::DaemonProcess prometheus(
      {.argv = {"prometheus", "--config.file=" + (dir / "prometheus.yml").string(),
                "--storage.tsdb.path=" + (dir / "data").string(),
                "--web.listen-address=127.0.0.1:" + std::to_string(port)},
       .log_path = log});
  ASSERT_TRUE(prometheus.started());
  const PrometheusQueryOptions options{.endpoint = {boost::asio::ip::address_v4::loopback(), port}};
  bool ready = false;
  for (int i = 0; i < 600 && !ready && prometheus.Running(); ++i) {
    ready = testing::HttpGet(options.endpoint, "/-/ready").status == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(ready) << prometheus.Log();

  EXPECT_EQ(CountSeries(options, "vector(1)", /*instant=*/true).value_or(99), 1u);
  EXPECT_EQ(CountSeries(options, "vector(1)", /*instant=*/false).value_or(99), 1u);
  EXPECT_EQ(CountSeries(options,
                        "label_replace(vector(1), \"a\", \"x\", \"\", \"\") or "
                        "label_replace(vector(2), \"a\", \"y\", \"\", \"\")",
                        /*instant=*/true)
                .value_or(99),
            2u);
  EXPECT_EQ(CountSeries(options, "scalar(vector(1))", /*instant=*/true).value_or(99), 1u);
  EXPECT_EQ(CountSeries(options, "up{job=\"none\"}", /*instant=*/true).value_or(99), 0u);
  EXPECT_EQ(CountSeries(options, "up{job=\"none\"}", /*instant=*/false).value_or(99), 0u);
  auto refused = CountSeries(options, "sum(up", /*instant=*/true);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kParse);
  EXPECT_NE(refused.error().message.find("HTTP 400 bad_data"), std::string::npos)
      << refused.error().message;

  prometheus.Stop();
  std::filesystem::remove_all(dir);
  const PrometheusQueryOptions gone{.endpoint = options.endpoint};
  auto unanswered = CountSeries(gone, "vector(1)", /*instant=*/true);
  ASSERT_FALSE(unanswered);
  EXPECT_EQ(unanswered.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace linkmon::dashboards
