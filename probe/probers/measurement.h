#pragma once

// `linkmon-probe measure`: a one-off measurement of one target by ICMP or STAMP, for operators
// comparing linkmon with ping, fping or irtt. It sends `count` probes `interval` apart from one
// io_context, waits for the last one's fate (received, late after `timeout`, lost after twice
// the timeout), and summarises them with the same IntervalRecorder the daemon uses, so its
// figures mean exactly what the daemon's do. RTT quantiles are exact (nearest rank over every
// received probe), not the histogram's.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"
#include "common/stats/interval_summary.h"
#include "probe/icmp/icmp_socket.h"
#include "probe/net/socket_options.h"
#include "probe/probers/host_clock.h"
#include "probe/probers/prober.h"

namespace linkmon::probers {

struct MeasurementOptions {
  Method method = Method::kIcmp;  // kIcmp or kStamp
  boost::asio::ip::address target{};
  std::uint16_t port = 862;  // STAMP reflector port
  std::uint32_t count = 10;
  std::chrono::nanoseconds interval = std::chrono::seconds(1);
  std::chrono::nanoseconds timeout = std::chrono::seconds(1);
  int packet_size = 100;  // whole IP packet, as in the config
  std::uint8_t dscp = 0;
  std::optional<std::filesystem::path> key_file{};  // STAMP authenticated mode
  icmp::SocketPreference icmp_socket = icmp::SocketPreference::kDatagramThenRaw;
  // This host's S bit in STAMP probes (one-way delays need the reflector's too).
  ClockSyncSource clock_sync = ClockSyncSource::kKernel;
};

struct MeasurementReport {
  MeasurementOptions options;
  stats::IntervalSummary summary;
  // RTT of every received probe, sorted: measure reports exact quantiles from these (the
  // summary's histogram is within 1 %, which at 17 ms is 170 us, too coarse to compare tools).
  std::vector<std::chrono::nanoseconds> rtts;
  ProberCounters counters;
  net::KernelTimestamping timestamping = net::KernelTimestamping::kNone;
  // ICMP only: the socket the echoes went through (datagram where ping_group_range allows,
  // raw otherwise, unless --icmp-socket chose).
  std::optional<icmp::SocketKind> icmp_socket{};
};

// Runs the measurement to completion on its own io_context (blocking, about
// count * interval + 2 * timeout). Errors: bad options, sockets that cannot be opened.
Result<MeasurementReport> RunMeasurement(const MeasurementOptions& options, const Clock& clock);

// Human-readable lines, times in milliseconds.
std::string FormatMeasurementText(const MeasurementReport& report);
// One JSON object, times in seconds as floats (see measurement.cpp for the fields).
std::string FormatMeasurementJson(const MeasurementReport& report);

}  // namespace linkmon::probers
