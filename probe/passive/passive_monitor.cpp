#include "probe/passive/passive_monitor.h"

#include <algorithm>
#include <utility>

namespace linkmon::passive {

Result<std::unique_ptr<PassiveMonitor>> PassiveMonitor::Start(
    boost::asio::io_context &io, const Clock &clock, const PcapCaptureOptions &capture,
    const PassiveAnalyserOptions &analyser, SitePrefixMap sites, IntervalSink sink) {
  auto made_analyser = PassiveAnalyser::Create(analyser, std::move(sites));
  if (!made_analyser) return tl::unexpected(made_analyser.error());
  auto opened = PcapCapture::Open(io, capture);
  if (!opened) return tl::unexpected(opened.error());
  // Close intervals a little after their end: libpcap hands frames over up to
  // buffer_timeout late, so a tick of a tenth of the interval (at most 1 s)
  // keeps the delay small.
  const auto tick =
      std::min<std::chrono::nanoseconds>(analyser.interval / 10, std::chrono::seconds(1));
  std::unique_ptr<PassiveMonitor> monitor(new PassiveMonitor(
      io, clock, std::move(*opened), std::move(*made_analyser), tick, std::move(sink)));
  monitor->capture_->Start([self = monitor.get()](SystemTime captured, int link_type,
                                                  std::span<const std::uint8_t> bytes,
                                                  std::uint32_t wire_length) {
    if (auto done = self->analyser_.OnFrame(captured, link_type, bytes, wire_length)) {
      self->sink_(*done);
    }
  });
  monitor->ArmTimer();
  return monitor;
}

PassiveMonitor::PassiveMonitor(boost::asio::io_context &io, const Clock &clock,
                               std::unique_ptr<PcapCapture> capture, PassiveAnalyser analyser,
                               std::chrono::nanoseconds tick, IntervalSink sink)
    : clock_(&clock),
      capture_(std::move(capture)),
      analyser_(std::move(analyser)),
      tick_(tick),
      timer_(io),
      sink_(std::move(sink)) {}

PassiveMonitor::~PassiveMonitor() {
  capture_->Stop();
  timer_.cancel();
}

void PassiveMonitor::ArmTimer() {
  timer_.expires_after(tick_);
  timer_.async_wait([this](const boost::system::error_code &error) {
    if (error || stopped_) return;
    // Frames stamped before `now` may still sit in libpcap's ring: wait a
    // buffer timeout (well under a tick) before declaring their interval final.
    if (auto done = analyser_.CloseDue(clock_->SystemNow() - tick_)) sink_(*done);
    ArmTimer();
  });
}

void PassiveMonitor::Stop() {
  if (stopped_) return;
  stopped_ = true;
  capture_->Stop();
  timer_.cancel();
  if (auto done = analyser_.CloseAll()) sink_(*done);
}

Result<PcapFileAnalysis> AnalysePcapFile(const std::string &path,
                                         const PassiveAnalyserOptions &options,
                                         SitePrefixMap sites) {
  auto analyser = PassiveAnalyser::Create(options, std::move(sites));
  if (!analyser) return tl::unexpected(analyser.error());
  PcapFileAnalysis analysis;
  auto read =
      ReadPcapFile(path, [&](SystemTime captured, int link_type,
                             std::span<const std::uint8_t> bytes, std::uint32_t wire_length) {
        if (auto done = analyser->OnFrame(captured, link_type, bytes, wire_length)) {
          analysis.intervals.push_back(std::move(*done));
        }
      });
  if (!read) return tl::unexpected(read.error());
  if (auto done = analyser->CloseAll()) analysis.intervals.push_back(std::move(*done));
  analysis.counters = analyser->counters();
  return analysis;
}

std::vector<batch::PathSummary> ToPathSummaries(const PassiveInterval &interval,
                                                const SiteName &source) {
  std::vector<batch::PathSummary> summaries;
  for (const SiteInterval &site : interval.sites) {
    summaries.push_back(batch::PathSummary{
        .path = PathKey{.source = source, .target = site.site, .method = Method::kPassive},
        .summary = site.summary,
        .throughput = std::nullopt});
  }
  return summaries;
}

}  // namespace linkmon::passive
