#include "probe/passive/passive_plan.h"

#include <gtest/gtest.h>

#include "config/load.h"

namespace linkmon::passive {
namespace {

TEST(PassivePlanTest, OneCapturePerInterfaceWithEveryTargetsPrefixes) {
  auto config = config::LoadConfigString(R"(
sites:
  xining: {region: qinghai, addresses: [192.0.2.10]}
  beijing: {region: beijing, addresses: [198.51.100.10]}
  shanghai: {region: yangtze, addresses: ["2001:db8::10"]}
  lanzhou: {region: gansu, addresses: [203.0.113.10]}
sla_classes:
  nationwide: {rtt_p99: 20ms}
probe: {collector_url: "http://192.0.2.5:9100"}
probes:
  xining:
    targets:
      - site: beijing
        sla_class: nationwide
        methods: [passive]
        passive: {interface: eth0, prefixes: [198.51.100.0/24, "2001:db8:1::/48"]}
      - {site: shanghai, sla_class: nationwide, methods: [passive], passive: {interface: eth0, filter: tcp}}
      - {site: lanzhou, sla_class: nationwide, methods: [icmp, passive], passive: {interface: eth1}}
)",
                                         "t.yaml");
  ASSERT_TRUE(config);
  auto plans = PlanPassiveCaptures(config->probes.at(0));
  ASSERT_EQ(plans.size(), 2u);
  EXPECT_EQ(plans[0].capture.interface, "eth0");
  EXPECT_EQ(plans[0].capture.filter, "(ip or ip6) or (tcp)");
  ASSERT_EQ(plans[0].prefixes.size(), 3u);
  EXPECT_EQ(plans[0].prefixes[0].site.str(), "beijing");
  EXPECT_EQ(plans[0].prefixes[0].network.to_string(), "198.51.100.0");
  EXPECT_EQ(plans[0].prefixes[0].length, 24);
  EXPECT_EQ(plans[0].prefixes[1].length, 48);
  EXPECT_EQ(plans[0].prefixes[2].site.str(), "shanghai");
  EXPECT_EQ(plans[0].prefixes[2].network.to_string(), "2001:db8::10");
  EXPECT_EQ(plans[0].prefixes[2].length, 128);
  EXPECT_EQ(plans[1].capture.interface, "eth1");
  EXPECT_EQ(plans[1].capture.filter, "ip or ip6");
  ASSERT_EQ(plans[1].prefixes.size(), 1u);
  EXPECT_EQ(plans[1].prefixes[0].length, 32);
  // And the plan's prefixes make a valid map.
  EXPECT_TRUE(SitePrefixMap::Create(plans[0].prefixes));
}

}  // namespace
}  // namespace linkmon::passive
