#pragma once

// Realistic batches for tests and benchmarks of the batch codec, the collector's ingest and store:
// summaries shaped as IntervalRecorder fills them (one 10 s interval, 1 probe a second, RTTs
// around a path's base delay with jitter, one loss, IPDV of consecutive replies, one-way delays
// on STAMP paths). Deterministic: the same arguments give the same batch.

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include "common/batch/batch.h"
#include "common/ids.h"

namespace linkmon::batch::testing {

// 2026-11-23T12:00:00Z, a whole minute.
inline SystemTime ExampleTime() {
  return SystemTime(
      std::chrono::duration_cast<SystemTime::duration>(std::chrono::seconds(1795435200)));
}

// One interval of `target` measured by `method`, starting at `start`.
inline PathSummary ExampleSummary(
    const SiteName& probe, const std::string& target, Method method, SystemTime start,
    std::uint32_t seed, std::chrono::nanoseconds base_rtt = std::chrono::milliseconds(12)) {
  using std::chrono::nanoseconds;
  std::mt19937 random(seed);
  std::uniform_int_distribution<std::int64_t> jitter_ns(0, 400'000);
  stats::IntervalSummary s;
  s.start = start;
  s.duration = std::chrono::seconds(10);
  s.timestamp_source = stats::TimestampSource::kKernel;
  s.counts.sent = 10;
  s.counts.received = 9;
  s.counts.lost = 1;
  std::optional<nanoseconds> previous;
  for (int i = 0; i < 9; ++i) {
    const nanoseconds rtt = base_rtt + nanoseconds(jitter_ns(random));
    s.rtt.Record(rtt);
    if (previous) {
      const nanoseconds ipdv = rtt - *previous;
      s.ipdv_magnitude.Record(ipdv < nanoseconds(0) ? -ipdv : ipdv);
      s.ipdv_min = s.ipdv_min ? std::min(*s.ipdv_min, ipdv) : ipdv;
      s.ipdv_max = s.ipdv_max ? std::max(*s.ipdv_max, ipdv) : ipdv;
    }
    previous = rtt;
    if (method == Method::kStamp) {
      s.forward_delay.Record(rtt / 2 + nanoseconds(1000));
      s.reverse_delay.Record(rtt / 2 - nanoseconds(1000));
    }
  }
  s.rfc3550_jitter = nanoseconds(jitter_ns(random) / 4);
  return PathSummary{
      .path =
          PathKey{.source = probe, .target = TargetName::Make(target).value(), .method = method},
      .summary = std::move(s),
      .throughput = std::nullopt};
}

// A batch of `paths` summaries (targets "hub-0", "hub-1", ...; ICMP and STAMP alternating), all of
// the interval starting at `start`.
inline Batch ExampleBatch(const std::string& probe, std::uint64_t sequence, std::size_t paths,
                          SystemTime start = ExampleTime()) {
  const SiteName site = SiteName::Make(probe).value();
  Batch batch{.probe = site,
              .probe_start = start - std::chrono::hours(1),
              .sequence = sequence,
              .created = start + std::chrono::seconds(10),
              .summaries = {}};
  for (std::size_t i = 0; i < paths; ++i) {
    const Method method = i % 2 == 0 ? Method::kIcmp : Method::kStamp;
    batch.summaries.push_back(ExampleSummary(site, "hub-" + std::to_string(i / 2), method, start,
                                             static_cast<std::uint32_t>(sequence * 1000 + i)));
  }
  return batch;
}

}  // namespace linkmon::batch::testing
