#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lab/topology/topology_loader.h"

namespace linkmon::lab {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using ::testing::ElementsAre;

const std::string kTestData = LINKMON_SOURCE_DIR "/tests/lab/topology/testdata/";

std::vector<std::string> Problems(const std::string& file) {
  config::yaml::Diagnostics diagnostics;
  auto topology = LoadTopology(kTestData + file, diagnostics);
  EXPECT_FALSE(topology.has_value());
  std::vector<std::string> lines = diagnostics.SortedStrings();
  // Positions name the file as given; keep only the part after the directory.
  for (auto& line : lines) line.erase(0, kTestData.size());
  return lines;
}

TEST(TopologyLoaderTest, ReadsTheIssueExample) {
  config::yaml::Diagnostics diagnostics;
  auto topology = LoadTopology(kTestData + "good.yaml", diagnostics);
  ASSERT_TRUE(topology.has_value()) << ::testing::PrintToString(diagnostics.SortedStrings());
  EXPECT_EQ(topology->name, "qh3");
  EXPECT_EQ(topology->seed, 7u);
  EXPECT_EQ(topology->mtu, 1500);
  ASSERT_EQ(topology->sites.size(), 3u);
  EXPECT_EQ(topology->sites[0].name.str(), "xining");
  EXPECT_EQ(topology->sites[2].index, 3);
  EXPECT_FALSE(topology->sites[0].unprivileged_icmp);
  EXPECT_TRUE(topology->sites[1].unprivileged_icmp);

  // "between" gives both directions the same properties; from/to gives one.
  ASSERT_EQ(topology->directions.size(), 4u);
  const auto xb = topology->FindDirection("xining", "beijing");
  const auto bx = topology->FindDirection("beijing", "xining");
  ASSERT_TRUE(xb && bx);
  const LinkProperties& link = topology->directions[*xb].properties;
  EXPECT_EQ(link.delay, milliseconds(6));
  EXPECT_EQ(link.jitter, microseconds(200));
  EXPECT_DOUBLE_EQ(link.loss.value, 0.001);
  ASSERT_TRUE(link.rate.has_value());
  EXPECT_EQ(link.rate->bits_per_second, 1'000'000'000u);
  EXPECT_EQ(topology->directions[*bx].properties, link);

  const auto xs = topology->FindDirection("xining", "shanghai");
  const auto sx = topology->FindDirection("shanghai", "xining");
  ASSERT_TRUE(xs && sx);
  EXPECT_EQ(topology->directions[*xs].properties.delay, milliseconds(10));
  EXPECT_FALSE(topology->directions[*xs].properties.loss_burst.has_value());
  EXPECT_EQ(topology->directions[*sx].properties.delay, microseconds(10'500));
  EXPECT_EQ(topology->directions[*sx].properties.loss_burst, 4.0);
  EXPECT_FALSE(topology->FindDirection("beijing", "shanghai").has_value());
}

TEST(TopologyLoaderTest, UnknownKeysGetDidYouMean) {
  EXPECT_THAT(
      Problems("unknown_keys.yaml"),
      ElementsAre(
          "unknown_keys.yaml:3:12: site 'xining': unknown key 'unprivileged_icnp'; did you mean "
          "'unprivileged_icmp'?",
          "unknown_keys.yaml:6:34: links[0]: unknown key 'dealy'; did you mean 'delay'?",
          "unknown_keys.yaml:7:1: topology: unknown key 'emulatr'; did you mean 'emulator'?"));
}

TEST(TopologyLoaderTest, LinksMustNameKnownDistinctSites) {
  EXPECT_THAT(
      Problems("bad_sites.yaml"),
      ElementsAre("bad_sites.yaml:6:24: links[0].between[1]: unknown site 'bejing'; did you mean "
                  "'beijing'?",
                  "bad_sites.yaml:7:5: links[1]: a link from a site to itself (xining->xining)",
                  "bad_sites.yaml:8:5: links[2]: no link back from beijing to xining, so replies "
                  "could not return; add {from: beijing, to: xining} or use 'between'",
                  "bad_sites.yaml:9:5: links[3]: a one-way link needs both 'from' and 'to'"));
}

TEST(TopologyLoaderTest, EveryDirectionNeedsAWayBackAndIsGivenOnce) {
  EXPECT_THAT(Problems("no_way_back.yaml"),
              ElementsAre("no_way_back.yaml:8:5: links[1]: no link back from shanghai to xining, "
                          "so replies could not return; add {from: shanghai, to: xining} or use "
                          "'between'",
                          "no_way_back.yaml:9:5: links[2]: direction beijing->xining is already "
                          "given by links[0]"));
}

TEST(TopologyLoaderTest, ValuesAreCheckedWithTheirUnits) {
  EXPECT_THAT(
      Problems("bad_values.yaml"),
      ElementsAre("bad_values.yaml:1:7: name: 'QH-3-too-long' must be 1-10 characters of a-z and "
                  "0-9, starting with a letter (it prefixes every namespace and interface name, "
                  "and interface names are limited to 15 characters)",
                  "bad_values.yaml:3:3: sites: 'wan' is reserved for the lab's router namespace",
                  "bad_values.yaml:8:41: delay: duration '20' has no unit: add one of ns, us, "
                  "\xC2\xB5s, ms, s, m, h, d",
                  "bad_values.yaml:8:51: loss: ratio '120%' is above 100%",
                  "bad_values.yaml:8:69: loss_burst: 0.5 is outside 1 .. 1000000",
                  "bad_values.yaml:9:5: links[1]: gilbert_elliott: give either loss/loss_burst or "
                  "gilbert_elliott, not both",
                  "bad_values.yaml:10:53: links[2].gilbert_elliott: missing required key 'r'"));
}

TEST(TopologyLoaderTest, ParsesTextWithoutAFile) {
  config::yaml::Diagnostics diagnostics;
  auto topology = ParseTopology("name: a1\nsites: {x: {}, y: {}}\nlinks: [{between: [x, y]}]\n",
                                "inline.yaml", diagnostics);
  ASSERT_TRUE(topology.has_value());
  EXPECT_EQ(topology->directions.size(), 2u);
  EXPECT_EQ(topology->directions[0].properties, LinkProperties{});
}

}  // namespace
}  // namespace linkmon::lab
