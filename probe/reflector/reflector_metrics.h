#pragma once

// The reflector's part of the probe's /metrics, read from its counters at scrape time:
//   linkmon_reflector_received_packets_total, linkmon_reflector_received_bytes_total,
//   linkmon_reflector_reflected_packets_total, linkmon_reflector_reflected_bytes_total,
//   linkmon_reflector_refused_packets_total{reason}, linkmon_reflector_send_errors_total,
//   linkmon_reflector_sessions, linkmon_reflector_sessions_evicted_total,
//   linkmon_reflector_sessions_expired_total, linkmon_reflector_sources_evicted_total,
//   linkmon_reflector_timestamp_source_info{source}.
// Every refusal reason is always present (0 until it happens), so alerts can use rate() on it
// from the start. Thread-safety: Collect() must run on the reflector's thread (or while it
// is stopped).

#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "probe/reflector/stamp_reflector.h"

namespace linkmon::reflector {

class ReflectorCollector : public prometheus::Collectable {
 public:
  // `reflector` must outlive the collector.
  explicit ReflectorCollector(const StampReflector& reflector) : reflector_(reflector) {}

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const StampReflector& reflector_;
};

}  // namespace linkmon::reflector
