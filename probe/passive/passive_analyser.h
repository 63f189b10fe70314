#pragma once

// PassiveAnalyser: what one capture interface saw, per interval. Fed one
// captured frame at a time (from a live PcapCapture or a pcap file), it counts
// frames and bytes for the interface's throughput and packet rates, counts IP
// bytes to and from each configured site, and files the RTT samples of
// TcpRttTracker under the site at the far end (SitePrefixMap), as the same
// IntervalSummary every prober produces (method passive): the RTT histogram is
// filled, the probe counts stay zero (passive measurement sees no probes and so
// no loss).
//
// Intervals are aligned to the wall clock (10 s intervals start at :00, :10,
// ...) and use the capture timestamps. An RTT sample belongs to the interval in
// which its round trip closed. An interval is final once a frame or CloseDue()
// shows a time at or past its end; intervals in which nothing was captured
// produce nothing (an idle interface is known from the next interval's start,
// and from the capture's own counters).
//
// Not thread-safe: one per interface, driven from the probe's io_context.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/stats/interval_summary.h"
#include "common/units.h"
#include "probe/passive/packet_parser.h"
#include "probe/passive/site_prefixes.h"
#include "probe/passive/tcp_rtt_tracker.h"

namespace linkmon::passive {

struct TrafficCounts {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  bool operator==(const TrafficCounts &) const = default;
};

// Average rate of `counts` over `duration`; zero for an empty duration.
Bandwidth AverageRate(const TrafficCounts &counts, std::chrono::nanoseconds duration);
double PacketsPerSecond(const TrafficCounts &counts, std::chrono::nanoseconds duration);

struct SiteInterval {
  TargetName site;
  // start, duration and the RTT histogram (timestamp and handshake samples
  // together).
  stats::IntervalSummary summary;
  std::uint64_t timestamp_samples = 0;
  std::uint64_t handshake_samples = 0;
  TrafficCounts to_site;    // IP packets and bytes (IP header included) towards the site
  TrafficCounts from_site;  // and from it
};

struct PassiveInterval {
  SystemTime start{};
  std::chrono::nanoseconds duration{0};
  // Every captured frame and its length on the wire (libpcap's `len`: link
  // header included, as the interface's rx_bytes and tx_bytes count them),
  // whatever its content.
  TrafficCounts frames;
  std::vector<SiteInterval> sites;  // sites with traffic or samples in this interval only
};

struct PassiveCounters {
  std::uint64_t frames = 0;
  std::uint64_t non_ip_frames = 0;         // ARP and other frames that are not IP (not an error)
  std::uint64_t malformed_frames = 0;      // refused by ParsePacket
  std::uint64_t unattributed_samples = 0;  // RTT samples whose far end is in no site prefix
  TcpRttCounters tcp;                      // the tracker's
};

struct PassiveAnalyserOptions {
  std::chrono::nanoseconds interval = std::chrono::seconds(10);
  TcpRttTrackerOptions tracker{};
};

class PassiveAnalyser {
 public:
  // Refuses (kInvalidArgument) an interval not positive or not dividing a day,
  // or empty bounds.
  static Result<PassiveAnalyser> Create(const PassiveAnalyserOptions &options, SitePrefixMap sites);

  // One captured frame: its capture time, link type, the captured bytes, and
  // its length on the wire. Returns the interval that this frame's time closed,
  // if any.
  std::optional<PassiveInterval> OnFrame(SystemTime captured, int link_type,
                                         std::span<const std::uint8_t> bytes,
                                         std::uint32_t wire_length);

  // Closes the open interval when `now` is at or past its end.
  std::optional<PassiveInterval> CloseDue(SystemTime now);
  // Closes the open interval whatever the time (end of a capture file,
  // shutdown).
  std::optional<PassiveInterval> CloseAll();

  PassiveCounters counters() const {
    PassiveCounters counters = counters_;
    counters.tcp = tracker_.counters();
    return counters;
  }
  const TcpRttTracker &tracker() const { return tracker_; }

 private:
  struct SiteAccumulator {
    histogram::LogHistogram rtt;
    std::uint64_t timestamp_samples = 0;
    std::uint64_t handshake_samples = 0;
    TrafficCounts to_site;
    TrafficCounts from_site;
    bool touched = false;
  };
  struct OpenInterval {
    SystemTime start;
    TrafficCounts frames;
    std::vector<SiteAccumulator> sites;
  };

  PassiveAnalyser(const PassiveAnalyserOptions &options, SitePrefixMap sites);
  std::optional<PassiveInterval> Advance(SystemTime now);
  PassiveInterval Finish(OpenInterval &open) const;
  void Account(SystemTime captured, const ParsedPacket &packet, OpenInterval &open);

  PassiveAnalyserOptions options_;
  SitePrefixMap sites_;
  TcpRttTracker tracker_;
  PassiveCounters counters_;
  std::optional<OpenInterval> open_;
};

}  // namespace linkmon::passive
