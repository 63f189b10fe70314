#pragma once

// What PathStates hands to a durable store as minutes close, and what it takes back at a
// restart (history/history_store.h stores it in the collector's SQLite file). PathStates itself
// does no I/O: the daemon drains a HistoryDelta after every minute close and writes it in one
// transaction, and reads a StoredHistory before the start-up replay.
//
// Verdicts are kept as changes: a path's verdict holds from a change's minute up to its next
// change, and its last change holds up to `judged_through`. A path good all month is one row.

#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "collector/sla/breach_tracker.h"
#include "collector/sla/threshold_judgement.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"

namespace linkmon::sla {

struct VerdictChange {
  PathKey path;
  SystemTime minute;  // start of the first minute with this verdict
  Verdict verdict;
  bool operator==(const VerdictChange&) const = default;
};

struct TrackerUpdate {
  PathKey path;
  BreachTrackerState state;  // the tracker's state after the newest closed minute
  bool operator==(const TrackerUpdate&) const = default;
};

// Produced by closing minutes since the last PathStates::TakeHistory, oldest first.
struct HistoryDelta {
  std::vector<VerdictChange> verdict_changes;
  std::vector<BreachEvent> closed;      // breaches closed, with their end
  std::vector<TrackerUpdate> trackers;  // a path may appear more than once: the last one counts
  std::optional<SystemTime> judged_through;  // every minute starting before it is judged
  bool empty() const {
    return verdict_changes.empty() && closed.empty() && trackers.empty() && !judged_through;
  }
  // Appends what came after this delta (to retry a delta that failed to be stored with the next).
  void Append(HistoryDelta&& later) {
    auto move_all = [](auto& into, auto& from) {
      into.insert(into.end(), std::make_move_iterator(from.begin()),
                  std::make_move_iterator(from.end()));
    };
    move_all(verdict_changes, later.verdict_changes);
    move_all(closed, later.closed);
    move_all(trackers, later.trackers);
    if (later.judged_through) judged_through = later.judged_through;
  }
};

// What a store gives back at start-up.
struct StoredHistory {
  // Absent when nothing was stored: the replay then judges every replayed minute.
  std::optional<SystemTime> judged_through;
  std::vector<VerdictChange> verdicts;  // grouped by path, each path's oldest first
  std::vector<TrackerUpdate> trackers;  // the pending or open breach of a path, if any
  std::vector<BreachEvent> closed;      // the newest closed breaches, oldest start first
};

// Filters of a breach lookup; absent means any.
struct BreachQuery {
  SystemTime from;
  SystemTime to;
  std::optional<SiteName> source;
  std::optional<TargetName> target;
};

// Where breaches come from once they left PathStates' memory: closed breaches of any age within
// the retention (the daemon's history store; tests may fake it).
class BreachArchive {
 public:
  virtual ~BreachArchive() = default;
  // Closed breaches overlapping [query.from, query.to), in (start, id) order, strictly after
  // `after` when given, at most `limit`.
  struct Position {
    SystemTime start;
    std::string id;
  };
  virtual Result<std::vector<BreachEvent>> ClosedBreaches(const BreachQuery& query,
                                                          const std::optional<Position>& after,
                                                          std::size_t limit) = 0;
};

}  // namespace linkmon::sla
