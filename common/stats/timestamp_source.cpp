#include "common/stats/timestamp_source.h"

namespace linkmon::stats {

std::string_view TimestampSourceName(TimestampSource source) {
  switch (source) {
    case TimestampSource::kNone:
      return "none";
    case TimestampSource::kUserspace:
      return "userspace";
    case TimestampSource::kKernel:
      return "kernel";
    case TimestampSource::kMixed:
      return "mixed";
  }
  return "unknown";
}

std::optional<TimestampSource> ParseTimestampSource(std::string_view name) {
  for (TimestampSource source : {TimestampSource::kNone, TimestampSource::kUserspace,
                                 TimestampSource::kKernel, TimestampSource::kMixed}) {
    if (TimestampSourceName(source) == name) return source;
  }
  return std::nullopt;
}

TimestampSource CombineTimestampSources(TimestampSource a, TimestampSource b) {
  if (a == TimestampSource::kNone) return b;
  if (b == TimestampSource::kNone || a == b) return a;
  return TimestampSource::kMixed;
}

}  // namespace linkmon::stats
