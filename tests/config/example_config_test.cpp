// config/examples/qinghai.yaml must load and say what CONTEXT.md says: the Qinghai cluster's
// sites, hub groups and published figures.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "config/load.h"

namespace linkmon::config {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

const std::filesystem::path kExample =
    std::filesystem::path(LINKMON_SOURCE_DIR) / "config/examples/qinghai.yaml";

class ExampleConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ConfigResult result = LoadConfigFile(kExample);
    if (!result) {
      for (const auto& d : result.error()) ADD_FAILURE() << d.ToString();
      GTEST_SKIP() << "example does not load";
    }
    config_ = std::move(*result);
  }

  const SlaClass& Class(std::string_view name) const {
    const SlaClass* sla = config_.FindSlaClass(*SlaClassName::Make(name));
    EXPECT_NE(sla, nullptr) << name;
    return *sla;
  }

  std::vector<std::string> GroupSites(std::string_view name) const {
    const HubGroup* group = config_.FindHubGroup(*HubGroupName::Make(name));
    EXPECT_NE(group, nullptr) << name;
    std::vector<std::string> sites;
    if (group) {
      for (const auto& site : group->sites) sites.push_back(site.str());
    }
    return sites;
  }

  const Target* FindTarget(std::string_view probe, std::string_view target) const {
    const ProbeSite* site = config_.FindProbe(*SiteName::Make(probe));
    if (site == nullptr) return nullptr;
    for (const Target& t : site->targets) {
      if (t.name.str() == target) return &t;
    }
    return nullptr;
  }

  Config config_;
};

TEST_F(ExampleConfigTest, HasTheClusterTheHubGroupsAndTheDirectCircuits) {
  EXPECT_EQ(config_.sites.size(), 18u);
  for (const char* site : {"xining", "haidong", "gonghe", "golmud"}) {
    EXPECT_EQ(config_.FindSite(*SiteName::Make(site))->region, "qinghai") << site;
  }
  EXPECT_THAT(GroupSites("gansu_ningxia"),
              ElementsAre("lanzhou", "zhongwei", "qingyang", "yinchuan"));
  EXPECT_THAT(GroupSites("national_hubs"),
              ElementsAre("beijing", "shanghai", "guangzhou", "chengdu", "horinger", "guian",
                          "qingyang", "zhongwei"));
  EXPECT_THAT(GroupSites("direct_circuits"),
              ElementsAre("yinchuan", "lanzhou", "xian", "suzhou", "wuxi", "huaian", "chengdu"));
}

TEST_F(ExampleConfigTest, SlaClassesCarryThePublishedFigures) {
  EXPECT_EQ(Class("metro").rtt_p99->limit, 1ms);
  EXPECT_EQ(Class("metro").rtt_p99->window, 1min);
  EXPECT_EQ(Class("province").rtt_p99->limit, 5ms);
  EXPECT_EQ(Class("gansu_ningxia").rtt_p99->limit, 5ms);
  EXPECT_EQ(Class("nationwide").rtt_p99->limit, 20ms);
  EXPECT_EQ(Class("nationwide").rtt_p99->window, 5min);  // the default window
  EXPECT_DOUBLE_EQ(Class("nationwide").slo.objective.value, 0.999);
  EXPECT_EQ(Class("nationwide").slo.period, 24h * 30);
  EXPECT_EQ(Class("beijing").rtt_p50->limit, 12ms);
  EXPECT_DOUBLE_EQ(Class("beijing").loss->limit.value, 0.0001);
  EXPECT_EQ(Class("beijing").loss->window, 1h);
  EXPECT_EQ(Class("shanghai").rtt_p50->limit, 20ms);
  EXPECT_EQ(Class("direct_circuit").min_bandwidth->limit.bits_per_second, 50'000'000u);
  EXPECT_EQ(Class("direct_circuit").breach.open_after_bad_minutes, 5);
  EXPECT_EQ(Class("direct_circuit").breach.close_after_good_minutes, 10);
}

