#include "probe/reflector/session_reflector.h"

#include <algorithm>

#include "probe/stamp/timestamp.h"

namespace linkmon::reflector {

namespace {

using std::chrono::steady_clock;

}  // namespace

SessionReflector::SessionReflector(const ReflectorOptions& options, stamp::StampCodec codec)
    : options_(options),
      codec_(std::move(codec)),
      // The global bucket starts full at the epoch of steady_clock; the first Reflect refills it
      // up to its burst, so the start time does not matter.
      global_bucket_(options.global, steady_clock::time_point{}),
      sources_(options.max_sources),
      sessions_(options.max_sessions) {}

std::size_t SessionReflector::EndpointKeyHash::operator()(const EndpointKey& key) const {
  // FNV-1a: keys are attacker-chosen, but the tables are bounded, so collisions cost time
  // proportional to the table size at worst.
  std::uint64_t hash = 1469598103934665603ULL;
  auto mix = [&hash](std::uint8_t byte) {
    hash ^= byte;
    hash *= 1099511628211ULL;
  };
  for (std::uint8_t byte : key.address) mix(byte);
  mix(static_cast<std::uint8_t>(key.port >> 8));
  mix(static_cast<std::uint8_t>(key.port));
  return static_cast<std::size_t>(hash);
}

SessionReflector::EndpointKey SessionReflector::KeyOf(const boost::asio::ip::address& address,
                                                      std::uint16_t port) {
  EndpointKey key;
  boost::asio::ip::address_v6 v6 =
      address.is_v4()
          ? boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address.to_v4())
          : address.to_v6();
  key.address = v6.to_bytes();
  key.port = port;
  return key;
}

tl::expected<std::size_t, RefusalReason> SessionReflector::Refuse(RefusalReason reason) {
  ++counters_.refused_for(reason);
  return tl::unexpected(reason);
}

bool SessionReflector::SourceWithinRate(const EndpointKey& source, steady_clock::time_point now) {
  sources_.DropStale([&](const SourceState& state) {
    return now - state.last_seen > options_.session_idle_timeout;
  });
  SourceState* state = sources_.Find(source);
  if (state == nullptr) {
    auto inserted =
        sources_.Insert(source, SourceState{TokenBucket(options_.per_source, now), now});
    if (inserted.evicted) ++counters_.sources_evicted;
    state = inserted.value;
  }
  state->last_seen = now;
  return state->bucket.TryTake(now);
}

SessionReflector::Session& SessionReflector::FindOrCreateSession(const EndpointKey& key,
                                                                 steady_clock::time_point now) {
  counters_.sessions_expired += sessions_.DropStale([&](const Session& session) {
    return now - session.last_seen > options_.session_idle_timeout;
  });
  Session* session = sessions_.Find(key);
  if (session == nullptr) {
    Session fresh;
    if (codec_.mode() == stamp::AuthMode::kAuthenticated)
      fresh.replay.emplace(options_.replay_window);
    auto inserted = sessions_.Insert(key, std::move(fresh));
    if (inserted.evicted) ++counters_.sessions_evicted;
    ++counters_.sessions_created;
    session = inserted.value;
  }
  session->last_seen = now;
  return *session;
}

tl::expected<std::size_t, RefusalReason> SessionReflector::Reflect(
    const IncomingDatagram& datagram, steady_clock::time_point now,
    std::chrono::system_clock::time_point send_time, std::span<std::uint8_t> reply_buffer) {
  ++counters_.received_packets;
  counters_.received_bytes += datagram.bytes.size();

  if (!options_.allowed_sources.empty() &&
      !net::AnyContains(options_.allowed_sources, datagram.source_address)) {
    return Refuse(RefusalReason::kSourceNotAllowed);
  }
  if (datagram.truncated || datagram.bytes.size() > options_.max_packet_bytes ||
      datagram.bytes.size() > reply_buffer.size()) {
    return Refuse(RefusalReason::kTooLong);
  }
  if (datagram.bytes.size() < codec_.base_size()) return Refuse(RefusalReason::kTooShort);

  if (!SourceWithinRate(KeyOf(net::Unmapped(datagram.source_address), 0), now)) {
    return Refuse(RefusalReason::kSourceRateLimited);
  }
  if (!global_bucket_.TryTake(now)) return Refuse(RefusalReason::kGlobalRateLimited);

  Result<stamp::SenderPacket> request = codec_.DecodeSender(datagram.bytes);
  if (!request) return Refuse(RefusalReason::kBadHmac);  // the size was checked: only HMAC fails

  Session& session = FindOrCreateSession(KeyOf(datagram.source_address, datagram.source_port), now);
  if (session.replay && session.replay->Accept(request->sequence) != ReplayWindow::Verdict::kNew) {
    return Refuse(RefusalReason::kReplay);
  }

  stamp::ReflectorPacket reply{
      .sequence = session.next_sequence,
      .timestamp = stamp::ToNtp(send_time),
      .error_estimate = error_estimate_,
      .receive_timestamp = stamp::ToNtp(datagram.receive_time),
      .sender_sequence = request->sequence,
      .sender_timestamp = request->timestamp,
      .sender_error_estimate = request->error_estimate,
      .sender_ttl = datagram.ttl.value_or(0),
  };
  std::span<std::uint8_t> out = reply_buffer.first(datagram.bytes.size());
  if (!codec_.EncodeReflector(reply, out)) return Refuse(RefusalReason::kReplyFailed);
  ++session.next_sequence;
  return out.size();
}

void SessionReflector::CountSent(std::size_t bytes) {
  ++counters_.reflected_packets;
  counters_.reflected_bytes += bytes;
}

void SessionReflector::CountSendError() { ++counters_.send_errors; }

}  // namespace linkmon::reflector
