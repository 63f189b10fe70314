#include "probe/bandwidth/throughput_plan.h"

#include <gtest/gtest.h>

#include "config/load.h"

namespace linkmon::bandwidth {
namespace {

using std::chrono::seconds;

TEST(ThroughputPlanTest, TestsAndResponderOptionsFromConfig) {
  auto config = config::LoadConfigString(R"(
sites:
  xining: {region: qinghai, addresses: [192.0.2.10], reflector: true}
  beijing: {region: beijing, addresses: [198.51.100.10], reflector: true}
sla_classes:
  nationwide: {rtt_p99: 20ms}
probe:
  collector_url: http://192.0.2.5:9100
  reflector: {listen: "[::]:8620", allowed_sources: [192.0.2.0/24], max_throughput: 200Mbps}
probes:
  xining:
    targets:
      - site: beijing
        sla_class: nationwide
        methods: [icmp, throughput]
        throughput: {mode: udp, rate: 50Mbps, duration: 4s, every: 30m, port: 8620}
)",
                                         "t.yaml");
  ASSERT_TRUE(config);
  auto tests = PlanThroughputTests(config->probes.at(0));
  ASSERT_EQ(tests.size(), 1u);
  EXPECT_EQ(tests[0].target.str(), "beijing");
  EXPECT_EQ(tests[0].options.target.to_string(), "198.51.100.10");
  EXPECT_EQ(tests[0].options.port, 8620);
  EXPECT_EQ(tests[0].options.mode, TestMode::kUdp);
  EXPECT_EQ(tests[0].options.rate, Bandwidth{50'000'000});
  EXPECT_EQ(tests[0].options.duration, seconds(4));
  EXPECT_EQ(tests[0].every, std::chrono::minutes(30));

  auto options = ResponderOptionsFrom(*config->probe.reflector);
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->listen.port(), 8620);
  EXPECT_TRUE(options->listen.address().is_v6());
  EXPECT_EQ(options->max_rate, Bandwidth{200'000'000});
  ASSERT_EQ(options->allowed_sources.size(), 1u);
  EXPECT_EQ(options->allowed_sources[0].ToString(), "192.0.2.0/24");
}

}  // namespace
}  // namespace linkmon::bandwidth
