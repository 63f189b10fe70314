#pragma once

// The decisions of the STAMP Session-Reflector (RFC 8762 §4.3), without sockets: whether to
// answer a datagram, and the reply. ReflectorSocket feeds it from the network; tests feed it
// directly with chosen times, so rate limits are tested without sleeping.
//
// Checks, cheapest and least stateful first so that refused traffic costs little and creates no
// state: allow-list, size, per-source rate, global rate, HMAC, then the session (sequence counter,
// replay window). The reply is exactly as long as the request, so the reflector cannot amplify.
//
// Stateful mode (RFC 8762 §4.3.1): a session is one sender address and port; its reply Sequence
// Number counts the packets reflected in it, which lets the sender tell forward from reverse loss.
//
// Not thread-safe: one reflector lives on one io_context.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include <boost/asio/ip/address.hpp>
#include <tl/expected.hpp>

#include "probe/reflector/lru_table.h"
#include "probe/reflector/reflector_counters.h"
#include "probe/reflector/reflector_options.h"
#include "probe/reflector/replay_window.h"
#include "probe/reflector/token_bucket.h"
#include "probe/stamp/stamp_packet.h"

namespace linkmon::reflector {

struct IncomingDatagram {
  std::span<const std::uint8_t> bytes;  // what was read
  bool truncated = false;               // the datagram was longer than the read buffer
  boost::asio::ip::address source_address;
  std::uint16_t source_port = 0;
  std::chrono::system_clock::time_point receive_time;  // T2: kernel timestamp when available
  std::optional<std::uint8_t> ttl;                     // TTL / Hop Limit on arrival
};

class SessionReflector {
 public:
  // `options` must have passed Validate; `codec` is authenticated exactly when options.key_file
  // is set.
  SessionReflector(const ReflectorOptions& options, stamp::StampCodec codec);

  // Decides on one datagram. When answering, writes the reply into the front of `reply_buffer`
  // (which must hold options.max_packet_bytes) and returns its length, always the request's.
  // `send_time` is T3, read by the caller just before this call.
  tl::expected<std::size_t, RefusalReason> Reflect(const IncomingDatagram& datagram,
                                                   std::chrono::steady_clock::time_point now,
                                                   std::chrono::system_clock::time_point send_time,
                                                   std::span<std::uint8_t> reply_buffer);

  // The reflector's clock quality for the Error Estimate of its replies (S bit: synchronized).
  // Starts unsynchronized; whoever watches the host clock updates it.
  void SetClockErrorEstimate(stamp::ErrorEstimate estimate) { error_estimate_ = estimate; }

  // The caller reports what became of each reply Reflect built.
  void CountSent(std::size_t bytes);
  void CountSendError();

  const ReflectorCounters& counters() const { return counters_; }
  std::size_t session_count() const { return sessions_.size(); }
  std::size_t source_count() const { return sources_.size(); }
  stamp::AuthMode mode() const { return codec_.mode(); }

 private:
  // An address (IPv4 as IPv4-mapped IPv6) and a port, 0 for per-address keys.
  struct EndpointKey {
    std::array<std::uint8_t, 16> address{};
    std::uint16_t port = 0;
    bool operator==(const EndpointKey&) const = default;
  };
  struct EndpointKeyHash {
    std::size_t operator()(const EndpointKey& key) const;
  };
  struct SourceState {
    TokenBucket bucket;
    std::chrono::steady_clock::time_point last_seen;
  };
  struct Session {
    std::uint32_t next_sequence = 0;
    std::optional<ReplayWindow> replay;  // authenticated mode only
    std::chrono::steady_clock::time_point last_seen;
  };

  static EndpointKey KeyOf(const boost::asio::ip::address& address, std::uint16_t port);
  tl::expected<std::size_t, RefusalReason> Refuse(RefusalReason reason);
  bool SourceWithinRate(const EndpointKey& source, std::chrono::steady_clock::time_point now);
  Session& FindOrCreateSession(const EndpointKey& key, std::chrono::steady_clock::time_point now);

  ReflectorOptions options_;
  stamp::StampCodec codec_;
  stamp::ErrorEstimate error_estimate_;
  TokenBucket global_bucket_;
  LruTable<EndpointKey, SourceState, EndpointKeyHash> sources_;
  LruTable<EndpointKey, Session, EndpointKeyHash> sessions_;
  ReflectorCounters counters_;
};

}  // namespace linkmon::reflector
