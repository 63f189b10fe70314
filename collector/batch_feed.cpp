#include "collector/batch_feed.h"

namespace linkmon::collector {

FeedResult FeedBatch(sla::PathStates& states, const batch::Batch& batch) {
  FeedResult result;
  auto count = [&](const Result<sla::PathStates::Applied>& applied) {
    if (!applied) {
      if (result.refused++ == 0) result.first_refusal = applied.error().message;
    } else if (*applied == sla::PathStates::Applied::kLate) {
      ++result.late;
    } else {
      ++result.on_time;
    }
  };
  for (const batch::PathSummary& entry : batch.summaries) {
    // A bandwidth-test interval may carry no probes (duration 0): only its result counts then.
    if (entry.summary.duration > std::chrono::nanoseconds(0)) {
      count(states.Apply(entry.path, entry.summary));
    }
    if (entry.throughput && entry.path.method == Method::kThroughput) {
      count(states.ApplyThroughput(entry.path, entry.summary.start, *entry.throughput));
    }
  }
  return result;
}

}  // namespace linkmon::collector
