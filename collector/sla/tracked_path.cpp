#include "collector/sla/tracked_path.h"

#include <algorithm>

namespace linkmon::sla {

std::string_view PathStateName(PathState state) {
  switch (state) {
    case PathState::kOk: return "ok";
    case PathState::kBad: return "bad";
    case PathState::kBreach: return "breach";
    case PathState::kStale: return "stale";
    case PathState::kUnknown: return "unknown";
  }
  return "unknown";
}

TrackedPath::TrackedPath(PathKey path_key, config::SlaClass path_class,
                         std::vector<std::chrono::nanoseconds> window_lengths)
    : key(std::move(path_key)),
      sla_class(std::move(path_class)),
      minutes(std::move(window_lengths)),
      budget(sla_class.slo),
      breaches(key, sla_class.name, sla_class.breach) {}

std::optional<std::chrono::nanoseconds> TrackedPath::DataAge(SystemTime now) const {
  if (!last_data_end) return std::nullopt;
  return std::max(std::chrono::nanoseconds(0),
                  std::chrono::duration_cast<std::chrono::nanoseconds>(now - *last_data_end));
}

PathState TrackedPath::StateAt(SystemTime now, std::chrono::nanoseconds stale_after) const {
  const auto age = DataAge(now);
  if (!age) return PathState::kUnknown;
  if (*age > stale_after) return PathState::kStale;
  if (breaches.open() != nullptr) return PathState::kBreach;
  switch (judgement.verdict) {
    case Verdict::kGood: return PathState::kOk;
    case Verdict::kBad: return PathState::kBad;
    case Verdict::kUnknown: return PathState::kUnknown;
  }
  return PathState::kUnknown;
}

}  // namespace linkmon::sla
