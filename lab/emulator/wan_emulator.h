#pragma once

// The emulator's packet path, without I/O: every lab direction's model and held packets. The
// event loop (emulator_loop.h) feeds it packets from NFQUEUE and the time, and it answers through a
// VerdictSink. Holding verdicts in NFQUEUE is what delays a packet; a drop verdict loses it.
//
// Not thread-safe: the emulator runs it on one thread.

#include <array>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "lab/emulator/direction_model.h"
#include "lab/emulator/held_packets.h"
#include "lab/emulator/verdict_sink.h"
#include "lab/topology/topology.h"

namespace linkmon::lab {

// Upper edges, in microseconds, of the release-error histogram buckets; a last bucket takes the
// rest. Negative errors (released early, by at most the wake lead) count in the first bucket.
inline constexpr std::int64_t kReleaseErrorBucketsUs[] = {0, 25, 50, 100, 200, 500, 1000, 5000};

// Counts per direction since the emulator started.
struct DirectionCounters {
  std::uint64_t received = 0;
  std::uint64_t lost = 0;
  std::uint64_t delivered = 0;
  std::uint64_t duplicated = 0;
  std::uint64_t reordered = 0;
  std::uint64_t verdict_errors = 0;
  // Release time actually achieved minus the scheduled one, over delivered packets.
  std::int64_t release_error_sum_ns = 0;
  std::int64_t release_error_max_ns = 0;
  std::array<std::uint64_t, std::size(kReleaseErrorBucketsUs) + 1> release_error_histogram{};
};

using Setting = std::pair<std::string, std::string>;  // ("delay", "20ms")

class WanEmulator {
 public:
  // Direction k of `topology` is NFQUEUE queue k (naming.h).
  WanEmulator(const Topology& topology, VerdictSink& sink);

  std::size_t direction_count() const { return directions_.size(); }

  // A packet of direction `queue` entered the WAN at `arrival`. `payload` is needed (non-empty)
  // only when WantsPayload(queue).
  void OnPacket(std::uint16_t queue, std::uint32_t id, MonotonicTime arrival,
                std::span<const std::uint8_t> payload);

  // Lets every packet go whose release time is at or before `due_by`. `now` is when this happens,
  // for the precision counters.
  void ReleaseDue(MonotonicTime due_by, MonotonicTime now);

  std::optional<MonotonicTime> NextRelease() const;

  // The latest release time among held packets that is no later than `first` + `window`: the end
  // of the group of releases one wake-up can serve.
  MonotonicTime GroupEnd(MonotonicTime first, std::chrono::nanoseconds window) const;

  // Whether packets of `queue` must be read with their bytes (duplication is on).
  bool WantsPayload(std::uint16_t queue) const;

  // Changes the direction from -> to; all settings or none (link_properties.h ApplySetting).
  Status Set(std::string_view from, std::string_view to, std::span<const Setting> settings);

  std::size_t held() const;
  const Topology& topology() const { return topology_; }
  const DirectionCounters& counters(std::size_t direction) const {
    return directions_.at(direction).counters;
  }
  const LinkProperties& properties(std::size_t direction) const {
    return directions_.at(direction).model.properties();
  }

  // {"directions": [{"from": "xining", "to": "beijing", "properties": {...}, "counters": {...}}]}
  nlohmann::json Snapshot() const;

 private:
  struct DirectionState {
    DirectionModel model;
    HeldPackets held;
    DirectionCounters counters;
  };

  void Release(std::uint16_t queue, DirectionState& direction, MonotonicTime due_by,
               MonotonicTime now);
  void CountDelivery(DirectionState& direction, const HeldPacket& packet, MonotonicTime now);
  void SendDuplicate(DirectionState& direction, const HeldPacket& packet);

  Topology topology_;
  VerdictSink& sink_;
  std::vector<DirectionState> directions_;
  std::vector<HeldPacket> copies_;  // reused by Release
};

}  // namespace linkmon::lab
