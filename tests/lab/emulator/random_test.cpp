#include <cmath>

#include <gtest/gtest.h>

#include "lab/emulator/random.h"

namespace linkmon::lab {
namespace {

TEST(RandomTest, SameSeedSameSequenceOtherSeedOther) {
  Random a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    EXPECT_NE(x, c.Next());
  }
}

TEST(RandomTest, UniformAndNormalHaveTheirMoments) {
  Random random(1);
  constexpr int kDraws = 200'000;
  double sum = 0, normal_sum = 0, normal_squares = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double u = random.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    const double n = random.StandardNormal();
    normal_sum += n;
    normal_squares += n * n;
  }
  // Standard errors: 1/sqrt(12 n) = 0.00065 for the uniform mean, 1/sqrt(n) = 0.0022 for the
  // normal mean; 5 sigma bounds.
  EXPECT_NEAR(sum / kDraws, 0.5, 0.0033);
  EXPECT_NEAR(normal_sum / kDraws, 0.0, 0.011);
  EXPECT_NEAR(normal_squares / kDraws, 1.0, 0.016);
}

TEST(RandomTest, ChanceOfZeroNeverDrawsSoDisabledFeaturesDoNotShiftOthers) {
  Random a(9), b(9);
  EXPECT_FALSE(a.Chance(0.0));
  EXPECT_EQ(a.Next(), b.Next());
}

TEST(RandomTest, DirectionSeedsDiffer) {
  EXPECT_NE(DirectionSeed(1, 1, 2), DirectionSeed(1, 2, 1));
  EXPECT_NE(DirectionSeed(1, 1, 2), DirectionSeed(2, 1, 2));
  EXPECT_EQ(DirectionSeed(1, 1, 2), DirectionSeed(1, 1, 2));
}

}  // namespace
}  // namespace linkmon::lab
