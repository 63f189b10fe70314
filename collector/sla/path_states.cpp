#include "collector/sla/path_states.h"

#include <algorithm>
#include <numeric>

namespace linkmon::sla {

namespace {

using windows::kMinute;
using windows::MinuteStart;
using windows::MinuteStats;

template <typename T>
bool SameThreshold(const std::optional<config::Threshold<T>>& a,
                   const std::optional<config::Threshold<T>>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->limit == b->limit && a->window == b->window);
}

// config::SlaClass has no operator== (config.h is plain data without comparisons).
bool SameClass(const config::SlaClass& a, const config::SlaClass& b) {
  return a.name == b.name && SameThreshold(a.rtt_p50, b.rtt_p50) &&
         SameThreshold(a.rtt_p95, b.rtt_p95) && SameThreshold(a.rtt_p99, b.rtt_p99) &&
         SameThreshold(a.jitter, b.jitter) && SameThreshold(a.loss, b.loss) &&
         SameThreshold(a.min_bandwidth, b.min_bandwidth) && a.slo.objective == b.slo.objective &&
         a.slo.period == b.slo.period &&
         a.breach.open_after_bad_minutes == b.breach.open_after_bad_minutes &&
         a.breach.close_after_good_minutes == b.breach.close_after_good_minutes;
}

// Every configured path with its class, or the first dangling class.
Result<std::vector<std::pair<PathKey, const config::SlaClass*>>> ConfiguredPaths(
    const config::Config& config) {
  std::vector<std::pair<PathKey, const config::SlaClass*>> paths;
  std::set<PathKey> seen;
  for (const auto& probe : config.probes) {
    for (const auto& target : probe.targets) {
      const config::SlaClass* sla_class = config.FindSlaClass(target.sla_class);
      if (sla_class == nullptr) {
        return MakeError(ErrorCode::kInvalidArgument, "path states: target " + target.name.str() +
                                                          " of probe " + probe.site.str() +
                                                          " names unknown SLA class " +
                                                          target.sla_class.str());
      }
      for (Method method : target.methods) {
        PathKey key{probe.site, target.name, method};
        if (seen.insert(key).second) paths.emplace_back(std::move(key), sla_class);
      }
    }
  }
  return paths;
}

}  // namespace

PathStates::PathStates(const Clock& clock, PathStatesOptions options)
    : clock_(clock), options_(std::move(options)), next_to_close_(MinuteStart(clock.SystemNow())) {
  std::sort(options_.windows.begin(), options_.windows.end());
}

Result<std::unique_ptr<PathStates>> PathStates::Create(const config::Config& config,
                                                       const Clock& clock,
                                                       PathStatesOptions options) {
  if (auto valid = windows::PathWindows::ValidateWindows(options.windows); !valid) {
    return tl::unexpected(valid.error());
  }
  std::unique_ptr<PathStates> states(new PathStates(clock, std::move(options)));
  if (auto set = states->Reconfigure(config); !set) return tl::unexpected(set.error());
  return states;
}

Result<ReconfigureReport> PathStates::Reconfigure(const config::Config& config) {
  auto configured = ConfiguredPaths(config);
  if (!configured) return tl::unexpected(configured.error());
  ReconfigureReport report;
  std::set<PathKey> wanted;
  for (const auto& entry : *configured) wanted.insert(entry.first);
  for (const TrackedPath& path : paths_) {
    if (wanted.contains(path.key)) continue;
    ++report.removed;
    if (path.breaches.open() != nullptr) ++report.open_breaches_dropped;
    ForgetInHistory(path.key, path.last_verdict);
    if (Recording() && !(path.breaches.State() == BreachTrackerState{})) {
      history_.trackers.push_back(TrackerUpdate{path.key, {}});  // its breach is dropped
    }
  }
  std::vector<TrackedPath> paths;
  paths.reserve(configured->size());
  for (auto& [key, sla_class] : *configured) {
    TrackedPath* old = FindMutable(key);
    if (old == nullptr) {
      paths.emplace_back(key, *sla_class, options_.windows);
      ++report.added;
      continue;
    }
    ++report.kept;
    if (!SameClass(old->sla_class, *sla_class)) {
      ++report.reclassified;
      old->sla_class = *sla_class;
      old->budget.SetSlo(sla_class->slo);
      old->breaches.Reclassify(sla_class->name, sla_class->breach);
    }
    paths.push_back(std::move(*old));
  }
  std::sort(paths.begin(), paths.end(),
            [](const TrackedPath& a, const TrackedPath& b) { return a.key < b.key; });
  paths_ = std::move(paths);
  index_.clear();
  for (std::size_t i = 0; i < paths_.size(); ++i) index_.emplace(paths_[i].key, i);

  sla_classes_ = config.sla_classes;
  sites_.clear();
  targets_.clear();
  for (const auto& site : config.sites) sites_.insert(site.name.str());
  for (const auto& probe : config.probes) {
    sites_.insert(probe.site.str());
    for (const auto& target : probe.targets) targets_.insert(target.name.str());
  }
  ++version_;
  return report;
}

