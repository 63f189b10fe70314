#include "lab/emulator/wan_emulator.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "lab/emulator/random.h"

namespace linkmon::lab {

namespace {

// {"<=0us": 10, "<=25us": 900, ..., ">5000us": 0}
nlohmann::json ReleaseErrorHistogram(const DirectionCounters& counters) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < std::size(kReleaseErrorBucketsUs); ++i) {
    out["<=" + std::to_string(kReleaseErrorBucketsUs[i]) + "us"] =
        counters.release_error_histogram[i];
  }
  out[">" + std::to_string(kReleaseErrorBucketsUs[std::size(kReleaseErrorBucketsUs) - 1]) + "us"] =
      counters.release_error_histogram.back();
  return out;
}

}  // namespace

WanEmulator::WanEmulator(const Topology& topology, VerdictSink& sink)
    : topology_(topology), sink_(sink) {
  directions_.reserve(topology_.directions.size());
  for (const Direction& direction : topology_.directions) {
    directions_.push_back(DirectionState{
        .model = DirectionModel(direction.properties,
                                DirectionSeed(topology_.seed, direction.from, direction.to)),
        .held = {},
        .counters = {}});
  }
}

void WanEmulator::OnPacket(std::uint16_t queue, std::uint32_t id, MonotonicTime arrival,
                           std::span<const std::uint8_t> payload) {
  if (queue >= directions_.size()) {
    // Not a queue of ours (the firewall rules name only ours): let it go rather than hold it.
    (void)sink_.Accept(queue, id);
    return;
  }
  DirectionState& direction = directions_[queue];
  ++direction.counters.received;
  const PacketFate fate = direction.model.Decide(arrival);
  if (fate.lost) {
    ++direction.counters.lost;
    if (!sink_.Drop(queue, id)) ++direction.counters.verdict_errors;
    return;
  }
  HeldPacket packet{
      .id = id, .release = fate.release, .reordered = fate.reordered, .duplicate_payload = {}};
  if (fate.duplicated && !payload.empty()) {
    packet.duplicate_payload.assign(payload.begin(), payload.end());
  }
  if (fate.reordered) ++direction.counters.reordered;
  direction.held.Hold(std::move(packet));
}

void WanEmulator::CountDelivery(DirectionState& direction, const HeldPacket& packet,
                                MonotonicTime now) {
  ++direction.counters.delivered;
  const std::int64_t error = (now - packet.release).count();
  direction.counters.release_error_sum_ns += error;
  direction.counters.release_error_max_ns =
      std::max(direction.counters.release_error_max_ns, error);
  std::size_t bucket = 0;
  while (bucket < std::size(kReleaseErrorBucketsUs) &&
         error > kReleaseErrorBucketsUs[bucket] * 1000) {
    ++bucket;
  }
  ++direction.counters.release_error_histogram[bucket];
}

void WanEmulator::SendDuplicate(DirectionState& direction, const HeldPacket& packet) {
  if (packet.duplicate_payload.empty()) return;
  if (sink_.SendCopy(packet.duplicate_payload)) {
    ++direction.counters.duplicated;
  } else {
    ++direction.counters.verdict_errors;
  }
}

void WanEmulator::Release(std::uint16_t queue, DirectionState& direction, MonotonicTime due_by,
                          MonotonicTime now) {
  if (direction.held.holds_reordered()) {
    // One verdict per packet: a batch verdict would also free the reordered packets held behind.
    while (auto packet = direction.held.PopDue(due_by)) {
      if (!sink_.Accept(queue, packet->id)) ++direction.counters.verdict_errors;
      CountDelivery(direction, *packet, now);
      SendDuplicate(direction, *packet);
    }
    return;
  }
  // In order: the due packets are the oldest ones NFQUEUE holds for this queue, so one batch
  // verdict releases them all. Their copies follow the batch.
  std::optional<std::uint32_t> last_id;
  copies_.clear();
  while (auto packet = direction.held.PopDue(due_by)) {
    last_id = packet->id;
    CountDelivery(direction, *packet, now);
    if (!packet->duplicate_payload.empty()) copies_.push_back(std::move(*packet));
  }
  if (last_id && !sink_.AcceptThrough(queue, *last_id)) ++direction.counters.verdict_errors;
  for (const HeldPacket& copy : copies_) SendDuplicate(direction, copy);
}

void WanEmulator::ReleaseDue(MonotonicTime due_by, MonotonicTime now) {
  for (std::size_t queue = 0; queue < directions_.size(); ++queue) {
    DirectionState& direction = directions_[queue];
    const auto next = direction.held.NextRelease();
    if (next && *next <= due_by) Release(static_cast<std::uint16_t>(queue), direction, due_by, now);
  }
}

std::optional<MonotonicTime> WanEmulator::NextRelease() const {
  std::optional<MonotonicTime> next;
  for (const DirectionState& direction : directions_) {
    const auto candidate = direction.held.NextRelease();
    if (candidate && (!next || *candidate < *next)) next = candidate;
  }
  return next;
}

MonotonicTime WanEmulator::GroupEnd(MonotonicTime first, std::chrono::nanoseconds window) const {
  MonotonicTime end = first;
  for (const DirectionState& direction : directions_) {
    if (auto latest = direction.held.LatestReleaseBy(first + window); latest && *latest > end) {
      end = *latest;
    }
  }
  return end;
}

bool WanEmulator::WantsPayload(std::uint16_t queue) const {
  return queue < directions_.size() && directions_[queue].model.properties().duplicate.value > 0.0;
}

Status WanEmulator::Set(std::string_view from, std::string_view to,
                        std::span<const Setting> settings) {
  const auto index = topology_.FindDirection(from, to);
  if (!index) {
    return MakeError(ErrorCode::kInvalidArgument, "the lab has no link from '" + std::string(from) +
                                                      "' to '" + std::string(to) + "'");
  }
  DirectionState& direction = directions_[*index];
  LinkProperties changed = direction.model.properties();
  for (const auto& [key, value] : settings) {
    if (auto applied = ApplySetting(changed, key, value); !applied) return applied;
  }
  direction.model.SetProperties(changed);
  topology_.directions[*index].properties = changed;
  return {};
}

std::size_t WanEmulator::held() const {
  std::size_t total = 0;
  for (const DirectionState& direction : directions_) total += direction.held.size();
  return total;
}

nlohmann::json WanEmulator::Snapshot() const {
  nlohmann::json directions = nlohmann::json::array();
  for (std::size_t i = 0; i < directions_.size(); ++i) {
    const Direction& spec = topology_.directions[i];
    const DirectionState& state = directions_[i];
    const DirectionCounters& c = state.counters;
    directions.push_back({
        {"from", topology_.SiteAt(spec.from).name.str()},
        {"to", topology_.SiteAt(spec.to).name.str()},
        {"queue", i},
        {"properties", ToJson(state.model.properties())},
        {"description", Describe(state.model.properties())},
        {"counters",
         {{"received", c.received},
          {"lost", c.lost},
          {"delivered", c.delivered},
          {"duplicated", c.duplicated},
          {"reordered", c.reordered},
          {"held", state.held.size()},
          {"verdict_errors", c.verdict_errors},
          {"release_error_mean_ns",
           c.delivered == 0 ? 0 : c.release_error_sum_ns / static_cast<std::int64_t>(c.delivered)},
          {"release_error_max_ns", c.release_error_max_ns},
          {"release_error_histogram", ReleaseErrorHistogram(c)}}},
    });
  }
  return {{"directions", directions}};
}

}  // namespace linkmon::lab
