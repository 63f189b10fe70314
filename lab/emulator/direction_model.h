#pragma once

// What happens to each packet of one direction: lost or not, when it leaves, whether it is
// reordered or duplicated. Pure logic over arrival times, so tests drive it with made-up times.
//
// Order: a packet's release time is arrival + delay + a jitter sample. Without reordering, packets
// leave in arrival order: a packet whose sample would overtake the one before it waits for it
// (release = max(own time, previous release)), as on a real single path where jitter comes from
// queues, not from packets passing each other. That shifts the delay distribution up by a little
// when jitter is large compared with the gap between packets; with `reorder`, the chosen packets
// are held `reorder_gap` longer and let the ones behind them pass.
//
// Not thread-safe; one per direction, driven by the emulator's single thread.

#include <chrono>
#include <cstdint>

#include "common/clock.h"
#include "lab/emulator/loss_channel.h"
#include "lab/emulator/random.h"
#include "lab/topology/link_properties.h"

namespace linkmon::lab {

struct PacketFate {
  bool lost = false;
  MonotonicTime release{};
  bool reordered = false;   // exempt from the order rule; packets behind it may leave first
  bool duplicated = false;  // delivered twice, the copy right after the original
};

class DirectionModel {
 public:
  DirectionModel(const LinkProperties& properties, std::uint64_t seed);

  // Applies to packets arriving from now on; packets already decided keep their release time, so
  // a shorter delay lets the queue drain in order rather than reordering it.
  void SetProperties(const LinkProperties& properties);
  const LinkProperties& properties() const { return properties_; }

  // Decides one packet. Arrival times should not go backwards by much (kernel timestamps from two
  // CPUs may differ by microseconds, which the order rule absorbs).
  PacketFate Decide(MonotonicTime arrival);

 private:
  std::chrono::nanoseconds SampleDelay();

  LinkProperties properties_;
  Random random_;
  LossChannel loss_;
  MonotonicTime last_in_order_release_{};
};

}  // namespace linkmon::lab
