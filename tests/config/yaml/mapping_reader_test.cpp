#include "config/yaml/mapping_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "config/yaml/parse.h"
#include "config/yaml/values.h"

namespace linkmon::config::yaml {
namespace {

using ::testing::ElementsAre;
using namespace std::chrono_literals;

Node ParseOrDie(std::string_view text, Diagnostics& diagnostics) {
  auto root = ParseYaml(text, "m.yaml", diagnostics);
  EXPECT_TRUE(root.has_value()) << "test input must be valid YAML";
  return root.value_or(Node());
}

TEST(MappingReaderTest, ReadsKnownKeysAndKeepsDefaultsForAbsentOnes) {
  Diagnostics diagnostics;
  Node root = ParseOrDie("interval: 2s\nname: xining\n", diagnostics);
  MappingReader map(root, diagnostics, "probe");
  std::chrono::nanoseconds interval = 1s;
  std::chrono::nanoseconds timeout = 500ms;
  std::string name;
  EXPECT_TRUE(map.Read("interval", interval, DurationValue{}));
  EXPECT_FALSE(map.Read("timeout", timeout, DurationValue{}));
  EXPECT_TRUE(map.ReadRequired("name", name, StringValue{}));
  map.RejectUnknownKeys();
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(interval, 2s);
  EXPECT_EQ(timeout, 500ms);
  EXPECT_EQ(name, "xining");
}

TEST(MappingReaderTest, UnknownKeyGetsDidYouMean) {
  Diagnostics diagnostics;
  Node root = ParseOrDie("intervall: 2s\ndcsp: 0\n", diagnostics);
  MappingReader map(root, diagnostics, "target 'beijing'");
  std::chrono::nanoseconds interval{};
  int dscp = 0;
  map.Read("interval", interval, DurationValue{});
  map.Read("dscp", dscp, IntegerValue<int>{.min = 0, .max = 63});
  map.RejectUnknownKeys();
  EXPECT_THAT(
      diagnostics.SortedStrings(),
      ElementsAre("m.yaml:1:1: target 'beijing': unknown key 'intervall'; did you mean 'interval'?",
                  "m.yaml:2:1: target 'beijing': unknown key 'dcsp'; did you mean 'dscp'?"));
}

TEST(MappingReaderTest, UnknownKeyWithoutCloseMatchListsTheKeys) {
  Diagnostics diagnostics;
  Node root = ParseOrDie("colour: red\n", diagnostics);
  MappingReader map(root, diagnostics, "site 'xining'");
  map.Allow("region");
  map.Allow("addresses");
  map.RejectUnknownKeys();
  EXPECT_THAT(diagnostics.SortedStrings(),
              ElementsAre("m.yaml:1:1: site 'xining': unknown key 'colour'; expected one of: "
                          "region, addresses"));
}

TEST(MappingReaderTest, MissingRequiredKeyIsReportedAtTheMapping) {
  Diagnostics diagnostics;
  Node root = ParseOrDie("site:\n  addresses: []\n", diagnostics);
  MappingReader map(*root.Find("site"), diagnostics, "site 'xining'");
  std::string region;
  EXPECT_FALSE(map.ReadRequired("region", region, StringValue{}));
  map.Allow("addresses");
  map.RejectUnknownKeys();
  EXPECT_THAT(diagnostics.SortedStrings(),
              ElementsAre("m.yaml:2:3: site 'xining': missing required key 'region'"));
}

TEST(MappingReaderTest, WrongNodeTypeIsReported) {
  Diagnostics diagnostics;
  Node root = ParseOrDie("sites:\n  - xining\n", diagnostics);
  MappingReader map(*root.Find("sites"), diagnostics, "sites");
  EXPECT_FALSE(map.is_mapping());
  EXPECT_EQ(map.Find("xining"), nullptr);
  EXPECT_EQ(map.Require("xining"), nullptr);  // no second complaint about the same node
  map.RejectUnknownKeys();
  EXPECT_THAT(diagnostics.SortedStrings(),
              ElementsAre("m.yaml:2:3: sites: expected a mapping, got a sequence"));
}

TEST(MappingReaderTest, EmptySectionIsRefusedUnlessAllowed) {
  Diagnostics diagnostics;
  Node root = ParseOrDie("probe:\ncollector:\n", diagnostics);
  MappingReader probe(*root.Find("probe"), diagnostics, "probe");
  auto collector = MappingReader::AllowingEmpty(*root.Find("collector"), diagnostics, "collector");
  EXPECT_FALSE(probe.is_mapping());
  EXPECT_TRUE(collector.is_mapping());
  collector.Require("listen");
  EXPECT_THAT(diagnostics.SortedStrings(),
              ElementsAre("m.yaml:1:1: probe: expected a mapping, got an empty value",
                          "m.yaml:2:1: collector: missing required key 'listen'"));
}

TEST(MappingReaderTest, BadValueIsNamedByItsKeyAndLeavesTheDefault) {
  Diagnostics diagnostics;
  Node root = ParseOrDie("dscp: 64\ninterval: [1s]\n", diagnostics);
  MappingReader map(root, diagnostics, "target");
  int dscp = 0;
  std::chrono::nanoseconds interval = 1s;
  EXPECT_FALSE(map.Read("dscp", dscp, IntegerValue<int>{.min = 0, .max = 63}));
  EXPECT_FALSE(map.Read("interval", interval, DurationValue{}));
  map.RejectUnknownKeys();
  EXPECT_EQ(dscp, 0);
  EXPECT_EQ(interval, 1s);
  EXPECT_THAT(diagnostics.SortedStrings(),
              ElementsAre("m.yaml:1:7: dscp: 64 is above the maximum of 63",
                          "m.yaml:2:11: interval: expected a duration such as '20ms', got a "
                          "sequence"));
}

}  // namespace
}  // namespace linkmon::config::yaml
