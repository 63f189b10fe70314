#include "collector/store/minute_record.h"

#include <algorithm>

namespace linkmon::store {

SystemTime MinuteOf(SystemTime time) { return std::chrono::floor<std::chrono::minutes>(time); }

Status MergeInto(MinuteRecord& record, const stats::IntervalSummary& summary,
                 std::optional<Bandwidth> throughput) {
  if (auto merged = record.summary.Merge(summary); !merged) return merged;
  if (throughput) {
    record.throughput = record.throughput ? std::min(*record.throughput, *throughput) : *throughput;
  }
  return {};
}

}  // namespace linkmon::store
