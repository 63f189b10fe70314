#include <gtest/gtest.h>

#include "lab/emulator/held_packets.h"

namespace linkmon::lab {
namespace {

using std::chrono::microseconds;

const MonotonicTime kStart = MonotonicTime(std::chrono::seconds(5));

HeldPacket Packet(std::uint32_t id, int release_us, bool reordered = false) {
  return HeldPacket{.id = id,
                    .release = kStart + microseconds(release_us),
                    .reordered = reordered,
                    .duplicate_payload = {}};
}

TEST(HeldPacketsTest, ReleasesInTimeOrderAcrossFifoAndReordered) {
  HeldPackets held;
  held.Hold(Packet(1, 100));
  held.Hold(Packet(2, 300, /*reordered=*/true));
  held.Hold(Packet(3, 200));
  held.Hold(Packet(4, 400));
  EXPECT_TRUE(held.holds_reordered());
  EXPECT_EQ(held.NextRelease(), kStart + microseconds(100));

  EXPECT_FALSE(held.PopDue(kStart + microseconds(99)).has_value());
  std::vector<std::uint32_t> order;
  while (auto packet = held.PopDue(kStart + microseconds(1000))) order.push_back(packet->id);
  EXPECT_EQ(order, (std::vector<std::uint32_t>{1, 3, 2, 4}));
  EXPECT_TRUE(held.empty());
  EXPECT_FALSE(held.NextRelease().has_value());
}

TEST(HeldPacketsTest, PopsOnlyWhatIsDue) {
  HeldPackets held;
  held.Hold(Packet(1, 100));
  held.Hold(Packet(2, 200));
  EXPECT_EQ(held.PopDue(kStart + microseconds(150))->id, 1u);
  EXPECT_FALSE(held.PopDue(kStart + microseconds(150)).has_value());
  EXPECT_EQ(held.size(), 1u);
  EXPECT_FALSE(held.holds_reordered());
}

}  // namespace
}  // namespace linkmon::lab
