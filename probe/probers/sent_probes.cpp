#include "probe/probers/sent_probes.h"

#include <algorithm>

namespace linkmon::probers {

namespace {

constexpr std::size_t kMinRemembered = 4;
constexpr std::size_t kMaxRemembered = 4096;

}  // namespace

std::size_t RememberedProbesFor(std::chrono::nanoseconds interval,
                                std::chrono::nanoseconds timeout) {
  if (interval <= std::chrono::nanoseconds(0)) return kMaxRemembered;
  const std::chrono::nanoseconds horizon = 3 * timeout + std::chrono::seconds(1);
  const auto probes = static_cast<std::size_t>(horizon / interval) + 1;
  // Two spare slots: a probe that leaves a send slot late, and the one whose reply is on its way
  // while the next is sent. The horizon above is already the longest the scheduler gives (3 *
  // timeout + 1 s bounds both of its cases). Each slot is 32 bytes on every path, so a probe
  // with 10,000 targets pays 320 KB per slot it keeps.
  return std::clamp(probes + 2, kMinRemembered, kMaxRemembered);
}

SentProbes::SentProbes(std::size_t capacity)
    : capacity_(static_cast<std::uint32_t>(std::clamp<std::size_t>(capacity, 2, kMaxRemembered))) {
  slots_ = std::make_unique<Slot[]>(capacity_);
  // Empty: each slot holds a sequence that maps to the next one (see Slot).
  for (std::size_t i = 0; i < capacity_; ++i) {
    slots_[i].sequence = static_cast<std::uint32_t>(i + 1);
  }
}

void SentProbes::Add(std::uint32_t sequence, std::uint32_t transmit_id, const SentProbe& probe) {
  newest_ = sequence % capacity_;
  slots_[newest_] = Slot{.monotonic = probe.monotonic,
                         .wall = probe.wall,
                         .kernel = probe.kernel.value_or(SystemTime{}),
                         .sequence = sequence,
                         .transmit_id = transmit_id};
}

std::optional<SentProbe> SentProbes::Find(std::uint32_t sequence) const {
  // An empty slot's sequence maps to another slot, so it never equals one that maps here.
  const Slot& slot = slots_[sequence % capacity_];
  if (slot.sequence != sequence) return std::nullopt;
  SentProbe probe{.monotonic = slot.monotonic, .wall = slot.wall, .kernel = std::nullopt};
  if (slot.kernel != SystemTime{}) probe.kernel = slot.kernel;
  return probe;
}

bool SentProbes::Stamp(Slot& slot, SystemTime time) {
  if (slot.kernel != SystemTime{}) return false;
  slot.kernel = time;
  return true;
}

bool SentProbes::SetKernelTime(std::uint32_t transmit_id, SystemTime time) {
  const std::size_t size = capacity_;
  for (std::size_t back = 0; back < size; ++back) {
    const std::size_t index = (newest_ + size - back) % size;
    Slot& slot = slots_[index];
    if (!InUse(index) || slot.transmit_id != transmit_id) continue;
    return Stamp(slot, time);
  }
  return false;
}

}  // namespace linkmon::probers
