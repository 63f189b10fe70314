#pragma once

// PathStates: the collector's live state of every configured path: minutes and sliding windows,
// minute verdicts, error budgets, breach events. The one place ingest writes to and the API and
// /metrics read from.
//
// Time. Minutes are wall-clock minutes (an IntervalSummary is filed under the minute its start
// falls in). A minute closes when Tick sees the clock past its end plus `close_delay`, which leaves
// time for uploads in flight; closing judges it for every path (good, bad or unknown), feeds the
// error budget and the breach tracker, and refreshes the path's snapshot. Data for a minute that
// has already closed is late: it still enters the windows (so later windows are exact) but the
// verdict given stands, because verdicts are counted in /metrics counters and breach evidence.
//
// Restart. Restore takes back the stored SLA history (verdicts, breach trackers, closed breaches;
// sla_history.h), then Rebuild replays stored minutes (MinuteRecord) through the same Apply and
// close steps: the windows come back exactly, and minutes the history did not hold are judged as
// a live run would have. With History::kOn, every close also collects what the history store
// must write (TakeHistory).
//
// Paths are the config's (each probe site x target x method); data for any other path is refused,
// which bounds memory and metric cardinality to what the config declares.
//
// Thread-safety: not thread-safe. The collector calls it from its one io_context thread (ingest
// handlers, the minute timer, API and /metrics handlers all run there).

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "collector/sla/breach_tracker.h"
#include "collector/sla/sla_history.h"
#include "collector/sla/tracked_path.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"
#include "common/stats/interval_summary.h"
#include "common/units.h"
#include "config/config.h"

namespace linkmon::sla {

struct PathStatesOptions {
  // Sliding windows; whole minutes. The config's collector.windows.
  std::vector<std::chrono::nanoseconds> windows = {std::chrono::minutes(1), std::chrono::minutes(5),
                                                   std::chrono::hours(1)};
  // A minute is judged this long after its end, for uploads still in flight. Probes upload every
  // 10 s by default, so 20 s lets the last interval of a minute arrive on time.
  std::chrono::nanoseconds close_delay = std::chrono::seconds(20);
  // A path whose newest data ended longer ago than this is stale. Bandwidth-test paths
  // (Method::kThroughput), tested about hourly, get the longest window on top.
  std::chrono::nanoseconds stale_after = std::chrono::minutes(2);
  // Data stamped further ahead of the collector's clock is refused (a probe's clock is wrong).
  std::chrono::nanoseconds future_tolerance = std::chrono::minutes(1);
  // Closed breach events kept in memory, newest kept.
  std::size_t max_closed_breaches = 10'000;
  // kOn: minute closes collect a HistoryDelta for TakeHistory (the daemon drains it every tick).
  // kOff keeps nothing, for users without a store.
  enum class History { kOff, kOn };
  History history = History::kOff;
};

// One stored minute of one path, as the store returns it for a rebuild.
struct MinuteRecord {
  PathKey path;
  SystemTime minute_start;
  stats::IntervalSummary summary;
  std::optional<Bandwidth> throughput;  // lowest bandwidth-test result of the minute, if any
};

struct RebuildReport {
  std::size_t applied = 0;
  std::size_t skipped_unknown_path = 0;  // the config no longer has the path
  std::size_t skipped_too_old = 0;       // out of order beyond the windows' reach
};

struct ReconfigureReport {
  std::size_t kept = 0;          // paths in both configs
  std::size_t reclassified = 0;  // ... whose SLA class (name or contents) changed
  std::size_t added = 0;
  std::size_t removed = 0;
  std::size_t open_breaches_dropped = 0;  // open breaches of removed paths
};

class PathStates {
 public:
  enum class Applied { kOnTime, kLate };

  // Paths, classes and sites from `config`; the first minute closed is the one holding `clock`'s
  // present wall time. Fails (kInvalidArgument) on invalid windows or a dangling SLA class.
  static Result<std::unique_ptr<PathStates>> Create(const config::Config& config,
                                                    const Clock& clock, PathStatesOptions options);

  // Ingest: one interval summary of `path`. Errors: kInvalidArgument for an unknown path or a
  // summary covering no time; kOutOfRange for data from the future (beyond future_tolerance) or
  // older than the longest window reaches.
  Result<Applied> Apply(const PathKey& path, const stats::IntervalSummary& summary);
  // Ingest: the result of a bandwidth test on a Method::kThroughput path, measured at `at`.
  Result<Applied> ApplyThroughput(const PathKey& path, SystemTime at, Bandwidth achieved);

  // Closes every minute whose end + close_delay is at or before `now`. Call it every few seconds
  // (the collector's timer) and before reading state that must be current.
  void Tick(SystemTime now);

  // Replays stored minutes (any order; sorted here) and then closes minutes up to the clock's
  // present. Call once at start-up, before any Apply or Tick; fails (kInvalidArgument) otherwise.
  Result<RebuildReport> Rebuild(std::span<const MinuteRecord> records);
  // The same, streamed: `source` calls its visitor with every record, oldest minute first (as
  // store::SummaryStore::ForEachMinuteSince does), so a month of minutes is never held at once.
  // A failure of `source` ends the rebuild with its error (the state is then partial: the caller
  // should not serve it).
  using RecordVisitor = std::function<void(const MinuteRecord&)>;
  using RecordSource = std::function<Status(const RecordVisitor&)>;
  Result<RebuildReport> RebuildInOrder(const RecordSource& source);

