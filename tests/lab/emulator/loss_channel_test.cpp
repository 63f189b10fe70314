#include <cmath>

#include <gtest/gtest.h>

#include "lab/emulator/loss_channel.h"

namespace linkmon::lab {
namespace {

struct LossRun {
  double loss_ratio = 0;
  double mean_burst = 0;
  int bursts = 0;
};

LossRun RunChannel(const GilbertElliott& parameters, int packets, std::uint64_t seed) {
  LossChannel channel(parameters);
  Random random(seed);
  int lost = 0, bursts = 0, run = 0;
  for (int i = 0; i < packets; ++i) {
    if (channel.Lose(random)) {
      ++lost;
      if (run++ == 0) ++bursts;
    } else {
      run = 0;
    }
  }
  return {.loss_ratio = static_cast<double>(lost) / packets,
          .mean_burst = bursts ? static_cast<double>(lost) / bursts : 0.0,
          .bursts = bursts};
}

TEST(LossChannelTest, IndependentLossMatchesItsRatio) {
  const LossRun run = RunChannel({.p = 0, .r = 1, .loss_good = 0.01, .loss_bad = 1}, 1'000'000, 3);
  // Binomial standard error sqrt(0.01 * 0.99 / 1e6) = 0.0001; 5 sigma.
  EXPECT_NEAR(run.loss_ratio, 0.01, 0.0005);
  // Independent losses rarely touch: mean run length 1 / (1 - 0.01).
  EXPECT_NEAR(run.mean_burst, 1.0 / 0.99, 0.01);
}

TEST(LossChannelTest, GilbertBurstsHaveMeanLengthOneOverR) {
  LinkProperties properties;
  properties.loss = Ratio{0.02};
  properties.loss_burst = 4.0;
  const LossRun run = RunChannel(EffectiveLossChannel(properties), 1'000'000, 5);
  EXPECT_NEAR(run.loss_ratio, 0.02, 0.002);
  // Bursts are geometric with mean 4 (variance 12); ~5,000 bursts give a standard error of 0.05.
  EXPECT_NEAR(run.mean_burst, 4.0, 0.25);
}

TEST(LossChannelTest, ElliottLossInBothStates) {
  const GilbertElliott channel{.p = 0.01, .r = 0.1, .loss_good = 0.001, .loss_bad = 0.5};
  const LossRun run = RunChannel(channel, 1'000'000, 11);
  EXPECT_NEAR(run.loss_ratio, StationaryLossRatio(channel), 0.004);
}

TEST(LossChannelTest, NoLossNeverLoses) { EXPECT_EQ(RunChannel({}, 10'000, 1).loss_ratio, 0.0); }

}  // namespace
}  // namespace linkmon::lab
