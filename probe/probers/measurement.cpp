#include "probe/probers/measurement.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "common/stats/interval_recorder.h"
#include "probe/probers/host_clock.h"
#include "probe/probers/icmp_prober.h"
#include "probe/probers/recorder_listener.h"
#include "probe/probers/stamp_prober.h"

namespace linkmon::probers {

namespace {

using std::chrono::nanoseconds;

constexpr std::uint32_t kMaxCount = 1'000'000;

// Keeps the RTT of each reply the recorder counts as received.
class RttListener final : public RecorderListener {
 public:
  using RecorderListener::RecorderListener;
  std::vector<nanoseconds> rtts;

 private:
  void Replied(const stats::ProbeReply& reply,
               const Result<stats::ReplyOutcome>& outcome) override {
    if (outcome && *outcome == stats::ReplyOutcome::kReceived) rtts.push_back(reply.rtt);
  }
};

// The prober and what keeps it working (the ICMP socket service).
struct ProberHandle {
  // Before the prober, so that it outlives the prober, which refers to it.
  std::shared_ptr<IcmpEchoService> icmp_service;
  std::unique_ptr<Prober> prober;
  net::KernelTimestamping timestamping = net::KernelTimestamping::kNone;
  std::optional<icmp::SocketKind> icmp_socket{};
};

Result<ProberHandle> MakeProber(boost::asio::io_context& io, const Clock& clock,
                                const MeasurementOptions& options, ProbeListener& listener) {
  ProberHandle handle;
  bool ipv6 = options.target.is_v6() && !options.target.to_v6().is_v4_mapped();
  if (options.method == Method::kIcmp) {
    icmp::IpVersion version = ipv6 ? icmp::IpVersion::kV6 : icmp::IpVersion::kV4;
    auto service = IcmpEchoService::Open(
        io, clock, {.version = version, .preference = options.icmp_socket, .dscp = options.dscp},
        icmp::RandomCookie());
    if (!service) return tl::unexpected(service.error());
    auto prober =
        IcmpProber::Make(**service,
                         {.target = options.target,
                          .icmp_size = IcmpSizeForPacketSize(options.packet_size, version)},
                         listener);
    if (!prober) return tl::unexpected(prober.error());
    handle.timestamping = (*service)->timestamping();
    handle.icmp_socket = (*service)->kind();
    handle.icmp_service = std::move(*service);
    handle.prober = std::move(*prober);
    return handle;
  }
  stamp::StampCodec codec = stamp::StampCodec::Unauthenticated();
  if (options.key_file) {
    Result<stamp::HmacKey> key = stamp::HmacKey::LoadFile(*options.key_file);
    if (!key) return tl::unexpected(key.error());
    codec = stamp::StampCodec::Authenticated(std::move(*key));
  }
  StampProberOptions stamp_options{
      .reflector = boost::asio::ip::udp::endpoint(options.target, options.port),
      .payload_size = StampPayloadSize(options.packet_size, ipv6, codec),
      .dscp = options.dscp};
  auto prober = StampProber::Make(io, clock, std::move(codec), stamp_options, listener);
  if (!prober) return tl::unexpected(prober.error());
  (*prober)->SetClockErrorEstimate(ClockErrorEstimate(options.clock_sync));
  handle.timestamping = (*prober)->timestamping();
  handle.prober = std::move(*prober);
  return handle;
}

double Seconds(nanoseconds value) { return static_cast<double>(value.count()) * 1e-9; }

// Nearest rank over sorted samples, as LogHistogram::Quantile ranks.
std::optional<nanoseconds> ExactQuantile(const std::vector<nanoseconds>& sorted, double q) {
  if (sorted.empty()) return std::nullopt;
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size()) - 1e-9));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

std::optional<nanoseconds> Quantile(const histogram::LogHistogram& histogram, double q) {
  if (histogram.Empty()) return std::nullopt;
  Result<histogram::QuantileEstimate> estimate = histogram.Quantile(q);
  if (!estimate) return std::nullopt;
  return estimate->value;
}

nlohmann::json SecondsOrNull(std::optional<nanoseconds> value) {
  return value ? nlohmann::json(Seconds(*value)) : nlohmann::json(nullptr);
}

std::string Millis(std::optional<nanoseconds> value) {
  return value ? fmt::format("{:.3f}ms", static_cast<double>(value->count()) / 1e6) : "-";
}

std::string TargetText(const MeasurementOptions& options) {
  std::string address =
      options.target.is_v6() ? "[" + options.target.to_string() + "]" : options.target.to_string();
  return options.method == Method::kStamp ? fmt::format("{}:{}", address, options.port)
                                          : options.target.to_string();
}

