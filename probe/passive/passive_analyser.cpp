#include "probe/passive/passive_analyser.h"

#include <utility>

namespace linkmon::passive {
namespace {

SystemTime IntervalStart(SystemTime time, std::chrono::nanoseconds interval) {
  const auto since_epoch =
      std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch());
  auto start = since_epoch - since_epoch % interval;
  if (since_epoch % interval < std::chrono::nanoseconds::zero()) start -= interval;
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(start));
}

}  // namespace

Bandwidth AverageRate(const TrafficCounts &counts, std::chrono::nanoseconds duration) {
  if (duration <= std::chrono::nanoseconds::zero()) return Bandwidth{0};
  const long double bits = static_cast<long double>(counts.bytes) * 8;
  const long double seconds = static_cast<long double>(duration.count()) / 1e9L;
  return Bandwidth{static_cast<std::uint64_t>(bits / seconds + 0.5L)};
}

double PacketsPerSecond(const TrafficCounts &counts, std::chrono::nanoseconds duration) {
  if (duration <= std::chrono::nanoseconds::zero()) return 0;
  return static_cast<double>(counts.packets) / (static_cast<double>(duration.count()) / 1e9);
}

Result<PassiveAnalyser> PassiveAnalyser::Create(const PassiveAnalyserOptions &options,
                                                SitePrefixMap sites) {
  const auto day = std::chrono::nanoseconds(std::chrono::hours(24));
  if (options.interval <= std::chrono::nanoseconds::zero() ||
      day % options.interval != std::chrono::nanoseconds::zero()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "passive: interval must be positive and divide a day");
  }
  if (options.tracker.max_flows == 0 || options.tracker.max_pending == 0 ||
      options.tracker.max_age <= std::chrono::nanoseconds::zero()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "passive: max_flows, max_pending and max_age must be positive");
  }
  return PassiveAnalyser(options, std::move(sites));
}

PassiveAnalyser::PassiveAnalyser(const PassiveAnalyserOptions &options, SitePrefixMap sites)
    : options_(options), sites_(std::move(sites)), tracker_(options.tracker) {}

std::optional<PassiveInterval> PassiveAnalyser::Advance(SystemTime now) {
  if (open_ && now >= open_->start + options_.interval) {
    PassiveInterval done = Finish(*open_);
    open_.reset();
    return done;
  }
  return std::nullopt;
}

std::optional<PassiveInterval> PassiveAnalyser::OnFrame(SystemTime captured, int link_type,
                                                        std::span<const std::uint8_t> bytes,
                                                        std::uint32_t wire_length) {
  std::optional<PassiveInterval> closed = Advance(captured);
  if (!open_) {
    open_ = OpenInterval{IntervalStart(captured, options_.interval), {}, {}};
    open_->sites.resize(sites_.sites().size());
  }
  ++counters_.frames;
  ++open_->frames.packets;
  open_->frames.bytes += wire_length;
  auto packet = ParsePacket(link_type, bytes);
  if (!packet) {
    if (packet.error().code == ErrorCode::kUnsupported) {
      ++counters_.non_ip_frames;
    } else {
      ++counters_.malformed_frames;
    }
    return closed;
  }
  Account(captured, *packet, *open_);
  return closed;
}

void PassiveAnalyser::Account(SystemTime captured, const ParsedPacket &packet, OpenInterval &open) {
  if (auto site = sites_.Find(packet.destination)) {
    SiteAccumulator &to = open.sites[*site];
    ++to.to_site.packets;
    to.to_site.bytes += packet.ip_bytes;
    to.touched = true;
  }
  if (auto site = sites_.Find(packet.source)) {
    SiteAccumulator &from = open.sites[*site];
    ++from.from_site.packets;
    from.from_site.bytes += packet.ip_bytes;
    from.touched = true;
  }
  if (!packet.tcp) return;
  std::optional<RttSample> sample = tracker_.OnSegment(captured, packet);
  if (!sample) return;
  std::optional<std::size_t> site = sites_.Find(sample->far_end);
  if (!site) {
    ++counters_.unattributed_samples;
    return;
  }
  SiteAccumulator &accumulator = open.sites[*site];
  accumulator.rtt.Record(sample->rtt);
  if (sample->kind == RttSample::Kind::kTimestamp) {
    ++accumulator.timestamp_samples;
  } else {
    ++accumulator.handshake_samples;
  }
  accumulator.touched = true;
}

PassiveInterval PassiveAnalyser::Finish(OpenInterval &open) const {
  PassiveInterval done{
      .start = open.start, .duration = options_.interval, .frames = open.frames, .sites = {}};
  for (std::size_t i = 0; i < open.sites.size(); ++i) {
    SiteAccumulator &accumulator = open.sites[i];
    if (!accumulator.touched) continue;
    SiteInterval site{.site = sites_.sites()[i],
                      .summary = {},
                      .timestamp_samples = accumulator.timestamp_samples,
                      .handshake_samples = accumulator.handshake_samples,
                      .to_site = accumulator.to_site,
                      .from_site = accumulator.from_site};
    site.summary.start = open.start;
    site.summary.duration = options_.interval;
    site.summary.timestamp_source =
        accumulator.rtt.Empty() ? stats::TimestampSource::kNone : stats::TimestampSource::kKernel;
    site.summary.rtt = std::move(accumulator.rtt);
    done.sites.push_back(std::move(site));
  }
  return done;
}

std::optional<PassiveInterval> PassiveAnalyser::CloseDue(SystemTime now) { return Advance(now); }

std::optional<PassiveInterval> PassiveAnalyser::CloseAll() {
  if (!open_) return std::nullopt;
  PassiveInterval done = Finish(*open_);
  open_.reset();
  return done;
}

}  // namespace linkmon::passive
