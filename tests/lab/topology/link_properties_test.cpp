#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lab/topology/link_properties.h"

namespace linkmon::lab {
namespace {

using std::chrono::milliseconds;

TEST(LinkPropertiesTest, ApplySettingChangesOneKey) {
  LinkProperties properties;
  ASSERT_TRUE(ApplySetting(properties, "delay", "20ms"));
  ASSERT_TRUE(ApplySetting(properties, "loss", "1%"));
  ASSERT_TRUE(ApplySetting(properties, "loss_burst", "4"));
  ASSERT_TRUE(ApplySetting(properties, "rate", "100Mbit"));
  ASSERT_TRUE(ApplySetting(properties, "jitter_distribution", "normal"));
  EXPECT_EQ(properties.delay, milliseconds(20));
  EXPECT_DOUBLE_EQ(properties.loss.value, 0.01);
  EXPECT_EQ(properties.loss_burst, 4.0);
  EXPECT_EQ(properties.rate->bits_per_second, 100'000'000u);
  EXPECT_EQ(properties.jitter_distribution, JitterDistribution::kNormal);
  ASSERT_TRUE(ApplySetting(properties, "loss_burst", "off"));
  ASSERT_TRUE(ApplySetting(properties, "rate", "off"));
  EXPECT_FALSE(properties.loss_burst.has_value());
  EXPECT_FALSE(properties.rate.has_value());
}

TEST(LinkPropertiesTest, ApplySettingRefusesAndLeavesPropertiesAlone) {
  LinkProperties properties;
  properties.delay = milliseconds(6);
  const LinkProperties before = properties;
  EXPECT_EQ(ApplySetting(properties, "dealy", "1ms").error().message,
            "unknown link property 'dealy'; did you mean 'delay'?");
  EXPECT_EQ(ApplySetting(properties, "delay", "20").error().message,
            "delay: duration '20' has no unit: add one of ns, us, \xC2\xB5s, ms, s, m, h, d");
  EXPECT_EQ(ApplySetting(properties, "delay", "11s").error().message,
            "delay: 11s is above the maximum of 10s");
  EXPECT_EQ(ApplySetting(properties, "loss_burst", "0.5").error().message,
            "loss_burst: mean burst length must be between 1 and 1000000 packets");
  EXPECT_EQ(ApplySetting(properties, "jitter_distribution", "pareto").error().message,
            "jitter_distribution: unknown value 'pareto'; expected one of: uniform, normal");
  EXPECT_EQ(properties, before);
}

TEST(LinkPropertiesTest, BurstyLossKeepsTheConfiguredMeanLoss) {
  LinkProperties properties;
  properties.loss = Ratio{0.02};
  properties.loss_burst = 4.0;
  const GilbertElliott channel = EffectiveLossChannel(properties);
  EXPECT_DOUBLE_EQ(channel.r, 0.25);
  EXPECT_DOUBLE_EQ(channel.loss_good, 0.0);
  EXPECT_DOUBLE_EQ(channel.loss_bad, 1.0);
  EXPECT_NEAR(StationaryLossRatio(channel), 0.02, 1e-12);

  properties.loss_burst.reset();
  const GilbertElliott independent = EffectiveLossChannel(properties);
  EXPECT_DOUBLE_EQ(independent.p, 0.0);
  EXPECT_DOUBLE_EQ(independent.loss_good, 0.02);
  EXPECT_NEAR(StationaryLossRatio(independent), 0.02, 1e-12);
}

TEST(LinkPropertiesTest, JsonAndDescriptionCarryUnits) {
  LinkProperties properties;
  properties.delay = milliseconds(6);
  properties.loss = Ratio{0.001};
  properties.rate = Bandwidth{1'000'000'000};
  const nlohmann::json json = ToJson(properties);
  EXPECT_EQ(json["delay"], "6ms");
  EXPECT_EQ(json["delay_ns"], 6'000'000);
  EXPECT_EQ(json["loss"], "0.1%");
  EXPECT_EQ(json["rate_bps"], 1'000'000'000u);
  EXPECT_EQ(Describe(properties), "delay=6ms loss=0.1% rate=1Gbps queue=50ms");
}

}  // namespace
}  // namespace linkmon::lab