double LossRatio(const stats::ProbeCounts& counts) {
  return counts.sent == 0 ? 0.0
                          : static_cast<double>(counts.lost) / static_cast<double>(counts.sent);
}

}  // namespace

Result<MeasurementReport> RunMeasurement(const MeasurementOptions& options, const Clock& clock) {
  if (options.method != Method::kIcmp && options.method != Method::kStamp) {
    return MakeError(ErrorCode::kUnsupported,
                     fmt::format("measure: method {} is not available here; use icmp or stamp",
                                 MethodName(options.method)));
  }
  if (options.count < 1 || options.count > kMaxCount) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("measure: count must be from 1 to {}", kMaxCount));
  }
  if (options.interval <= nanoseconds(0) || options.timeout <= nanoseconds(0)) {
    return MakeError(ErrorCode::kInvalidArgument, "measure: interval and timeout must be positive");
  }
  boost::asio::io_context io;
  const nanoseconds horizon = 2 * options.timeout;
  const MonotonicTime origin = clock.MonotonicNow();
  // One interval long enough for every probe, with room for timer lateness.
  const nanoseconds length = options.interval * static_cast<std::int64_t>(options.count) + horizon;
  Result<stats::IntervalRecorder> recorder =
      stats::IntervalRecorder::Create({.interval = length,
                                       .timeout = options.timeout,
                                       .late_horizon = horizon,
                                       .max_outstanding = options.count,
                                       .origin = origin},
                                      clock);
  if (!recorder) return tl::unexpected(recorder.error());
  RttListener listener(std::move(*recorder));
  Result<ProberHandle> handle = MakeProber(io, clock, options, listener);
  if (!handle) return tl::unexpected(handle.error());

  // Sends at origin + i * interval: absolute times, so timer lateness does not accumulate.
  boost::asio::steady_timer timer(io);
  std::uint32_t next = 0;
  MonotonicTime last_sent = origin;
  std::function<void()> schedule = [&] {
    timer.expires_at(origin + options.interval * static_cast<std::int64_t>(next));
    timer.async_wait([&](const boost::system::error_code& error) {
      if (error) return;
      last_sent = clock.MonotonicNow();
      (void)handle->prober->Send(next);  // a failed send is counted by the prober
      if (++next < options.count) {
        schedule();
        return;
      }
      // The interval is final once it has ended and the last probe's fate is known, one late
      // horizon after it left.
      timer.expires_at(std::max(origin + length, last_sent + horizon) +
                       std::chrono::milliseconds(1));
      timer.async_wait([&](const boost::system::error_code&) { io.stop(); });
    });
  };
  schedule();
  io.run();

  MeasurementReport report;
  report.options = options;
  report.counters = handle->prober->counters();
  report.timestamping = handle->timestamping;
  report.icmp_socket = handle->icmp_socket;
  report.rtts = std::move(listener.rtts);
  std::sort(report.rtts.begin(), report.rtts.end());
  for (const stats::IntervalSummary& summary : listener.recorder().CloseDue()) {
    if (Status merged = report.summary.Merge(summary); !merged) {
      return tl::unexpected(merged.error());
    }
  }
  if (handle->icmp_service) handle->icmp_service->Close();
  return report;
}

std::string FormatMeasurementText(const MeasurementReport& report) {
  const stats::IntervalSummary& s = report.summary;
  const stats::ProbeCounts& c = s.counts;
  std::string text = fmt::format(
      "{} to {}: {} probes every {}, timestamps {}{}\n", MethodName(report.options.method),
      TargetText(report.options), report.options.count, Millis(report.options.interval),
      stats::TimestampSourceName(s.timestamp_source),
      report.icmp_socket ? fmt::format(", {} socket", icmp::SocketKindName(*report.icmp_socket))
                         : "");
  text += fmt::format(
      "sent {}  received {}  late {}  lost {} ({:.3f}%)  duplicated {}  reordered {}\n", c.sent,
      c.received, c.late, c.lost, 100 * LossRatio(c), c.duplicated, c.reordered);
  const std::vector<nanoseconds>& rtts = report.rtts;
  text += fmt::format("rtt      min {}  p50 {}  p90 {}  p99 {}  max {}\n",
                      Millis(ExactQuantile(rtts, 0)), Millis(ExactQuantile(rtts, 0.5)),
                      Millis(ExactQuantile(rtts, 0.9)), Millis(ExactQuantile(rtts, 0.99)),
                      Millis(ExactQuantile(rtts, 1)));
  text += fmt::format("jitter   rfc3550 {}  ipdv p50 {}  ipdv p99 {}\n", Millis(s.rfc3550_jitter),
                      Millis(Quantile(s.ipdv_magnitude, 0.5)),
                      Millis(Quantile(s.ipdv_magnitude, 0.99)));
  if (report.options.method == Method::kStamp) {
    if (s.OneWayDelayAvailable()) {
      text += fmt::format(
          "one-way  forward p50 {} p99 {}  reverse p50 {} p99 {}\n",
          Millis(Quantile(s.forward_delay, 0.5)), Millis(Quantile(s.forward_delay, 0.99)),
          Millis(Quantile(s.reverse_delay, 0.5)), Millis(Quantile(s.reverse_delay, 0.99)));
    } else {
      text += "one-way  unavailable: both clocks must be synchronised\n";
    }
  }
  if (report.counters.send_errors > 0 || report.counters.foreign_replies > 0 ||
      report.counters.malformed_replies > 0) {
    text += fmt::format("ignored  send errors {}  foreign replies {}  malformed replies {}\n",
                        report.counters.send_errors, report.counters.foreign_replies,
                        report.counters.malformed_replies);
  }
  return text;
}

