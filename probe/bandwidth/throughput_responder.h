#pragma once

// ThroughputResponder: the reflector's side of throughput tests (throughput_messages.h), on the
// daemon's io_context. It listens on TCP for control connections (beside the STAMP reflector's
// UDP port of the same number) and on a UDP data port for test datagrams, and serves one test at a
// time, to authenticated probes from allowed prefixes only, within its own caps:
//
//  - rate: requests above `max_rate` are refused (kRateAboveCap, with the cap in the answer).
//    What arrives above the granted rate is not counted as received (UDP: a byte token bucket
//    with 100 ms of burst) or not read (TCP: the responder reads no faster than the granted rate,
//    so TCP's flow control slows a sender that ignores its grant).
//  - duration: above `max_duration` refused; a test is cut off at its duration plus a grace of
//    `control_timeout`.
//  - duty cycle: the granted test time within any `duty_window` stays at most `max_duty_cycle` of
//    it (default 10 % of an hour), so a probe schedule gone wrong cannot saturate the link.
//  - replay: a request's nonce is remembered (last 4096) and its time must be within
//    kMaxClockSkew of the responder's wall clock.
//
// UDP test datagrams count only when their session id is the running test's and they come from
// the control connection's address. Every 16th is answered with a 20-byte echo (never larger than
// what came in), from which the probe measures delay under load. Each refusal is counted by
// verdict.
//
// Not thread-safe: call from the io_context's thread.

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "common/units.h"
#include "probe/bandwidth/throughput_messages.h"
#include "probe/net/ip_prefix.h"
#include "probe/stamp/hmac_key.h"

namespace linkmon::bandwidth {

struct ThroughputResponderOptions {
  // TCP control; port 0 lets the kernel choose. TCP, so it shares the STAMP reflector's port
  // number (UDP) without conflict.
  boost::asio::ip::tcp::endpoint listen{boost::asio::ip::address_v6::any(), 862};
  // UDP test datagrams, on the same address; 0 (default): a port the kernel chooses, told to the
  // probe in each answer (set one where a firewall must allow it).
  std::uint16_t data_port = 0;
  std::vector<net::IpPrefix> allowed_sources{};  // empty: every test is refused
  Bandwidth max_rate{100'000'000};
  std::chrono::milliseconds max_duration{std::chrono::seconds(10)};
  double max_duty_cycle = 0.1;  // (0, 1]
  std::chrono::nanoseconds duty_window = std::chrono::hours(1);
  // After a UDP sender's end mark: how long datagrams still in flight are waited for.
  std::chrono::milliseconds drain{500};
  // Deadline for each control message, and the grace after a test's duration.
  std::chrono::milliseconds control_timeout{3000};
};

struct ThroughputResponderCounters {
  std::uint64_t connections = 0;
  std::uint64_t accepted = 0;
  // Indexed by TestVerdict (kAccepted unused).
  std::array<std::uint64_t, 9> refused{};
  std::uint64_t foreign_datagrams = 0;  // not of the running test, or from another address
  std::uint64_t bytes_above_rate = 0;
  std::uint64_t timed_out = 0;  // control connections closed for a missed deadline
};

class ThroughputResponder {
 public:
  // Errors: kInvalidArgument (options), kIo (bind).
  static Result<std::unique_ptr<ThroughputResponder>> Start(boost::asio::io_context& io,
                                                            const Clock& clock,
                                                            ThroughputResponderOptions options,
                                                            stamp::HmacKey key);
  ~ThroughputResponder();
  ThroughputResponder(const ThroughputResponder&) = delete;
  ThroughputResponder& operator=(const ThroughputResponder&) = delete;

  std::uint16_t port() const;
  const ThroughputResponderCounters& counters() const;

  class Impl;

 private:
  explicit ThroughputResponder(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace linkmon::bandwidth
