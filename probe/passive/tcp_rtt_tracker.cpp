#include "probe/passive/tcp_rtt_tracker.h"

#include <algorithm>

namespace linkmon::passive {
namespace {

std::size_t HashBytes(std::size_t seed, const std::uint8_t *bytes, std::size_t size) {
  // FNV-1a: flows are keyed by outside input, but the tables are bounded, so a
  // crafted collision costs CPU in one bucket, not memory.
  std::size_t hash = seed ^ 1469598103934665603ull;
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 1099511628211ull;
  }
  return hash;
}

// RFC 7323 section 5.2: timestamps compare in serial number arithmetic.
bool After(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) > 0; }

}  // namespace

std::size_t TcpRttTracker::FlowKeyHash::operator()(const FlowKey &key) const {
  std::size_t hash = HashBytes(0, key.source.bytes.data(), key.source.bytes.size());
  hash = HashBytes(hash, key.destination.bytes.data(), key.destination.bytes.size());
  const std::uint8_t ports[4] = {static_cast<std::uint8_t>(key.source_port >> 8),
                                 static_cast<std::uint8_t>(key.source_port),
                                 static_cast<std::uint8_t>(key.destination_port >> 8),
                                 static_cast<std::uint8_t>(key.destination_port)};
  return HashBytes(hash, ports, sizeof ports);
}

std::size_t TcpRttTracker::PendingKeyHash::operator()(const PendingKey &key) const {
  const std::uint8_t value[5] = {
      static_cast<std::uint8_t>(key.value >> 24), static_cast<std::uint8_t>(key.value >> 16),
      static_cast<std::uint8_t>(key.value >> 8), static_cast<std::uint8_t>(key.value),
      static_cast<std::uint8_t>(key.kind)};
  return HashBytes(FlowKeyHash{}(key.flow), value, sizeof value);
}

TcpRttTracker::FlowState &TcpRttTracker::TouchFlow(const FlowKey &key) {
  auto found = flows_.find(key);
  if (found != flows_.end()) {
    recency_.splice(recency_.begin(), recency_, found->second.recency);
    return found->second;
  }
  if (flows_.size() >= options_.max_flows) {
    flows_.erase(recency_.back());
    recency_.pop_back();
    ++counters_.flow_evictions;
  }
  recency_.push_front(key);
  FlowState &state = flows_[key];
  state.recency = recency_.begin();
  return state;
}

void TcpRttTracker::Remember(const PendingKey &key, SystemTime at) {
  if (pending_.size() >= options_.max_pending) {
    while (!order_.empty()) {
      auto [oldest, when] = order_.front();
      order_.pop_front();
      auto found = pending_.find(oldest);
      if (found != pending_.end() && found->second == when) {
        pending_.erase(found);
        ++counters_.pending_evictions;
        break;
      }
    }
  }
  if (!pending_.emplace(key, at).second) return;
  order_.emplace_back(key, at);
  if (order_.size() > 2 * options_.max_pending) {
    // Compact: drop queue entries whose value was matched already.
    std::erase_if(order_, [this](const auto &entry) {
      auto found = pending_.find(entry.first);
      return found == pending_.end() || found->second != entry.second;
    });
  }
}

std::optional<std::chrono::nanoseconds> TcpRttTracker::Match(const PendingKey &key, SystemTime at) {
  auto found = pending_.find(key);
  if (found == pending_.end()) return std::nullopt;
  const std::chrono::nanoseconds rtt = at - found->second;
  pending_.erase(found);
  if (rtt < std::chrono::nanoseconds::zero()) {
    ++counters_.backwards_samples;
    return std::nullopt;
  }
  return rtt;
}

void TcpRttTracker::Expire(SystemTime now) {
  while (!order_.empty()) {
    const auto &[key, when] = order_.front();
    auto found = pending_.find(key);
    const bool live = found != pending_.end() && found->second == when;
    if (live && now - when <= options_.max_age) break;
    if (live) {
      pending_.erase(found);
      ++counters_.pending_expired;
    }
    order_.pop_front();
  }
}

std::optional<RttSample> TcpRttTracker::OnSegment(SystemTime at, const ParsedPacket &packet) {
  const TcpSegment &tcp = *packet.tcp;
  Expire(at);
  const FlowKey flow{packet.source, packet.destination, tcp.source_port, tcp.destination_port};
  const FlowKey reverse{packet.destination, packet.source, tcp.destination_port, tcp.source_port};
  std::optional<RttSample> sample;
  if (tcp.flags & kTcpRst) return sample;

  // The handshake. A SYN (or SYN-ACK) is answered by an acknowledgment of its
  // sequence number plus one.
  const bool syn = (tcp.flags & kTcpSyn) != 0;
  const bool ack = (tcp.flags & kTcpAck) != 0;
  if (ack) {
    if (auto rtt = Match(PendingKey{reverse, tcp.acknowledgment, PendingKind::kHandshake}, at)) {
      sample = RttSample{*rtt, packet.source, RttSample::Kind::kHandshake};
      ++counters_.handshake_samples;
    }
  }
  if (syn) {
    const PendingKey key{flow, tcp.sequence + 1, PendingKind::kHandshake};
    if (pending_.erase(key) != 0) {
      ++counters_.retransmitted_handshakes;
    } else {
      Remember(key, at);
    }
  }

  if (!tcp.timestamps) return sample;
  // A timestamp echo closes the round trip of the flow in the other direction.
  if (ack && tcp.timestamps->echo != 0) {
    auto rtt = Match(PendingKey{reverse, tcp.timestamps->echo, PendingKind::kTimestamp}, at);
    if (rtt && !sample) {
      sample = RttSample{*rtt, packet.source, RttSample::Kind::kTimestamp};
      ++counters_.timestamp_samples;
    }
  }
  FlowState &state = TouchFlow(flow);
  if (!state.has_value || After(tcp.timestamps->value, state.last_value)) {
    state.last_value = tcp.timestamps->value;
    state.has_value = true;
    Remember(PendingKey{flow, tcp.timestamps->value, PendingKind::kTimestamp}, at);
  }
  return sample;
}

}  // namespace linkmon::passive