  // Restart, before Rebuild/RebuildInOrder: verdicts (hence budgets and /metrics counters),
  // breach trackers (open and pending breaches) and the newest closed breaches as a store kept
  // them (sla_history.h). The replay that follows refills the windows but does not judge minutes
  // before stored.judged_through again: the stored verdict is the one /metrics counted, and a
  // breach goes on from its stored state, so nothing is counted twice. Later minutes (the
  // collector's downtime, the minutes since) are judged as usual. Paths the config no longer has
  // are skipped. Fails (kInvalidArgument) after any data, minute close or earlier Restore.
  Status Restore(const StoredHistory& stored);
  // As Restore, with the verdicts streamed from `verdicts` (grouped by path, each path's oldest
  // first, as StoredHistory::verdicts) instead of held: stored.verdicts is not read. A month of
  // changes of 10,000 paths is then never in memory at once. A failing source fails the restore
  // with its error, part of the verdicts recorded (the daemon then does not start).
  using VerdictVisitor = std::function<void(const VerdictChange&)>;
  using VerdictSource = std::function<Status(const VerdictVisitor&)>;
  Status Restore(const StoredHistory& stored, const VerdictSource& verdicts);
  // What minute closes produced since the last call; always empty with History::kOff.
  HistoryDelta TakeHistory() { return std::exchange(history_, HistoryDelta{}); }

  // A reloaded config (SIGHUP). Paths it still has keep everything (minutes, windows, verdicts,
  // budget, breaches) and take their class's new thresholds, SLO and hysteresis for the minutes
  // still to close; verdicts given stand. Paths it adds start empty (unknown until data); paths it
  // drops are forgotten with their open breach (as a restart with the new config would: the
  // rebuild skips them), in the history too (their verdict turns unknown); their closed breaches
  // stay. Sites, targets and classes are the new config's. The windows are not changed
  // (PathStatesOptions; a restart changes them).
  // Fails (kInvalidArgument, nothing changed) on a dangling SLA class.
  Result<ReconfigureReport> Reconfigure(const config::Config& config);

  // --- Reading
  // Every path, sorted by (source, target, method).
  const std::vector<TrackedPath>& paths() const { return paths_; }
  const TrackedPath* Find(const PathKey& path) const;
  // Paths whose source is `source`: a sub-range of paths().
  std::span<const TrackedPath> PathsFrom(const SiteName& source) const;
  bool KnowsSite(std::string_view site) const;
  bool KnowsTarget(std::string_view target) const;
  const config::SlaClass* FindSlaClass(std::string_view name) const;
  std::chrono::nanoseconds StaleAfter(const TrackedPath& path) const;
  PathState StateAt(const TrackedPath& path, SystemTime now) const {
    return path.StateAt(now, StaleAfter(path));
  }

  // Breach events (closed and open) overlapping [query.from, query.to), oldest start first.
  std::vector<BreachEvent> BreachesBetween(const BreachQuery& query) const;

  // Changes whenever a minute closes or a rebuild ran: readers cache on it.
  std::uint64_t version() const { return version_; }
  // The start of the next minute to close: every minute before it is judged.
  SystemTime next_minute_to_close() const { return next_to_close_; }
  const PathStatesOptions& options() const { return options_; }
  const Clock& clock() const { return clock_; }

 private:
  PathStates(const Clock& clock, PathStatesOptions options);
  TrackedPath* FindMutable(const PathKey& path);
  // kOutOfRange for a minute from the future or beyond the longest window's reach.
  Status CheckMinute(const TrackedPath& path, SystemTime minute) const;
  Result<Applied> AddMinute(TrackedPath& path, SystemTime minute, SystemTime data_end,
                            const windows::MinuteStats& stats);
  void CloseThrough(SystemTime last_minute);
  void ClosePath(TrackedPath& path, SystemTime first, SystemTime last);
  // The judgement of `minute` from the path's windows (unknown without its own data).
  Judgement JudgeMinute(const TrackedPath& path, SystemTime minute) const;
  void RecordVerdict(TrackedPath& path, SystemTime first, Verdict verdict, std::int64_t count);
  bool Recording() const { return options_.history == PathStatesOptions::History::kOn; }
  // A path no longer configured: its stored verdict turns unknown from `from` (default: the next
  // minute to close).
  void ForgetInHistory(const PathKey& path, std::optional<Verdict> last_verdict,
                       std::optional<SystemTime> from = std::nullopt);
  // The newest minute that may close at `now`.
  SystemTime LastClosable(SystemTime now) const;

  const Clock& clock_;
  PathStatesOptions options_;
  std::vector<TrackedPath> paths_;
  std::unordered_map<PathKey, std::size_t, PathKeyHash> index_;
  std::set<std::string, std::less<>> sites_;
  std::set<std::string, std::less<>> targets_;
  std::vector<config::SlaClass> sla_classes_;
  std::deque<BreachEvent> closed_breaches_;  // by close time
  SystemTime next_to_close_;
  bool started_ = false;  // a minute closed or data arrived: too late to rebuild
  // Minutes before it were judged before a restart (Restore): the replay does not judge them.
  std::optional<SystemTime> restored_through_;
  HistoryDelta history_;
  std::uint64_t version_ = 0;
};

}  // namespace linkmon::sla
