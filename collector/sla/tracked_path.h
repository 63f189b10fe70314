#pragma once

// TrackedPath: everything the collector knows about one path, as PathStates keeps it: its recent
// minutes, its error budget and breach tracker, and the snapshot the API and /metrics read (the
// windows and judgement as of the newest closed minute, updated when a minute closes, so that
// readers serialize without merging anything).
//
// PathState, the one-word state the API and /metrics show, is decided at read time because
// staleness depends on the reader's clock:
// - unknown: no data since the collector started (or since the minutes it rebuilt from);
// - stale:   the newest data ended longer ago than the path's staleness limit: whatever the last
//            verdict was, it is not claimed any more (a silent path never stays green);
// - breach:  a breach event is open;
// - bad:     the newest closed minute was bad, but not (yet) long enough to open a breach;
// - ok:      the newest closed minute was good;
// a fresh path whose newest closed minute could not be judged is `unknown` too.

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "collector/sla/breach_tracker.h"
#include "collector/sla/error_budget.h"
#include "collector/sla/threshold_judgement.h"
#include "collector/windows/path_windows.h"
#include "collector/windows/window_stats.h"
#include "common/ids.h"
#include "config/config.h"

namespace linkmon::sla {

enum class PathState { kOk, kBad, kBreach, kStale, kUnknown };
std::string_view PathStateName(PathState state);  // "ok", "bad", "breach", "stale", "unknown"

struct TrackedPath {
  TrackedPath(PathKey path_key, config::SlaClass path_class,
              std::vector<std::chrono::nanoseconds> window_lengths);

  PathKey key;
  config::SlaClass sla_class;
  windows::PathWindows minutes;
  ErrorBudget budget;
  BreachTracker breaches;

  // Snapshot as of the newest closed minute (empty before the first close).
  std::vector<windows::WindowStats> windows;
  Judgement judgement;
  // The verdict of the newest closed minute (what a stored verdict change is compared with).
  std::optional<Verdict> last_verdict;
  // End of the newest measurement received (its interval's end, never later than its arrival).
  std::optional<SystemTime> last_data_end;

  // Data age at `now`; nullopt without data. Never negative.
  std::optional<std::chrono::nanoseconds> DataAge(SystemTime now) const;
  PathState StateAt(SystemTime now, std::chrono::nanoseconds stale_after) const;
};

}  // namespace linkmon::sla
