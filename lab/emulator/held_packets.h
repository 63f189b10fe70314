#pragma once

// The packets one direction is holding, in the order they will leave. In-order packets sit in a
// FIFO whose release times never decrease (DirectionModel's order rule), so the next to leave is
// always at its front; the few reordered packets sit in a small heap beside it.

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "common/clock.h"

namespace linkmon::lab {

struct HeldPacket {
  std::uint32_t id = 0;  // NFQUEUE packet id, for the verdict
  MonotonicTime release{};
  bool reordered = false;
  // The packet's bytes, kept only when a copy must be sent (duplication); empty otherwise.
  std::vector<std::uint8_t> duplicate_payload;
};

class HeldPackets {
 public:
  void Hold(HeldPacket packet);

  std::size_t size() const { return in_order_.size() + reordered_.size(); }
  bool empty() const { return size() == 0; }
  // Whether reordered packets are held: then an NFQUEUE batch verdict ("everything up to id")
  // would release them early, and verdicts must go one by one.
  bool holds_reordered() const { return !reordered_.empty(); }

  std::optional<MonotonicTime> NextRelease() const;
  // The latest release time at or before `limit`, if any packet is due by then.
  std::optional<MonotonicTime> LatestReleaseBy(MonotonicTime limit) const;

  // Removes and returns the next packet if it is due at `due_by`.
  std::optional<HeldPacket> PopDue(MonotonicTime due_by);

 private:
  static bool LaterRelease(const HeldPacket& a, const HeldPacket& b) {
    return a.release > b.release;
  }

  std::deque<HeldPacket> in_order_;
  std::vector<HeldPacket> reordered_;  // a min-heap by release time
};

}  // namespace linkmon::lab
