#include "exporters/prometheus/text_exposition.h"

#include <string>

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "exporters/prometheus/build_info_collector.h"
#include "tests/support/subprocess.h"

namespace linkmon::exporters {
namespace {

// The real `promtool check metrics` (Debian package prometheus), the linter Prometheus' own client
// libraries test against.
testing::CommandResult PromtoolCheckMetrics(const std::string& exposition) {
  return testing::RunCommand({"promtool", "check", "metrics"}, std::chrono::seconds(60),
                             exposition);
}

TEST(TextExpositionTest, RendersBuildInfoAndRegistryMetrics) {
  auto build_info = std::make_shared<BuildInfoCollector>("probe", "1.2.3");
  auto registry = std::make_shared<prometheus::Registry>();
  auto& sent = prometheus::BuildCounter()
                   .Name("linkmon_probe_packets_sent_total")
                   .Help("Probe packets sent.")
                   .Register(*registry);
  sent.Add({{"method", "icmp"}}).Increment(3);

  const std::string text = RenderTextExposition({build_info, registry});

  EXPECT_NE(text.find("linkmon_build_info{daemon=\"probe\",version=\"1.2.3\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("linkmon_probe_packets_sent_total{method=\"icmp\"} 3"), std::string::npos)
      << text;
  testing::CommandResult lint = PromtoolCheckMetrics(text);
  EXPECT_EQ(lint.exit_code, 0) << lint.output;
  EXPECT_EQ(lint.output, "");
}

TEST(TextExpositionTest, PromtoolCatchesABadlyNamedCounter) {
  // Proves the lint above can fail: a counter without _total is reported by promtool.
  auto registry = std::make_shared<prometheus::Registry>();
  prometheus::BuildCounter().Name("linkmon_bad_counter").Help("x").Register(*registry).Add({});
  testing::CommandResult lint = PromtoolCheckMetrics(RenderTextExposition({registry}));
  EXPECT_NE(lint.output.find("counter metrics should have \"_total\" suffix"), std::string::npos)
      << lint.output;
}

TEST(TextExpositionTest, SkipsSourcesThatNoLongerExist) {
  std::weak_ptr<prometheus::Collectable> gone;
  {
    auto temporary = std::make_shared<BuildInfoCollector>("collector", "0");
    gone = temporary;
  }
  EXPECT_EQ(RenderTextExposition({gone}), "");
}

}  // namespace
}  // namespace linkmon::exporters
