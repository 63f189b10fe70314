#include "lab/emulator/held_packets.h"

#include <algorithm>

namespace linkmon::lab {

void HeldPackets::Hold(HeldPacket packet) {
  if (packet.reordered) {
    reordered_.push_back(std::move(packet));
    std::push_heap(reordered_.begin(), reordered_.end(), LaterRelease);
  } else {
    in_order_.push_back(std::move(packet));
  }
}

std::optional<MonotonicTime> HeldPackets::NextRelease() const {
  std::optional<MonotonicTime> next;
  if (!in_order_.empty()) next = in_order_.front().release;
  if (!reordered_.empty() && (!next || reordered_.front().release < *next)) {
    next = reordered_.front().release;
  }
  return next;
}

std::optional<MonotonicTime> HeldPackets::LatestReleaseBy(MonotonicTime limit) const {
  std::optional<MonotonicTime> latest;
  // The FIFO's release times never decrease: walk from the front while they are due.
  for (const HeldPacket& packet : in_order_) {
    if (packet.release > limit) break;
    latest = packet.release;
  }
  for (const HeldPacket& packet : reordered_) {
    if (packet.release <= limit && (!latest || packet.release > *latest)) latest = packet.release;
  }
  return latest;
}

std::optional<HeldPacket> HeldPackets::PopDue(MonotonicTime due_by) {
  const bool fifo_due = !in_order_.empty() && in_order_.front().release <= due_by;
  const bool heap_due = !reordered_.empty() && reordered_.front().release <= due_by;
  if (heap_due && (!fifo_due || reordered_.front().release < in_order_.front().release)) {
    std::pop_heap(reordered_.begin(), reordered_.end(), LaterRelease);
    HeldPacket packet = std::move(reordered_.back());
    reordered_.pop_back();
    return packet;
  }
  if (fifo_due) {
    HeldPacket packet = std::move(in_order_.front());
    in_order_.pop_front();
    return packet;
  }
  return std::nullopt;
}

}  // namespace linkmon::lab
