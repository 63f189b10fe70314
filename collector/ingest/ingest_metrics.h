#pragma once

// The collector's own ingest health, for Prometheus:
//   linkmon_ingest_batches_total{outcome="applied"|"duplicate"}   acknowledged batches
//   linkmon_ingest_summaries_total                                 path summaries applied
//   linkmon_ingest_rejected_total{reason}                          refused batches, by reason
//   linkmon_ingest_duration_seconds                                handling time of acknowledged
//                                                                  batches, decode to commit
//                                                                  (the fsync included)
//   linkmon_store_size_bytes                                       database file plus WAL
// Label values are the bounded sets below, never input.
//
// Thread-safety: prometheus-cpp metrics are thread-safe; this class adds no state of its own.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <string_view>

namespace linkmon::ingest {

// Why a batch was refused: the `reason` label, one per distinct answer.
enum class RejectReason {
  kUnauthenticated,       // 401: no or unknown bearer token
  kTokenMismatch,         // 403: the batch's probe is not the token's site
  kUnsupportedMedia,      // 415: Content-Type not JSON, or Content-Encoding not gzip/identity
  kBodyTooLarge,          // 413: on the wire
  kDecompressedTooLarge,  // 413: after gzip
  kBadGzip,               // 400: not a valid gzip stream
  kMalformed,             // 400: not JSON, or nested too deep
  kSchema,                // 400: wrong types, missing/unknown keys, invalid names or values
  kUnsupportedVersion,    // 400: format or version unknown
  kTooManySummaries,      // 413
  kInconsistent,          // 422: corrupt histogram, counts that contradict each other
  kUnknownProbe,          // 422: probe not in the config
  kUnknownPath,           // 422: target/method not configured for the probe
  kFutureTimestamp,       // 422: beyond now + allowed clock skew
  kTooOld,                // 422: older than the retention
  kStaleSequence,         // 409: sequence far below the highest of its epoch
  kStoreFailed,           // 503 (kIo) or 422 (a merge would overflow): nothing stored
  kCertificateMismatch,   // 403: mutual TLS, and the client certificate does not name the probe
  kQueueFull,             // 503 + Retry-After: the store writer's queue is full
  kShuttingDown,          // 503 + Retry-After: the collector is draining for a stop
};

inline constexpr std::size_t kRejectReasonCount = 20;

std::string_view RejectReasonName(RejectReason reason);  // "unauthenticated", ...

class IngestMetrics {
 public:
  explicit IngestMetrics(prometheus::Registry& registry);

  void Applied(std::size_t summaries, std::chrono::nanoseconds handling);
  void Duplicate(std::chrono::nanoseconds handling);
  void Rejected(RejectReason reason);
  void StoreSize(std::uint64_t bytes);

 private:
  prometheus::Counter& applied_;
  prometheus::Counter& duplicate_;
  prometheus::Counter& summaries_;
  std::array<prometheus::Counter*, kRejectReasonCount> rejected_{};
  prometheus::Histogram& duration_;
  prometheus::Gauge& store_bytes_;
};

}  // namespace linkmon::ingest