// {"method": "stamp", "target": "127.0.0.1:862", "count": 100, "interval_seconds": 0.01,
//  "timeout_seconds": 1.0, "sent": .., "received": .., "late": .., "lost": .., "loss_ratio": ..,
//  "duplicated": .., "reordered": .., "timestamp_source": "kernel",
//  "icmp_socket": "datagram" | "raw" (icmp) | null (stamp),
//  "rtt_seconds": {"min", "p50", "p90", "p99", "max"},
//  "jitter_seconds": {"rfc3550", "ipdv_p50", "ipdv_p99"},
//  "one_way_delay_seconds": null | {"forward": {"p50", "p99"}, "reverse": {"p50", "p99"}},
//  "send_errors": .., "foreign_replies": .., "malformed_replies": ..}
// A statistic without samples is null.
std::string FormatMeasurementJson(const MeasurementReport& report) {
  const stats::IntervalSummary& s = report.summary;
  const stats::ProbeCounts& c = s.counts;
  nlohmann::json out = {
      {"method", MethodName(report.options.method)},
      {"target", TargetText(report.options)},
      {"count", report.options.count},
      {"interval_seconds", Seconds(report.options.interval)},
      {"timeout_seconds", Seconds(report.options.timeout)},
      {"sent", c.sent},
      {"received", c.received},
      {"late", c.late},
      {"lost", c.lost},
      {"loss_ratio", LossRatio(c)},
      {"duplicated", c.duplicated},
      {"reordered", c.reordered},
      {"timestamp_source", stats::TimestampSourceName(s.timestamp_source)},
      {"icmp_socket", report.icmp_socket ? nlohmann::json(icmp::SocketKindName(*report.icmp_socket))
                                         : nlohmann::json(nullptr)},
      {"rtt_seconds",
       {{"min", SecondsOrNull(ExactQuantile(report.rtts, 0))},
        {"p50", SecondsOrNull(ExactQuantile(report.rtts, 0.5))},
        {"p90", SecondsOrNull(ExactQuantile(report.rtts, 0.9))},
        {"p99", SecondsOrNull(ExactQuantile(report.rtts, 0.99))},
        {"max", SecondsOrNull(ExactQuantile(report.rtts, 1))}}},
      {"jitter_seconds",
       {{"rfc3550", SecondsOrNull(s.rfc3550_jitter)},
        {"ipdv_p50", SecondsOrNull(Quantile(s.ipdv_magnitude, 0.5))},
        {"ipdv_p99", SecondsOrNull(Quantile(s.ipdv_magnitude, 0.99))}}},
      {"one_way_delay_seconds", nullptr},
      {"send_errors", report.counters.send_errors},
      {"foreign_replies", report.counters.foreign_replies},
      {"malformed_replies", report.counters.malformed_replies},
  };
  if (s.OneWayDelayAvailable()) {
    out["one_way_delay_seconds"] = {
        {"forward",
         {{"p50", SecondsOrNull(Quantile(s.forward_delay, 0.5))},
          {"p99", SecondsOrNull(Quantile(s.forward_delay, 0.99))}}},
        {"reverse",
         {{"p50", SecondsOrNull(Quantile(s.reverse_delay, 0.5))},
          {"p99", SecondsOrNull(Quantile(s.reverse_delay, 0.99))}}},
    };
  }
  return out.dump();
}

}  // namespace linkmon::probers
