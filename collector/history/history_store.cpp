#include "collector/history/history_store.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "collector/store/store_schema.h"

namespace linkmon::history {
namespace {

using store::FromUnixNanos;
using store::UnixNanos;

constexpr int kPending = 0;
constexpr int kOpen = 1;
constexpr int kClosed = 2;

// The stored codes of sla::Verdict (store_schema.h).
std::int64_t VerdictCode(sla::Verdict verdict) {
  switch (verdict) {
    case sla::Verdict::kGood:
      return 0;
    case sla::Verdict::kBad:
      return 1;
    case sla::Verdict::kUnknown:
      return 2;
  }
  return 2;
}

std::optional<sla::Verdict> VerdictFromCode(std::int64_t code) {
  switch (code) {
    case 0:
      return sla::Verdict::kGood;
    case 1:
      return sla::Verdict::kBad;
    case 2:
      return sla::Verdict::kUnknown;
    default:
      return std::nullopt;
  }
}

// The columns ReadBreaches reads, in order, from `breaches b JOIN paths p`.
constexpr std::string_view kBreachColumns =
    "b.id, p.source, p.target, p.method, b.sla_class, b.state, b.start_ns, b.end_ns, "
    "b.bad_minutes, b.good_run, b.last_bad_end_ns";
constexpr std::string_view kBreachJoin = " FROM breaches b JOIN paths p ON p.id = b.path_id ";

}  // namespace

struct HistoryStore::Statements {
  sqlite::Statement write_verdict;
  sqlite::Statement delete_breach;
  sqlite::Statement delete_unclosed_of_path;
  sqlite::Statement insert_breach;
  sqlite::Statement insert_threshold;
  sqlite::Statement write_progress;
  sqlite::Statement read_progress;
  sqlite::Statement read_verdicts;
  sqlite::Statement read_unclosed;
  sqlite::Statement read_newest_closed;
  sqlite::Statement read_thresholds;
  sqlite::Statement closed_between;
};

HistoryStore::HistoryStore(sqlite::Database db, std::unique_ptr<Statements> statements,
                           store::PathTable paths)
    : db_(std::move(db)), statements_(std::move(statements)), paths_(std::move(paths)) {}

HistoryStore::~HistoryStore() = default;

Result<std::unique_ptr<HistoryStore>> HistoryStore::Open(const HistoryStoreOptions& options) {
  auto db = store::OpenStoreDatabase(options.path, options.durability);
  if (!db) return tl::unexpected(db.error());
  const std::string columns(kBreachColumns);
  const std::string join(kBreachJoin);
  auto prepare = [&](std::string_view sql) { return db->Prepare(sql); };
  auto write_verdict = prepare(
      "INSERT OR REPLACE INTO verdict_changes (path_id, minute_ns, verdict) VALUES (?1, ?2, ?3)");
  auto delete_breach = prepare("DELETE FROM breaches WHERE id = ?1");
  auto delete_unclosed = prepare("DELETE FROM breaches WHERE path_id = ?1 AND state <> 2");
  auto insert_breach = prepare(
      "INSERT INTO breaches (id, path_id, sla_class, state, start_ns, end_ns, bad_minutes, "
      "good_run, last_bad_end_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  auto insert_threshold = prepare(
      "INSERT INTO breach_thresholds (breach_id, kind, window_ns, limit_value, worst_value, "
      "violated_minutes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  auto write_progress =
      prepare("INSERT OR REPLACE INTO sla_progress (id, judged_through_ns) VALUES (1, ?1)");
  auto read_progress = prepare("SELECT judged_through_ns FROM sla_progress WHERE id = 1");
  // Each path's change in force at ?1 and every later one.
  auto read_verdicts = prepare(
      "SELECT p.source, p.target, p.method, v.minute_ns, v.verdict FROM verdict_changes v "
      "JOIN paths p ON p.id = v.path_id WHERE v.minute_ns >= (SELECT COALESCE(MAX(w.minute_ns), "
      "?1) FROM verdict_changes w WHERE w.path_id = v.path_id AND w.minute_ns <= ?1) "
      "ORDER BY v.path_id, v.minute_ns");
  auto read_unclosed =
      prepare("SELECT " + columns + join + "WHERE b.state <> 2 ORDER BY b.path_id");
  auto read_newest_closed = prepare("SELECT " + columns + join +
                                    "WHERE b.state = 2 ORDER BY b.start_ns DESC, b.id DESC "
                                    "LIMIT ?1");
  auto read_thresholds = prepare(
      "SELECT kind, window_ns, limit_value, worst_value, violated_minutes FROM breach_thresholds "
      "WHERE breach_id = ?1");
  auto closed_between = prepare(
      "SELECT " + columns + join +
      "WHERE b.state = 2 AND b.start_ns < ?1 AND b.end_ns > ?2 AND (?3 IS NULL OR p.source = ?3) "
      "AND (?4 IS NULL OR p.target = ?4) AND (?5 IS NULL OR b.start_ns > ?5 OR (b.start_ns = ?5 "
      "AND b.id > ?6)) ORDER BY b.start_ns, b.id LIMIT ?7");
  for (auto* statement : {&write_verdict, &delete_breach, &delete_unclosed, &insert_breach,
                          &insert_threshold, &write_progress, &read_progress, &read_verdicts,
                          &read_unclosed, &read_newest_closed, &read_thresholds, &closed_between}) {
    if (!*statement) return tl::unexpected(statement->error());
  }
  auto paths = store::PathTable::Prepare(*db);
  if (!paths) return tl::unexpected(paths.error());
  auto statements = std::make_unique<Statements>(
      Statements{.write_verdict = std::move(*write_verdict),
                 .delete_breach = std::move(*delete_breach),
                 .delete_unclosed_of_path = std::move(*delete_unclosed),
                 .insert_breach = std::move(*insert_breach),
                 .insert_threshold = std::move(*insert_threshold),
                 .write_progress = std::move(*write_progress),
                 .read_progress = std::move(*read_progress),
                 .read_verdicts = std::move(*read_verdicts),
                 .read_unclosed = std::move(*read_unclosed),
                 .read_newest_closed = std::move(*read_newest_closed),
                 .read_thresholds = std::move(*read_thresholds),
                 .closed_between = std::move(*closed_between)});
  return std::unique_ptr<HistoryStore>(
      new HistoryStore(std::move(*db), std::move(statements), std::move(*paths)));
}

Status HistoryStore::WriteBreach(std::int64_t path_id, const sla::BreachEvent& event, int state,
                                 int good_run, SystemTime last_bad_end) {
  sqlite::Statement& erase = statements_->delete_breach;  // its thresholds go by cascade
  erase.Reset();
  erase.Bind(1, event.id);
  if (auto erased = erase.Run(); !erased) return erased;
  sqlite::Statement& insert = statements_->insert_breach;
  insert.Reset();
  insert.Bind(1, event.id)
      .Bind(2, path_id)
      .Bind(3, event.sla_class.str())
      .Bind(4, static_cast<std::int64_t>(state))
      .Bind(5, UnixNanos(event.start));
  if (event.end) {
    insert.Bind(6, UnixNanos(*event.end));
  } else {
    insert.BindNull(6);
  }
  insert.Bind(7, event.bad_minutes)
      .Bind(8, static_cast<std::int64_t>(good_run))
      .Bind(9, UnixNanos(last_bad_end));
  if (auto inserted = insert.Run(); !inserted) return inserted;
  for (const sla::CrossedThreshold& crossed : event.crossed) {
    sqlite::Statement& threshold = statements_->insert_threshold;
    threshold.Reset();
    threshold.Bind(1, event.id)
        .Bind(2, sla::ThresholdKindName(crossed.kind))
        .Bind(3, static_cast<std::int64_t>(crossed.window.count()))
        .Bind(4, crossed.limit)
        .Bind(6, crossed.violated_minutes);
    if (crossed.worst_value) {
      threshold.Bind(5, *crossed.worst_value);
    } else {
      threshold.BindNull(5);
    }
    if (auto inserted = threshold.Run(); !inserted) return inserted;
  }
  return {};
}

Status HistoryStore::WriteInTransaction(const sla::HistoryDelta& delta) {
  for (const sla::VerdictChange& change : delta.verdict_changes) {
    auto path_id = paths_.IdOf(change.path);
    if (!path_id) return tl::unexpected(path_id.error());
    sqlite::Statement& write = statements_->write_verdict;
    write.Reset();
    write.Bind(1, *path_id).Bind(2, UnixNanos(change.minute)).Bind(3, VerdictCode(change.verdict));
    if (auto written = write.Run(); !written) return written;
  }
  // A path's last tracker update is its state now: its unclosed rows are replaced by it.
  std::map<PathKey, const sla::TrackerUpdate*> latest;
  for (const sla::TrackerUpdate& update : delta.trackers) latest[update.path] = &update;
  for (const auto& [path, update] : latest) {
    auto path_id = paths_.IdOf(path);
    if (!path_id) return tl::unexpected(path_id.error());
    sqlite::Statement& erase = statements_->delete_unclosed_of_path;
    erase.Reset();
    erase.Bind(1, *path_id);
    if (auto erased = erase.Run(); !erased) return erased;
    const sla::BreachTrackerState& state = update->state;
    if (state.pending) {
      if (auto written = WriteBreach(*path_id, *state.pending, kPending, 0, state.last_bad_end);
          !written) {
        return written;
      }
    }
    if (state.open) {
      if (auto written =
              WriteBreach(*path_id, *state.open, kOpen, state.good_run, state.last_bad_end);
          !written) {
        return written;
      }
    }
  }
  // After the trackers: a breach that closed replaces its open row.
  for (const sla::BreachEvent& closed : delta.closed) {
    auto path_id = paths_.IdOf(closed.path);
    if (!path_id) return tl::unexpected(path_id.error());
    if (auto written = WriteBreach(*path_id, closed, kClosed, 0, closed.end.value_or(closed.start));
        !written) {
      return written;
    }
  }
  if (delta.judged_through) {
    sqlite::Statement& progress = statements_->write_progress;
    progress.Reset();
    progress.Bind(1, UnixNanos(*delta.judged_through));
    if (auto written = progress.Run(); !written) return written;
  }
  return {};
}

Status HistoryStore::Write(const sla::HistoryDelta& delta) {
  if (delta.empty()) return {};
  if (auto begun = db_.Begin(); !begun) return begun;
  Status status = WriteInTransaction(delta);
  if (status) status = db_.Commit();
  if (!status) {
    db_.Rollback();
    paths_.RolledBack();
    return status;
  }
  paths_.Committed();
  return {};
}

Result<std::vector<HistoryStore::BreachRow>> HistoryStore::ReadBreaches(sqlite::Statement& query) {
  std::vector<BreachRow> rows;
  Status read = store::ForEachRow(query, [&]() -> Status {
    auto path = store::ReadPathKey(query, 1);
    auto sla_class = SlaClassName::Make(query.ColumnText(4));
    if (!path || !sla_class) {
      return MakeError(ErrorCode::kCorrupt, "history: breach " + query.ColumnText(0) +
                                                " names an invalid path or SLA class");
    }
    BreachRow entry{.event = sla::BreachEvent{.id = query.ColumnText(0),
                                              .path = std::move(*path),
                                              .sla_class = std::move(*sla_class),
                                              .start = FromUnixNanos(query.ColumnInt(6)),
                                              .end = std::nullopt,
                                              .bad_minutes = query.ColumnInt(8),
                                              .crossed = {}},
                    .state = static_cast<int>(query.ColumnInt(5)),
                    .good_run = static_cast<int>(query.ColumnInt(9)),
                    .last_bad_end = FromUnixNanos(query.ColumnInt(10))};
    if (!query.ColumnIsNull(7)) entry.event.end = FromUnixNanos(query.ColumnInt(7));
    rows.push_back(std::move(entry));
    return {};
  });
  if (!read) return tl::unexpected(read.error());
  // Thresholds after the breach query is done (one statement steps at a time).
  sqlite::Statement& thresholds = statements_->read_thresholds;
  for (BreachRow& entry : rows) {
    thresholds.Reset();
    thresholds.Bind(1, entry.event.id);
    read = store::ForEachRow(thresholds, [&]() -> Status {
      const auto kind = sla::ParseThresholdKind(thresholds.ColumnText(0));
      if (!kind) {
        return MakeError(ErrorCode::kCorrupt, "history: breach " + entry.event.id +
                                                  " has unknown threshold '" +
                                                  thresholds.ColumnText(0) + "'");
      }
      sla::CrossedThreshold crossed{.kind = *kind,
                                    .window = std::chrono::nanoseconds(thresholds.ColumnInt(1)),
                                    .limit = thresholds.ColumnDouble(2),
                                    .worst_value = std::nullopt,
                                    .violated_minutes = thresholds.ColumnInt(4)};
      if (!thresholds.ColumnIsNull(3)) crossed.worst_value = thresholds.ColumnDouble(3);
      entry.event.crossed.push_back(crossed);
      return {};
    });
    if (!read) return tl::unexpected(read.error());
    std::sort(entry.event.crossed.begin(), entry.event.crossed.end(),
              [](const sla::CrossedThreshold& a, const sla::CrossedThreshold& b) {
                return a.kind < b.kind;
              });
  }
  return rows;
}

Result<sla::StoredHistory> HistoryStore::Load(SystemTime verdicts_since, std::size_t max_closed) {
  auto stored = LoadWithoutVerdicts(max_closed);
  if (!stored || !stored->judged_through) return stored;
  Status read = ForEachVerdictChange(verdicts_since, [&](const sla::VerdictChange& change) {
    stored->verdicts.push_back(change);
  });
  if (!read) return tl::unexpected(read.error());
  return stored;
}

Status HistoryStore::ForEachVerdictChange(
    SystemTime verdicts_since, const std::function<void(const sla::VerdictChange&)>& visit) {
  sqlite::Statement& verdicts = statements_->read_verdicts;
  verdicts.Reset();
  verdicts.Bind(1, UnixNanos(verdicts_since));
  return store::ForEachRow(verdicts, [&]() -> Status {
    auto path = store::ReadPathKey(verdicts, 0);
    const auto verdict = VerdictFromCode(verdicts.ColumnInt(4));
    if (!path || !verdict) {
      return MakeError(ErrorCode::kCorrupt, "history: invalid verdict change row");
    }
    const SystemTime minute = std::max(FromUnixNanos(verdicts.ColumnInt(3)), verdicts_since);
    visit(sla::VerdictChange{std::move(*path), minute, *verdict});
    return {};
  });
}

Result<sla::StoredHistory> HistoryStore::LoadWithoutVerdicts(std::size_t max_closed) {
  sla::StoredHistory stored;
  sqlite::Statement& progress = statements_->read_progress;
  progress.Reset();
  auto found = progress.Step();
  if (!found) return tl::unexpected(found.error());
  if (*found) stored.judged_through = FromUnixNanos(progress.ColumnInt(0));
  progress.Reset();
  if (!stored.judged_through) return stored;

  auto unclosed = ReadBreaches(statements_->read_unclosed);
  if (!unclosed) return tl::unexpected(unclosed.error());
  for (BreachRow& row : *unclosed) {
    if (stored.trackers.empty() || stored.trackers.back().path != row.event.path) {
      stored.trackers.push_back(sla::TrackerUpdate{row.event.path, {}});
    }
    sla::BreachTrackerState& state = stored.trackers.back().state;
    state.last_bad_end = std::max(state.last_bad_end, row.last_bad_end);
    if (row.state == kOpen) {
      state.good_run = row.good_run;
      state.open = std::move(row.event);
    } else {
      state.pending = std::move(row.event);
    }
  }

  sqlite::Statement& newest = statements_->read_newest_closed;
  newest.Reset();
  newest.Bind(1, static_cast<std::int64_t>(max_closed));
  auto closed = ReadBreaches(newest);
  if (!closed) return tl::unexpected(closed.error());
  for (auto it = closed->rbegin(); it != closed->rend(); ++it) {
    stored.closed.push_back(std::move(it->event));
  }
  return stored;
}

Result<std::vector<sla::BreachEvent>> HistoryStore::ClosedBreaches(
    const sla::BreachQuery& query, const std::optional<Position>& after, std::size_t limit) {
  sqlite::Statement& select = statements_->closed_between;
  select.Reset();
  select.Bind(1, UnixNanos(query.to)).Bind(2, UnixNanos(query.from));
  if (query.source) {
    select.Bind(3, query.source->str());
  } else {
    select.BindNull(3);
  }
  if (query.target) {
    select.Bind(4, query.target->str());
  } else {
    select.BindNull(4);
  }
  if (after) {
    select.Bind(5, UnixNanos(after->start)).Bind(6, after->id);
  } else {
    select.BindNull(5).BindNull(6);
  }
  select.Bind(7, static_cast<std::int64_t>(limit));
  auto rows = ReadBreaches(select);
  if (!rows) return tl::unexpected(rows.error());
  std::vector<sla::BreachEvent> events;
  events.reserve(rows->size());
  for (BreachRow& row : *rows) events.push_back(std::move(row.event));
  return events;
}

Result<std::uint64_t> HistoryStore::VerdictChangeCount() {
  return store::CountRows(db_, "SELECT COUNT(*) FROM verdict_changes");
}

Result<std::uint64_t> HistoryStore::BreachCount() {
  return store::CountRows(db_, "SELECT COUNT(*) FROM breaches");
}

}  // namespace linkmon::history
