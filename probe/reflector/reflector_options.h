#pragma once

// What an operator decides about the STAMP Session-Reflector: where it listens, whom it answers,
// how fast, and with which key. Filled from the `reflector:` config section (or by tests), checked
// once by Validate before the reflector starts.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include <boost/asio/ip/udp.hpp>

#include "common/result.h"
#include "probe/net/ip_prefix.h"
#include "probe/reflector/token_bucket.h"

namespace linkmon::reflector {

struct ReflectorOptions {
  // Address and UDP port to listen on (862 is STAMP's well-known port; 0 lets the kernel choose).
  boost::asio::ip::udp::endpoint listen;
  // Sources answered; empty means any, which Validate allows only on a loopback address or in
  // authenticated mode, so that an open reflector is never started by accident.
  std::vector<net::IpPrefix> allowed_sources;
  // Set: authenticated mode (RFC 8762 §4.4) with the hex key in this file (owner-only mode).
  std::optional<std::filesystem::path> key_file;
  // Per source address, and for the whole reflector. Over-limit packets are dropped unanswered.
  RateLimit per_source{.packets_per_second = 100, .burst = 50};
  RateLimit global{.packets_per_second = 20'000, .burst = 2'000};
  // Bounds on state that senders create: rate-limit buckets per source address, and sessions per
  // source address and port (sequence counter, replay window). Full tables drop their least
  // recently used entry, counted as an eviction.
  std::size_t max_sources = 4'096;
  std::size_t max_sessions = 4'096;
  // A session unused this long is forgotten (not counted as an eviction).
  std::chrono::seconds session_idle_timeout{60};
  // Authenticated mode: how many Session-Sender sequence numbers below the highest seen are still
  // accepted once each (reordering tolerance of the anti-replay check).
  std::uint32_t replay_window = 1'024;
  // Datagrams longer than this are refused as too long (a reply is never larger than its request).
  std::size_t max_packet_bytes = 9'000;
  // DSCP of replies (0..63); 0 by default so that probes are not treated better than real traffic.
  std::uint8_t dscp = 0;
  // Datagrams handled per wake-up before the loop serves other work.
  std::size_t max_packets_per_turn = 64;
};

// Checks the options; each problem names the option. Refuses in particular an unauthenticated
// reflector without an allow-list on anything but a loopback address.
Status Validate(const ReflectorOptions& options);

}  // namespace linkmon::reflector