TrackedPath* PathStates::FindMutable(const PathKey& path) {
  auto it = index_.find(path);
  return it == index_.end() ? nullptr : &paths_[it->second];
}

const TrackedPath* PathStates::Find(const PathKey& path) const {
  auto it = index_.find(path);
  return it == index_.end() ? nullptr : &paths_[it->second];
}

std::span<const TrackedPath> PathStates::PathsFrom(const SiteName& source) const {
  auto begin =
      std::lower_bound(paths_.begin(), paths_.end(), source,
                       [](const TrackedPath& p, const SiteName& s) { return p.key.source < s; });
  auto end =
      std::upper_bound(begin, paths_.end(), source,
                       [](const SiteName& s, const TrackedPath& p) { return s < p.key.source; });
  return {begin, end};
}

bool PathStates::KnowsSite(std::string_view site) const { return sites_.contains(site); }
bool PathStates::KnowsTarget(std::string_view target) const { return targets_.contains(target); }

const config::SlaClass* PathStates::FindSlaClass(std::string_view name) const {
  for (const auto& sla_class : sla_classes_) {
    if (sla_class.name.str() == name) return &sla_class;
  }
  return nullptr;
}

std::chrono::nanoseconds PathStates::StaleAfter(const TrackedPath& path) const {
  if (path.key.method == Method::kThroughput) {
    return options_.stale_after + options_.windows.back();
  }
  return options_.stale_after;
}

Result<PathStates::Applied> PathStates::Apply(const PathKey& path,
                                              const stats::IntervalSummary& summary) {
  TrackedPath* tracked = FindMutable(path);
  if (tracked == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "path states: unknown path " + path.ToString() + " (not in the config)");
  }
  if (summary.duration <= std::chrono::nanoseconds(0)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "path states: summary of " + path.ToString() + " covers no time");
  }
  // Refused data costs no copy of its histograms (a probe replaying an old spool sends many).
  const SystemTime minute = MinuteStart(summary.start);
  if (auto checked = CheckMinute(*tracked, minute); !checked) {
    return tl::unexpected(checked.error());
  }
  return AddMinute(*tracked, minute, summary.start + summary.duration,
                   MinuteStats::FromSummary(summary));
}

Result<PathStates::Applied> PathStates::ApplyThroughput(const PathKey& path, SystemTime at,
                                                        Bandwidth achieved) {
  TrackedPath* tracked = FindMutable(path);
  if (tracked == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "path states: unknown path " + path.ToString() + " (not in the config)");
  }
  if (path.method != Method::kThroughput) {
    return MakeError(ErrorCode::kInvalidArgument, "path states: bandwidth result for " +
                                                      path.ToString() +
                                                      ", which is not a throughput path");
  }
  return AddMinute(*tracked, MinuteStart(at), at, MinuteStats::FromThroughput(achieved));
}

Status PathStates::CheckMinute(const TrackedPath& path, SystemTime minute) const {
  if (minute > clock_.SystemNow() + options_.future_tolerance) {
    return MakeError(ErrorCode::kOutOfRange,
                     "path states: data for " + path.key.ToString() +
                         " is stamped in the future (probe clock ahead of the collector's?)");
  }
  if (minute <= next_to_close_ - options_.windows.back()) {
    return MakeError(ErrorCode::kOutOfRange, "path states: data for " + path.key.ToString() +
                                                 " is older than the longest window reaches");
  }
  return {};
}

Result<PathStates::Applied> PathStates::AddMinute(TrackedPath& path, SystemTime minute,
                                                  SystemTime data_end, const MinuteStats& stats) {
  const SystemTime now = clock_.SystemNow();
  if (auto checked = CheckMinute(path, minute); !checked) return tl::unexpected(checked.error());
  if (auto added = path.minutes.Add(minute, stats); !added) return tl::unexpected(added.error());
  started_ = true;
  const SystemTime end = std::min(data_end, now);
  if (!path.last_data_end || end > *path.last_data_end) path.last_data_end = end;
  return minute < next_to_close_ ? Applied::kLate : Applied::kOnTime;
}