TEST_F(ExampleConfigTest, ProbesExpandHubGroupsAndApplyDefaults) {
  ASSERT_EQ(config_.probes.size(), 3u);
  const Target* haidong = FindTarget("xining", "haidong");
  ASSERT_NE(haidong, nullptr);
  EXPECT_EQ(haidong->sla_class.str(), "metro");
  EXPECT_EQ(haidong->interval, 100ms);
  EXPECT_EQ(haidong->address.to_string(), "192.0.2.20");
  EXPECT_THAT(haidong->methods, ElementsAre(Method::kIcmp, Method::kStamp));

  const Target* qingyang = FindTarget("xining", "qingyang");
  ASSERT_NE(qingyang, nullptr);
  ASSERT_TRUE(qingyang->via_hub_group);
  EXPECT_EQ(qingyang->via_hub_group->str(), "gansu_ningxia");
  EXPECT_EQ(qingyang->sla_class.str(), "gansu_ningxia");

  const Target* guangzhou = FindTarget("xining", "guangzhou");
  ASSERT_NE(guangzhou, nullptr);
  EXPECT_EQ(guangzhou->sla_class.str(), "nationwide");  // from probe.target_defaults
  ASSERT_TRUE(guangzhou->tcp);
  EXPECT_EQ(guangzhou->tcp->port, 443);

  // haidong's own target_defaults give [icmp, stamp] where the target says nothing.
  const Target* lanzhou = FindTarget("haidong", "lanzhou");
  ASSERT_NE(lanzhou, nullptr);
  EXPECT_THAT(lanzhou->methods, ElementsAre(Method::kIcmp, Method::kStamp));

  const Target* resolver = FindTarget("xining", "xining-resolver");
  ASSERT_NE(resolver, nullptr);
  EXPECT_FALSE(resolver->site);
  EXPECT_EQ(resolver->dns->query, "linkmon.example");
}

TEST_F(ExampleConfigTest, EveryProbeSendsDscpZeroByDefault) {
  for (const ProbeSite& probe : config_.probes) {
    for (const Target& target : probe.targets) EXPECT_EQ(target.dscp, 0) << target.name.str();
  }
}

TEST_F(ExampleConfigTest, CollectorKeepsThirtyFiveDaysInThreeWindows) {
  EXPECT_EQ(config_.collector.retention, 24h * 35);
  EXPECT_THAT(config_.collector.windows, ElementsAre(1min, 5min, 1h));
  EXPECT_EQ(config_.collector.token_files.size(), 3u);
  EXPECT_EQ(config_.collector.listen.ToString(), "0.0.0.0:9100");
  ASSERT_TRUE(config_.probe.collector_url);
  EXPECT_EQ(config_.probe.collector_url->ToString(), "http://192.0.2.5:9100/");
}

// The example must never point anything at a real network.
TEST_F(ExampleConfigTest, UsesOnlyDocumentationAddresses) {
  std::vector<IpPrefix> documentation;
  for (const char* prefix :
       {"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"}) {
    documentation.push_back(*yaml::ParseIpPrefix(prefix));
  }
  auto is_documentation = [&](const boost::asio::ip::address& address) {
    return std::any_of(documentation.begin(), documentation.end(),
                       [&](const IpPrefix& prefix) { return prefix.Contains(address); });
  };
  for (const Site& site : config_.sites) {
    for (const auto& address : site.addresses) {
      EXPECT_TRUE(is_documentation(address)) << site.name.str() << " " << address;
    }
  }
  for (const ProbeSite& probe : config_.probes) {
    for (const Target& target : probe.targets) {
      EXPECT_TRUE(is_documentation(target.address)) << target.name.str();
    }
  }
  boost::system::error_code error;
  auto collector = boost::asio::ip::make_address(config_.probe.collector_url->host, error);
  ASSERT_FALSE(error);
  EXPECT_TRUE(is_documentation(collector));
}

}  // namespace
}  // namespace linkmon::config
