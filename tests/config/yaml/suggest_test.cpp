#include "config/yaml/suggest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace linkmon::config::yaml {
namespace {

TEST(EditDistanceTest, CountsEditsAndAdjacentSwapsAsOne) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("interval", "intervall"), 1u);
  EXPECT_EQ(EditDistance("dscp", "dcsp"), 1u);
  EXPECT_EQ(EditDistance("region", "regoin"), 1u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("timeout", "tout"), 3u);
}

TEST(ClosestMatchTest, SuggestsOnlyLikelyTypos) {
  const std::vector<std::string> keys = {"interval", "timeout", "dscp", "packet_size", "targets"};
  EXPECT_EQ(ClosestMatch("intervl", keys), "interval");
  EXPECT_EQ(ClosestMatch("packet-size", keys), "packet_size");
  EXPECT_EQ(ClosestMatch("dcsp", keys), "dscp");
  EXPECT_EQ(ClosestMatch("target", keys), "targets");
  EXPECT_EQ(ClosestMatch("colour", keys), std::nullopt);
  EXPECT_EQ(ClosestMatch("ip", keys), std::nullopt);
  EXPECT_EQ(ClosestMatch(std::string(1000, 'x'), keys), std::nullopt);
}

TEST(ClosestMatchTest, TiesGoToTheEarlierCandidate) {
  const std::vector<std::string> names = {"lanzhou", "lanzhoo"};
  EXPECT_EQ(ClosestMatch("lanzhou2", names), "lanzhou");
}

TEST(DidYouMeanTest, FormatsTheHint) {
  const std::vector<std::string> names = {"xining", "haidong"};
  EXPECT_EQ(DidYouMean("xinning", names), "; did you mean 'xining'?");
  EXPECT_EQ(DidYouMean("shanghai", names), "");
  EXPECT_EQ(JoinNames(names), "xining, haidong");
}

}  // namespace
}  // namespace linkmon::config::yaml
