#pragma once

// PassiveMonitor: one interface's passive measurement in the probe daemon. It
// owns the live capture and its analyser on the probe's io_context, closes
// intervals on a timer (so a quiet interface still delivers the interval it was
// in), and hands each finished PassiveInterval to a sink. AnalysePcapFile is
// the offline twin: a capture file in, its intervals out.
//
// ToPathSummaries turns an interval into what the probe uploads: one
// batch::PathSummary per site, method passive, with the RTT histogram. Its
// `throughput` stays empty on purpose: passive bytes say how much traffic there
// was, not what the path could carry, and the collector judges min_bandwidth as
// capacity (the lowest throughput-test result of a minute).

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/batch/batch.h"
#include "common/clock.h"
#include "probe/passive/passive_analyser.h"
#include "probe/passive/pcap_capture.h"

namespace linkmon::passive {

using IntervalSink = std::function<void(const PassiveInterval &)>;

class PassiveMonitor {
 public:
  // Opens the capture (errors as PcapCapture::Open) and starts at once.
  static Result<std::unique_ptr<PassiveMonitor>> Start(boost::asio::io_context &io,
                                                       const Clock &clock,
                                                       const PcapCaptureOptions &capture,
                                                       const PassiveAnalyserOptions &analyser,
                                                       SitePrefixMap sites, IntervalSink sink);
  ~PassiveMonitor();
  PassiveMonitor(const PassiveMonitor &) = delete;
  PassiveMonitor &operator=(const PassiveMonitor &) = delete;

  // Stops capturing and delivers the open interval.
  void Stop();

  PassiveCounters counters() const { return analyser_.counters(); }
  Result<CaptureStatistics> CaptureStats() { return capture_->Statistics(); }

 private:
  PassiveMonitor(boost::asio::io_context &io, const Clock &clock,
                 std::unique_ptr<PcapCapture> capture, PassiveAnalyser analyser,
                 std::chrono::nanoseconds tick, IntervalSink sink);
  void ArmTimer();

  const Clock *clock_;
  std::unique_ptr<PcapCapture> capture_;
  PassiveAnalyser analyser_;
  std::chrono::nanoseconds tick_;
  boost::asio::steady_timer timer_;
  IntervalSink sink_;
  bool stopped_ = false;
};

// The intervals of a capture file, in order (the last one closed at the file's
// end), and the analyser's counters.
struct PcapFileAnalysis {
  std::vector<PassiveInterval> intervals;
  PassiveCounters counters;
};
Result<PcapFileAnalysis> AnalysePcapFile(const std::string &path,
                                         const PassiveAnalyserOptions &options,
                                         SitePrefixMap sites);

// One PathSummary per site of the interval: path {source, site, passive}, the
// site's summary.
std::vector<batch::PathSummary> ToPathSummaries(const PassiveInterval &interval,
                                                const SiteName &source);

}  // namespace linkmon::passive
