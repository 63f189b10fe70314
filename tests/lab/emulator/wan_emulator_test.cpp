#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lab/emulator/wan_emulator.h"
#include "lab/topology/topology_loader.h"

namespace linkmon::lab {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

const MonotonicTime kStart = MonotonicTime(std::chrono::seconds(100));

// Records the verdicts, in order, as "accept 0:5", "through 1:9", "drop 0:3", "copy 4 bytes".
class RecordingSink final : public VerdictSink {
 public:
  Status Accept(std::uint16_t queue, std::uint32_t id) override {
    return Record("accept " + std::to_string(queue) + ":" + std::to_string(id));
  }
  Status AcceptThrough(std::uint16_t queue, std::uint32_t id) override {
    return Record("through " + std::to_string(queue) + ":" + std::to_string(id));
  }
  Status Drop(std::uint16_t queue, std::uint32_t id) override {
    return Record("drop " + std::to_string(queue) + ":" + std::to_string(id));
  }
  Status SendCopy(std::span<const std::uint8_t> packet) override {
    return Record("copy " + std::to_string(packet.size()) + " bytes");
  }
  std::vector<std::string> events;

 private:
  Status Record(std::string event) {
    events.push_back(std::move(event));
    return {};
  }
};

Topology Load(const std::string& links) {
  config::yaml::Diagnostics diagnostics;
  auto topology =
      ParseTopology("name: t\nsites: {a: {}, b: {}}\nlinks:\n" + links, "t.yaml", diagnostics);
  EXPECT_TRUE(topology.has_value()) << ::testing::PrintToString(diagnostics.SortedStrings());
  return *topology;
}

TEST(WanEmulatorTest, HoldsForTheDelayThenReleasesInOneBatchVerdict) {
  RecordingSink sink;
  WanEmulator emulator(Load("  - {between: [a, b], delay: 6ms}\n"), sink);
  ASSERT_EQ(emulator.direction_count(), 2u);
  for (std::uint32_t id = 1; id <= 3; ++id) {
    emulator.OnPacket(0, id, kStart + microseconds(10 * id), {});
  }
  EXPECT_EQ(emulator.held(), 3u);
  EXPECT_EQ(emulator.NextRelease(), kStart + microseconds(6010));

  emulator.ReleaseDue(kStart + microseconds(6019), kStart + microseconds(6019));
  EXPECT_EQ(sink.events, std::vector<std::string>{"through 0:1"});
  emulator.ReleaseDue(kStart + milliseconds(7), kStart + milliseconds(7));
  EXPECT_EQ(sink.events, (std::vector<std::string>{"through 0:1", "through 0:3"}));
  EXPECT_EQ(emulator.held(), 0u);
  EXPECT_EQ(emulator.counters(0).delivered, 3u);
  EXPECT_EQ(emulator.counters(1).received, 0u);
}

TEST(WanEmulatorTest, LostPacketsAreDroppedAtOnce) {
  RecordingSink sink;
  WanEmulator emulator(Load("  - {between: [a, b], delay: 1ms, loss: 100%}\n"), sink);
  emulator.OnPacket(1, 7, kStart, {});
  EXPECT_EQ(sink.events, std::vector<std::string>{"drop 1:7"});
  EXPECT_EQ(emulator.held(), 0u);
  EXPECT_EQ(emulator.counters(1).lost, 1u);
}

TEST(WanEmulatorTest, ReorderedPacketsGetOneVerdictEach) {
  RecordingSink sink;
  WanEmulator emulator(Load("  - {between: [a, b], delay: 1ms, reorder: 100%, reorder_gap: 2ms}\n"),
                       sink);
  emulator.OnPacket(0, 1, kStart, {});
  emulator.OnPacket(0, 2, kStart + microseconds(1), {});
  emulator.ReleaseDue(kStart + milliseconds(10), kStart + milliseconds(10));
  EXPECT_EQ(sink.events, (std::vector<std::string>{"accept 0:1", "accept 0:2"}));
  EXPECT_EQ(emulator.counters(0).reordered, 2u);
}

TEST(WanEmulatorTest, DuplicatesFollowTheirOriginalsVerdict) {
  RecordingSink sink;
  WanEmulator emulator(Load("  - {between: [a, b], delay: 1ms, duplicate: 100%}\n"), sink);
  EXPECT_TRUE(emulator.WantsPayload(0));
  const std::vector<std::uint8_t> bytes(60, 0x45);
  emulator.OnPacket(0, 4, kStart, bytes);
  emulator.ReleaseDue(kStart + milliseconds(1), kStart + milliseconds(1));
  EXPECT_EQ(sink.events, (std::vector<std::string>{"through 0:4", "copy 60 bytes"}));
  EXPECT_EQ(emulator.counters(0).duplicated, 1u);
}

TEST(WanEmulatorTest, SetChangesOneDirectionForNewPackets) {
  RecordingSink sink;
  WanEmulator emulator(Load("  - {between: [a, b], delay: 6ms}\n"), sink);
  const std::vector<Setting> settings = {{"delay", "20ms"}, {"loss", "0%"}};
  ASSERT_TRUE(emulator.Set("a", "b", settings));
  EXPECT_EQ(emulator.properties(0).delay, milliseconds(20));
  EXPECT_EQ(emulator.properties(1).delay, milliseconds(6));
  emulator.OnPacket(0, 1, kStart, {});
  EXPECT_EQ(emulator.NextRelease(), kStart + milliseconds(20));

  const std::vector<Setting> bad = {{"delay", "1ms"}, {"lost", "1%"}};
  EXPECT_EQ(emulator.Set("a", "b", bad).error().message,
            "unknown link property 'lost'; did you mean 'loss'?");
  EXPECT_EQ(emulator.properties(0).delay, milliseconds(20)) << "all settings or none";
  EXPECT_EQ(emulator.Set("a", "c", settings).error().message,
            "the lab has no link from 'a' to 'c'");
}

TEST(WanEmulatorTest, SnapshotNamesDirectionsAndCounts) {
  RecordingSink sink;
  WanEmulator emulator(Load("  - {between: [a, b], delay: 6ms}\n"), sink);
  emulator.OnPacket(0, 1, kStart, {});
  emulator.ReleaseDue(kStart + milliseconds(6) + microseconds(30),
                      kStart + milliseconds(6) + microseconds(30));
  const nlohmann::json snapshot = emulator.Snapshot();
  ASSERT_EQ(snapshot["directions"].size(), 2u);
  const nlohmann::json& ab = snapshot["directions"][0];
  EXPECT_EQ(ab["from"], "a");
  EXPECT_EQ(ab["to"], "b");
  EXPECT_EQ(ab["properties"]["delay"], "6ms");
  EXPECT_EQ(ab["counters"]["delivered"], 1);
  EXPECT_EQ(ab["counters"]["release_error_max_ns"], 30'000);
}

}  // namespace
}  // namespace linkmon::lab
