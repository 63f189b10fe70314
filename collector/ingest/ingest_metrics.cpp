#include "collector/ingest/ingest_metrics.h"

namespace linkmon::ingest {

std::string_view RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kUnauthenticated:
      return "unauthenticated";
    case RejectReason::kTokenMismatch:
      return "token_mismatch";
    case RejectReason::kUnsupportedMedia:
      return "unsupported_media";
    case RejectReason::kBodyTooLarge:
      return "body_too_large";
    case RejectReason::kDecompressedTooLarge:
      return "decompressed_too_large";
    case RejectReason::kBadGzip:
      return "bad_gzip";
    case RejectReason::kMalformed:
      return "malformed";
    case RejectReason::kSchema:
      return "schema";
    case RejectReason::kUnsupportedVersion:
      return "unsupported_version";
    case RejectReason::kTooManySummaries:
      return "too_many_summaries";
    case RejectReason::kInconsistent:
      return "inconsistent";
    case RejectReason::kUnknownProbe:
      return "unknown_probe";
    case RejectReason::kUnknownPath:
      return "unknown_path";
    case RejectReason::kFutureTimestamp:
      return "future_timestamp";
    case RejectReason::kTooOld:
      return "too_old";
    case RejectReason::kStaleSequence:
      return "stale_sequence";
    case RejectReason::kStoreFailed:
      return "store_failed";
    case RejectReason::kCertificateMismatch:
      return "certificate_mismatch";
    case RejectReason::kQueueFull:
      return "queue_full";
    case RejectReason::kShuttingDown:
      return "shutting_down";
  }
  return "unknown";
}

namespace {

prometheus::Family<prometheus::Counter>& BatchesFamily(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("linkmon_ingest_batches_total")
      .Help("Batches acknowledged by POST /api/v1/ingest, applied now or found already stored")
      .Register(registry);
}

// Ingest latency is dominated by the fsync of the commit: 100 µs .. 10 s.
prometheus::Histogram::BucketBoundaries DurationBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0,  10.0};
}

}  // namespace

IngestMetrics::IngestMetrics(prometheus::Registry& registry)
    : applied_(BatchesFamily(registry).Add({{"outcome", "applied"}})),
      duplicate_(BatchesFamily(registry).Add({{"outcome", "duplicate"}})),
      summaries_(prometheus::BuildCounter()
                     .Name("linkmon_ingest_summaries_total")
                     .Help("Path interval summaries applied to the store")
                     .Register(registry)
                     .Add({})),
      duration_(prometheus::BuildHistogram()
                    .Name("linkmon_ingest_duration_seconds")
                    .Help("Time from receiving an ingest request to its acknowledgement, commit "
                          "and fsync included")
                    .Register(registry)
                    .Add({}, DurationBuckets())),
      store_bytes_(prometheus::BuildGauge()
                       .Name("linkmon_store_size_bytes")
                       .Help("Size of the collector's store on disk: database file plus WAL")
                       .Register(registry)
                       .Add({})) {
  auto& rejected = prometheus::BuildCounter()
                       .Name("linkmon_ingest_rejected_total")
                       .Help("Batches refused by POST /api/v1/ingest, by reason")
                       .Register(registry);
  for (std::size_t i = 0; i < kRejectReasonCount; ++i) {
    rejected_[i] =
        &rejected.Add({{"reason", std::string(RejectReasonName(static_cast<RejectReason>(i)))}});
  }
}

void IngestMetrics::Applied(std::size_t summaries, std::chrono::nanoseconds handling) {
  applied_.Increment();
  summaries_.Increment(static_cast<double>(summaries));
  duration_.Observe(std::chrono::duration<double>(handling).count());
}

void IngestMetrics::Duplicate(std::chrono::nanoseconds handling) {
  duplicate_.Increment();
  duration_.Observe(std::chrono::duration<double>(handling).count());
}

void IngestMetrics::Rejected(RejectReason reason) {
  rejected_[static_cast<std::size_t>(reason)]->Increment();
}

void IngestMetrics::StoreSize(std::uint64_t bytes) { store_bytes_.Set(static_cast<double>(bytes)); }

}  // namespace linkmon::ingest
