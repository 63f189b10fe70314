#include "collector/metrics/path_metrics_collector.h"

#include <memory>

#include "exporters/prometheus/text_exposition.h"
#include "tests/collector/api/api_fixture.h"
#include "tests/support/subprocess.h"

namespace linkmon::metrics {
namespace {

class PathMetricsCollectorTest : public testing::ApiFixture {
 protected:
  // Before SetUp builds PathStates from config_: the circuit class keeps 99 % of its minutes
  // good, the others the default 99.9 %.
  PathMetricsCollectorTest() {
    for (config::SlaClass& sla_class : config_.sla_classes) {
      if (sla_class.name.str() == "circuit") sla_class.slo.objective = Ratio{0.99};
    }
  }

  std::string Scrape() {
    auto collector = std::make_shared<PathMetricsCollector>(*states_);
    return exporters::RenderTextExposition({collector});
  }
};

TEST_F(PathMetricsCollectorTest, ExposesEachPathWithBoundedLabels) {
  const std::string text = Scrape();
  const std::string beijing =
      "src=\"xining\",dst=\"beijing\",method=\"icmp\",sla_class=\"nationwide\"";
  EXPECT_NE(text.find("linkmon_path_rtt_p99_seconds{" + beijing + "} 0.01"), std::string::npos)
      << text;
  EXPECT_NE(text.find("linkmon_path_loss_ratio{" + beijing + "} 0\n"), std::string::npos);
  EXPECT_NE(text.find("linkmon_path_jitter_seconds{" + beijing + "} 0.001\n"), std::string::npos);
  EXPECT_NE(text.find("linkmon_path_data_age_seconds{" + beijing + "} 30\n"), std::string::npos);
  EXPECT_NE(text.find("linkmon_path_sla_state{" + beijing + "} 0\n"), std::string::npos);
  EXPECT_NE(text.find("linkmon_path_sla_good_seconds_total{" + beijing + "} 600\n"),
            std::string::npos);
  EXPECT_NE(text.find("linkmon_path_error_budget_remaining_ratio{" + beijing + "} 1\n"),
            std::string::npos);
  const std::string metro = "src=\"xining\",dst=\"haidong\",method=\"icmp\",sla_class=\"metro\"";
  EXPECT_NE(text.find("linkmon_path_sla_state{" + metro + "} 2\n"), std::string::npos);
  EXPECT_NE(text.find("linkmon_path_breach_open{" + metro + "} 1\n"), std::string::npos);
  EXPECT_NE(text.find("linkmon_path_sla_bad_seconds_total{" + metro + "} 300\n"),
            std::string::npos);
  const std::string stale = "src=\"haidong\",dst=\"xining\",method=\"icmp\",sla_class=\"metro\"";
  EXPECT_NE(text.find("linkmon_path_sla_state{" + stale + "} 3\n"), std::string::npos);
  EXPECT_NE(text.find("linkmon_path_sla_unknown_seconds_total{" + stale + "} 480\n"),
            std::string::npos);
  // No figure, no sample: the untested throughput path has a state but no RTT or age.
  const std::string untested =
      "src=\"xining\",dst=\"shanghai\",method=\"throughput\",sla_class=\"circuit\"";
  EXPECT_NE(text.find("linkmon_path_sla_state{" + untested + "} 4\n"), std::string::npos);
  EXPECT_EQ(text.find("linkmon_path_data_age_seconds{" + untested), std::string::npos);
  EXPECT_EQ(text.find("linkmon_path_throughput_bytes_per_second"), std::string::npos);
}

// Each path carries its own class's objective, also a path without any data yet: the rules divide
// by (1 - objective) and must not fall back to a default for a path that exists.
TEST_F(PathMetricsCollectorTest, ExposesEachPathsSloObjective) {
  const std::string text = Scrape();
  EXPECT_NE(text.find("# TYPE linkmon_path_slo_objective_ratio gauge\n"), std::string::npos);
  EXPECT_NE(text.find("linkmon_path_slo_objective_ratio{src=\"xining\",dst=\"beijing\",method="
                      "\"stamp\",sla_class=\"nationwide\"} 0.999\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("linkmon_path_slo_objective_ratio{src=\"xining\",dst=\"shanghai\",method="
                      "\"icmp\",sla_class=\"circuit\"} 0.99\n"),
            std::string::npos);
  EXPECT_NE(text.find("linkmon_path_slo_objective_ratio{src=\"xining\",dst=\"shanghai\",method="
                      "\"throughput\",sla_class=\"circuit\"} 0.99\n"),
            std::string::npos);
  EXPECT_NE(text.find("linkmon_path_slo_objective_ratio{src=\"haidong\",dst=\"xining\",method="
                      "\"icmp\",sla_class=\"metro\"} 0.999\n"),
            std::string::npos);
}

TEST_F(PathMetricsCollectorTest, PassesPromtoolCheckMetrics) {
  const std::string text = Scrape();
  ASSERT_FALSE(text.empty());
  auto lint = linkmon::testing::RunCommand({"promtool", "check", "metrics"},
                                           std::chrono::seconds(60), text);
  EXPECT_EQ(lint.exit_code, 0) << lint.output << text;
  EXPECT_EQ(lint.output, "");
}

}  // namespace
}  // namespace linkmon::metrics