SystemTime PathStates::LastClosable(SystemTime now) const {
  // Minute M may close when M + 1 min + close_delay <= now.
  return MinuteStart(now - options_.close_delay) - kMinute;
}

void PathStates::Tick(SystemTime now) { CloseThrough(LastClosable(now)); }

void PathStates::CloseThrough(SystemTime last_minute) {
  if (last_minute < next_to_close_) return;
  started_ = true;
  for (TrackedPath& path : paths_) ClosePath(path, next_to_close_, last_minute);
  next_to_close_ = last_minute + kMinute;
  if (Recording()) history_.judged_through = next_to_close_;
  ++version_;
}

Judgement PathStates::JudgeMinute(const TrackedPath& path, SystemTime minute) const {
  // A probed path is judged only in minutes that hold its own data: windows reaching back into
  // older minutes must not keep a silent path green. A bandwidth-test path is tested about
  // hourly, so it is judged whenever its threshold's window holds a test.
  const MinuteStats* own = path.minutes.Find(minute);
  if (path.key.method != Method::kThroughput && (own == nullptr || !own->HasData())) return {};
  const auto windows = path.minutes.Compute(minute);
  return JudgeWindows(path.sla_class, path.key.method, windows);
}

void PathStates::RecordVerdict(TrackedPath& path, SystemTime first, Verdict verdict,
                               std::int64_t count) {
  path.budget.Record(first, verdict, count);
  if (path.last_verdict == verdict) return;
  path.last_verdict = verdict;
  if (Recording()) history_.verdict_changes.push_back(VerdictChange{path.key, first, verdict});
}

void PathStates::ClosePath(TrackedPath& path, SystemTime first, SystemTime last) {
  SystemTime minute = first;
  if (restored_through_ && minute < *restored_through_) {
    // Judged before the restart: verdict, budget and breach state came from the store. The
    // replayed minutes only refill the windows; the snapshot is judged for the reader.
    minute = std::min(*restored_through_, last + kMinute);
    if (minute > last) {
      path.judgement = path.minutes.AnyDataBetween(last - path.minutes.longest() + kMinute, last)
                           ? JudgeMinute(path, last)
                           : Judgement{};
    }
  }
  while (minute <= last) {
    // Nothing in any window ending here: every minute up to the next data is unknown. Recording
    // them as one run keeps a long silence (or a collector down for a day) cheap to close.
    if (!path.minutes.AnyDataBetween(minute - path.minutes.longest() + kMinute, minute)) {
      const SystemTime stop =
          std::min(path.minutes.NextDataMinute(minute).value_or(last + kMinute), last + kMinute);
      RecordVerdict(path, minute, Verdict::kUnknown, (stop - minute) / kMinute);
      path.breaches.OnUnknownMinutes();
      path.judgement = Judgement{};
      minute = stop;
      continue;
    }
    Judgement judgement = JudgeMinute(path, minute);
    RecordVerdict(path, minute, judgement.verdict, 1);
    std::optional<BreachEvent> closed;
    path.breaches.OnMinute(minute, judgement, &closed);
    if (closed) {
      if (Recording()) history_.closed.push_back(*closed);
      closed_breaches_.push_back(std::move(*closed));
      while (closed_breaches_.size() > options_.max_closed_breaches) closed_breaches_.pop_front();
    }
    path.judgement = std::move(judgement);
    minute += kMinute;
  }
  if (path.breaches.TakeChanged() && Recording()) {
    history_.trackers.push_back(TrackerUpdate{path.key, path.breaches.State()});
  }
  path.windows = path.minutes.Compute(last);
  path.minutes.Trim(last);
}

void PathStates::ForgetInHistory(const PathKey& path, std::optional<Verdict> last_verdict,
                                 std::optional<SystemTime> from) {
  // Its stored verdict would otherwise hold on until judged_through (and over the gap, should
  // the path be configured again).
  if (Recording() && last_verdict && *last_verdict != Verdict::kUnknown) {
    history_.verdict_changes.push_back(
        VerdictChange{path, from.value_or(next_to_close_), Verdict::kUnknown});
  }
}

Status PathStates::Restore(const StoredHistory& stored) {
  return Restore(stored, [&](const VerdictVisitor& visit) -> Status {
    for (const VerdictChange& change : stored.verdicts) visit(change);
    return {};
  });
}

