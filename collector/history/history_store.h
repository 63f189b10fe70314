#pragma once

// HistoryStore: the SLA history of every path, durable in the collector's SQLite file
// (store/store_schema.h, schema version 2) beside the minutes, so that error budgets, minute
// verdicts and breach events survive a restart for the whole retention.
//
// What is stored (written by Write, one transaction per minute tick, all paths):
// - verdict_changes: a row only where a path's verdict changes (good, bad or unknown); the verdict
//   holds until the path's next row, its last row until sla_progress.judged_through. A path good
//   all day costs no row that day; a tick writes one row per path whose verdict changed, plus the
//   progress row. Measured (tests/collector/history/history_store_test.cpp,
//   VerdictBytesPerPathDay, file size after the WAL is checkpointed): 10,000 paths x 7 days,
//   each with 4 verdict changes a day (a bad spell and an unknown one), grow the file by 75.7
//   bytes per path-day, about 19 bytes per change row. So 10,000 paths x 35 days at that rate
//   take about 26 MB; a path changing every minute would take about 1440 x 19 = 27 kB a day
//   (derived from the measured row size, not measured itself).
// - breaches (+ breach_thresholds): every closed breach with its thresholds, and each path's
//   pending (a bad run not yet long enough) or open breach with the tracker's counters
//   (sla::BreachTrackerState), rewritten whenever it changes.
// - sla_progress.judged_through: every minute starting before it was judged and written. A
//   restart restores verdicts, trackers and closed breaches from here (Load, then
//   sla::PathStates::Restore) and judges only later minutes again.
//
// Durability: Write commits with the connection's durability, kNormal (synchronous=NORMAL) by
// default. A process crash loses nothing committed; a power loss may lose the last commits. That
// is safe: verdicts, breach state and judged_through are committed together, so a lost commit
// moves judged_through back with them, and the next start judges those minutes again from the
// stored minutes (which ingest writes with synchronous=FULL). Their verdicts may then differ from
// the ones /metrics published if late data came in meanwhile; nothing is counted twice.
//
// Retention: SummaryStore::Prune deletes verdict changes, closed breaches and stale pending or
// open ones older than the retention, in the same transaction as the minutes.
//
// Thread-safety: not thread-safe; one connection per thread (WAL lets the start-up rebuild read
// through its own HistoryStore while the io_context thread's one writes).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "collector/sla/sla_history.h"
#include "collector/store/path_table.h"
#include "common/clock.h"
#include "common/result.h"
#include "common/sqlite/sqlite_database.h"

namespace linkmon::history {

struct HistoryStoreOptions {
  std::filesystem::path path;  // the collector's store file; ":memory:" for a private one
  sqlite::Durability durability = sqlite::Durability::kNormal;  // see above
};

class HistoryStore final : public sla::BreachArchive {
 public:
  // Opens (creating or migrating the schema, store_schema.h). kUnsupported for a newer schema.
  static Result<std::unique_ptr<HistoryStore>> Open(const HistoryStoreOptions& options);

  HistoryStore(const HistoryStore&) = delete;
  HistoryStore& operator=(const HistoryStore&) = delete;
  ~HistoryStore() override;

  // Stores `delta` in one transaction (nothing when it is empty). On error nothing is stored; the
  // daemon logs it and the minutes are judged again after a restart.
  Status Write(const sla::HistoryDelta& delta);

  // What a restart restores: verdicts in force from `verdicts_since` on (a change before it is
  // moved up to it), every pending and open breach, and the newest `max_closed` closed ones.
  // judged_through is absent when nothing was ever written (a new or version 1 file).
  Result<sla::StoredHistory> Load(SystemTime verdicts_since, std::size_t max_closed);
  // Load's two halves, for a start-up that streams the verdicts into PathStates
  // (sla::PathStates::Restore with a VerdictSource) instead of holding them all: everything but
  // the verdicts, and the verdicts one at a time, in Load's order.
  Result<sla::StoredHistory> LoadWithoutVerdicts(std::size_t max_closed);
  Status ForEachVerdictChange(SystemTime verdicts_since,
                              const std::function<void(const sla::VerdictChange&)>& visit);

  // sla::BreachArchive.
  Result<std::vector<sla::BreachEvent>> ClosedBreaches(const sla::BreachQuery& query,
                                                       const std::optional<Position>& after,
                                                       std::size_t limit) override;

  // Row counts, for tests and measurements.
  Result<std::uint64_t> VerdictChangeCount();
  Result<std::uint64_t> BreachCount();

 private:
  struct Statements;
  HistoryStore(sqlite::Database db, std::unique_ptr<Statements> statements, store::PathTable paths);

  Status WriteInTransaction(const sla::HistoryDelta& delta);
  Status WriteBreach(std::int64_t path_id, const sla::BreachEvent& event, int state, int good_run,
                     SystemTime last_bad_end);
  // Reads the breaches a query selects (its columns: kBreachColumns), thresholds included.
  struct BreachRow {
    sla::BreachEvent event;
    int state = 0;
    int good_run = 0;
    SystemTime last_bad_end{};
  };
  Result<std::vector<BreachRow>> ReadBreaches(sqlite::Statement& query);

  sqlite::Database db_;
  std::unique_ptr<Statements> statements_;
  store::PathTable paths_;
};

}  // namespace linkmon::history
