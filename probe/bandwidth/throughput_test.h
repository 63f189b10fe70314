#pragma once

// RunThroughputTest: the probe's side of one throughput test against a ThroughputResponder
// (throughput_messages.h). Blocking, on the calling thread, and bounded in time: the connect and
// each control message have a deadline, and the data phase stops at the granted duration. Run it
// on a thread of its own (or from `linkmon-probe measure --method throughput`), not on the
// daemon's io_context.
//
// Rate. `rate` counts what an Ethernet interface's counters count: each IP packet plus a 14-byte
// link header. The sender paces to it on average over the test (short bursts after a late
// wake-up, never above the average), and stops when rate * duration bytes (less 2 KiB for the
// control exchange) are spent, so the interface's tx_bytes over the test never exceed
// rate * duration.
//  - UDP: datagrams of `datagram_bytes` payload, each costing payload + 8 + 20 (IPv6: 40) + 14
//    bytes of the rate. Results: receiver goodput (payload bits per second over the receiver's
//    first to last arrival), loss, duplicates, reordering, and RTT under load from the
//    responder's echo of every 16th datagram.
//  - TCP: bulk data at a payload rate of rate * MSS / (MSS + headers + 14). Results: receiver
//    goodput, and goodput over time from the kernel's count of acknowledged bytes
//    (TCP_INFO tcpi_bytes_acked) every `sample_every`.

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <vector>

#include "common/histogram/log_histogram.h"
#include "common/result.h"
#include "common/units.h"
#include "probe/bandwidth/throughput_messages.h"
#include "probe/stamp/hmac_key.h"

namespace linkmon::bandwidth {

struct ThroughputTestOptions {
  boost::asio::ip::address target{};
  std::uint16_t port = 862;  // the responder's TCP (control) port
  TestMode mode = TestMode::kUdp;
  Bandwidth rate{10'000'000};
  std::chrono::milliseconds duration{std::chrono::seconds(5)};
  std::uint16_t datagram_bytes = 1400;  // UDP payload; 20..65000
  std::chrono::milliseconds sample_every{100};
  std::chrono::milliseconds control_timeout{5000};
};

struct ThroughputResult {
  TestMode mode = TestMode::kUdp;
  TestResponse grant;                // the responder's answer (accepted)
  std::uint64_t sent_datagrams = 0;  // UDP
  std::uint64_t sent_bytes = 0;      // payload bytes written
  std::chrono::nanoseconds send_time{0};
  TestReport report;                       // what the responder received
  Bandwidth goodput{0};                    // report.bytes over report.arrival_span
  double loss_ratio = 0;                   // UDP: 1 - received / sent
  histogram::LogHistogram rtt_under_load;  // UDP echoes
  std::vector<Bandwidth> goodput_series;   // TCP: acknowledged payload per sample_every
};

// Errors: kUnavailable (cannot connect, a deadline passed, the responder closed), kPermission
// (the responder refused: the message names the verdict and its cap; or a reply's HMAC failed),
// kInvalidArgument (options), kIo (socket calls).
Result<ThroughputResult> RunThroughputTest(const ThroughputTestOptions& options,
                                           const stamp::HmacKey& key);

// Wire bytes (IP packet + 14-byte Ethernet header) of one UDP test datagram.
std::uint64_t UdpWireBytes(std::uint16_t payload, bool ipv6);

}  // namespace linkmon::bandwidth