Status PathStates::Restore(const StoredHistory& stored, const VerdictSource& verdicts) {
  if (started_ || restored_through_) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "path states: restore must come once, before any data or minute close");
  }
  if (!stored.judged_through) return {};
  const SystemTime through = MinuteStart(*stored.judged_through);
  // A change holds up to the next change of its path, so each is recorded when the next one
  // arrives (or the stream ends): one change is held, never the whole stream.
  std::optional<VerdictChange> held;
  const auto record = [&](const VerdictChange& change, const VerdictChange* next) {
    const bool next_is_same_path = next != nullptr && next->path == change.path;
    TrackedPath* tracked = FindMutable(change.path);
    if (tracked == nullptr) {
      if (!next_is_same_path) ForgetInHistory(change.path, change.verdict, through);
      return;
    }
    const SystemTime end = std::min(through, next_is_same_path ? next->minute : through);
    if (end <= change.minute) return;
    tracked->budget.Record(change.minute, change.verdict, (end - change.minute) / kMinute);
    tracked->last_verdict = change.verdict;
  };
  Status read = verdicts([&](const VerdictChange& change) {
    if (held) record(*held, &change);
    held = change;
  });
  if (!read) return read;
  if (held) record(*held, nullptr);
  for (const TrackerUpdate& update : stored.trackers) {
    if (TrackedPath* tracked = FindMutable(update.path)) {
      tracked->breaches.Restore(update.state);
    } else if (Recording()) {
      history_.trackers.push_back(TrackerUpdate{update.path, {}});  // its breach is dropped
    }
  }
  closed_breaches_.assign(stored.closed.begin(), stored.closed.end());
  while (closed_breaches_.size() > options_.max_closed_breaches) closed_breaches_.pop_front();
  restored_through_ = through;
  // The minutes from the last stored one to now (the downtime) are judged by the next close.
  next_to_close_ = std::min(next_to_close_, through);
  ++version_;
  return {};
}

Result<RebuildReport> PathStates::Rebuild(std::span<const MinuteRecord> records) {
  std::vector<std::size_t> order(records.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return records[a].minute_start < records[b].minute_start;
  });
  return RebuildInOrder([&](const RecordVisitor& visit) -> Status {
    for (std::size_t i : order) visit(records[i]);
    return {};
  });
}

Result<RebuildReport> PathStates::RebuildInOrder(const RecordSource& source) {
  if (started_) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "path states: rebuild must come before any data or minute close");
  }
  RebuildReport report;
  bool first = true;
  const SystemTime last_closable = LastClosable(clock_.SystemNow());
  Status read = source([&](const MinuteRecord& record) {
    const SystemTime minute = MinuteStart(record.minute_start);
    if (first) {
      next_to_close_ = std::min(next_to_close_, minute);
      first = false;
    }
    CloseThrough(std::min(minute - kMinute, last_closable));
    TrackedPath* tracked = FindMutable(record.path);
    if (tracked == nullptr) {
      ++report.skipped_unknown_path;
      return;
    }
    MinuteStats stats = MinuteStats::FromSummary(record.summary);
    stats.throughput = record.throughput;
    const SystemTime data_end = record.summary.duration > std::chrono::nanoseconds(0)
                                    ? record.summary.start + record.summary.duration
                                    : minute + kMinute;
    if (AddMinute(*tracked, minute, data_end, stats)) {
      ++report.applied;
    } else {
      ++report.skipped_too_old;
    }
  });
  started_ = true;
  if (!read) return tl::unexpected(read.error());
  CloseThrough(last_closable);
  ++version_;
  return report;
}

std::vector<BreachEvent> PathStates::BreachesBetween(const BreachQuery& query) const {
  std::vector<BreachEvent> result;
  auto matches = [&](const BreachEvent& event) {
    if (query.source && event.path.source != *query.source) return false;
    if (query.target && event.path.target != *query.target) return false;
    const SystemTime end = event.end.value_or(SystemTime::max());
    return event.start < query.to && end > query.from;
  };
  for (const BreachEvent& event : closed_breaches_) {
    if (matches(event)) result.push_back(event);
  }
  for (const TrackedPath& path : paths_) {
    if (const BreachEvent* open = path.breaches.open(); open != nullptr && matches(*open)) {
      result.push_back(*open);
    }
  }
  std::stable_sort(result.begin(), result.end(),
                   [](const BreachEvent& a, const BreachEvent& b) { return a.start < b.start; });
  return result;
}

}  // namespace linkmon::sla
