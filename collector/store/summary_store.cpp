#include "collector/store/summary_store.h"

#include <algorithm>
#include <limits>
#include <system_error>
#include <utility>

#include "collector/store/minute_columns.h"
#include "collector/store/store_schema.h"

namespace linkmon::store {
namespace {

using std::chrono::nanoseconds;

std::int64_t SequenceKey(std::uint64_t sequence) {
  return static_cast<std::int64_t>(sequence ^ (std::uint64_t{1} << 63));
}

std::uint64_t SequenceFromKey(std::int64_t key) {
  return static_cast<std::uint64_t>(key) ^ (std::uint64_t{1} << 63);
}

}  // namespace

struct SummaryStore::Statements {
  sqlite::Statement find_batch;
  sqlite::Statement highest_sequence;
  sqlite::Statement insert_batch;
  sqlite::Statement minutes_of_path;
  sqlite::Statement minutes_since;
  sqlite::Statement all_paths;
};

SummaryStore::SummaryStore(StoreOptions options, std::unique_ptr<sqlite::Database> db,
                           std::unique_ptr<Statements> statements, PathTable path_table,
                           MinuteWriter minute_writer)
    : options_(std::move(options)),
      db_(std::move(db)),
      statements_(std::move(statements)),
      path_table_(std::move(path_table)),
      minute_writer_(std::move(minute_writer)) {}

SummaryStore::~SummaryStore() = default;

Result<std::unique_ptr<SummaryStore>> SummaryStore::Open(const StoreOptions& options) {
  auto db = OpenStoreDatabase(options.path, options.durability);
  if (!db) return tl::unexpected(db.error());
  if (options.cache_kib > 0) {
    if (auto cache = db->Execute("PRAGMA cache_size=-" + std::to_string(options.cache_kib) + ";");
        !cache) {
      return tl::unexpected(cache.error());
    }
  }

  auto prepare = [&](std::string_view sql) { return db->Prepare(sql); };
  const std::string columns(kMinuteColumns);
  auto find_batch = prepare(
      "SELECT 1 FROM batches WHERE probe = ?1 AND probe_start_ns = ?2 AND sequence_key = ?3");
  auto highest =
      prepare("SELECT MAX(sequence_key) FROM batches WHERE probe = ?1 AND probe_start_ns = ?2");
  auto insert_batch = prepare(
      "INSERT INTO batches (probe, probe_start_ns, sequence_key, received_ns, summaries) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  auto minutes_of_path = prepare("SELECT minute_ns, " + columns +
                                 " FROM minutes WHERE path_id = ?1 AND minute_ns >= ?2 AND "
                                 "minute_ns < ?3 ORDER BY minute_ns");
  auto minutes_since =
      prepare("SELECT p.source, p.target, p.method, m.minute_ns, " + columns +
              " FROM minutes m JOIN paths p ON p.id = m.path_id WHERE m.minute_ns >= ?1 "
              "ORDER BY m.minute_ns, p.source, p.target, p.method");
  auto all_paths = prepare(
      "SELECT source, target, method FROM paths WHERE id IN (SELECT DISTINCT path_id FROM "
      "minutes) ORDER BY source, target, method");
  for (auto* statement :
       {&find_batch, &highest, &insert_batch, &minutes_of_path, &minutes_since, &all_paths}) {
    if (!*statement) return tl::unexpected(statement->error());
  }
  auto statements =
      std::make_unique<Statements>(Statements{.find_batch = std::move(*find_batch),
                                              .highest_sequence = std::move(*highest),
                                              .insert_batch = std::move(*insert_batch),
                                              .minutes_of_path = std::move(*minutes_of_path),
                                              .minutes_since = std::move(*minutes_since),
                                              .all_paths = std::move(*all_paths)});
  // The database moves to the heap first: the minute writer keeps its address.
  auto database = std::make_unique<sqlite::Database>(std::move(*db));
  auto path_table = PathTable::Prepare(*database);
  if (!path_table) return tl::unexpected(path_table.error());
  auto minute_writer = MinuteWriter::Prepare(*database);
  if (!minute_writer) return tl::unexpected(minute_writer.error());
  return std::unique_ptr<SummaryStore>(
      new SummaryStore(options, std::move(database), std::move(statements), std::move(*path_table),
                       std::move(*minute_writer)));
}

Result<ApplyResult> SummaryStore::ApplyInTransaction(const batch::Batch& batch,
                                                     SystemTime received) {
  const std::int64_t epoch = UnixNanos(batch.probe_start);
  sqlite::Statement& find = statements_->find_batch;
  find.Reset();
  find.Bind(1, batch.probe.str()).Bind(2, epoch).Bind(3, SequenceKey(batch.sequence));
  auto found = find.Step();
  find.Reset();
  if (!found) return tl::unexpected(found.error());

  sqlite::Statement& highest_query = statements_->highest_sequence;
  highest_query.Reset();
  highest_query.Bind(1, batch.probe.str()).Bind(2, epoch);
  auto highest_row = highest_query.Step();
  if (!highest_row) return tl::unexpected(highest_row.error());
  std::optional<std::uint64_t> highest;
  if (*highest_row && !highest_query.ColumnIsNull(0)) {
    highest = SequenceFromKey(highest_query.ColumnInt(0));
  }
  highest_query.Reset();

  if (*found) return ApplyResult{.outcome = ApplyOutcome::kDuplicate, .highest_sequence = *highest};
  if (highest && *highest > batch.sequence && *highest - batch.sequence > options_.replay_window) {
    return ApplyResult{.outcome = ApplyOutcome::kStale, .highest_sequence = *highest};
  }

  sqlite::Statement& insert = statements_->insert_batch;
  insert.Reset();
  insert.Bind(1, batch.probe.str())
      .Bind(2, epoch)
      .Bind(3, SequenceKey(batch.sequence))
      .Bind(4, UnixNanos(received))
      .Bind(5, static_cast<std::int64_t>(batch.summaries.size()));
  if (auto inserted = insert.Run(); !inserted) return tl::unexpected(inserted.error());

  for (const batch::PathSummary& entry : batch.summaries) {
    auto path_id = path_table_.IdOf(entry.path);
    if (!path_id) return tl::unexpected(path_id.error());
    if (auto merged = minute_writer_.Merge(*path_id, entry); !merged) {
      return tl::unexpected(merged.error());
    }
  }
  return ApplyResult{
      .outcome = ApplyOutcome::kApplied,
      .highest_sequence = highest ? std::max(*highest, batch.sequence) : batch.sequence};
}

Result<ApplyResult> SummaryStore::ApplyBatch(const batch::Batch& batch, SystemTime received) {
  const BatchToApply one{.batch = &batch, .received = received};
  return std::move(ApplyBatches(std::span(&one, 1)).front());
}

void SummaryStore::RollBack() {
  db_->Rollback();
  path_table_.RolledBack();
  minute_writer_.RolledBack();
}

std::vector<Result<ApplyResult>> SummaryStore::ApplyBatches(std::span<const BatchToApply> batches) {
  // A batch that fails (a merge that would overflow, SQLite's error) rolls the transaction back;
  // it is answered with its error and the others are applied again without it. Each round
  // leaves one out at least, so this ends.
  std::vector<std::optional<Error>> failed(batches.size());
  std::vector<ApplyResult> outcomes(batches.size());
  while (true) {
    if (auto begun = db_->Begin(); !begun) {
      std::vector<Result<ApplyResult>> results;
      for (const auto& f : failed) results.push_back(tl::unexpected(f ? *f : begun.error()));
      return results;
    }
    bool restart = false;
    for (std::size_t i = 0; i < batches.size() && !restart; ++i) {
      if (failed[i]) continue;
      auto applied = ApplyInTransaction(*batches[i].batch, batches[i].received);
      if (!applied) {
        RollBack();
        failed[i] = std::move(applied.error());
        restart = true;
      } else {
        outcomes[i] = *applied;
      }
    }
    if (restart) continue;
    Status committed = db_->Commit();
    if (!committed) RollBack();
    std::vector<Result<ApplyResult>> results;
    results.reserve(batches.size());
    for (std::size_t i = 0; i < batches.size(); ++i) {
      if (failed[i]) {
        results.push_back(tl::unexpected(*failed[i]));
      } else if (!committed) {
        results.push_back(tl::unexpected(committed.error()));
      } else {
        results.push_back(outcomes[i]);
      }
    }
    if (committed) {
      path_table_.Committed();
      minute_writer_.Committed();
    }
    return results;
  }
}

Result<std::vector<MinuteRecord>> SummaryStore::MinuteSummaries(const PathKey& path,
                                                                SystemTime from, SystemTime to) {
  std::vector<MinuteRecord> records;
  auto found = path_table_.Find(path);
  if (!found) return tl::unexpected(found.error());
  if (!*found) return records;
  const std::int64_t path_id = **found;

  sqlite::Statement& query = statements_->minutes_of_path;
  query.Reset();
  query.Bind(1, path_id).Bind(2, UnixNanos(from)).Bind(3, UnixNanos(to));
  while (true) {
    auto row = query.Step();
    if (!row) {
      query.Reset();
      return tl::unexpected(row.error());
    }
    if (!*row) break;
    auto record = ReadMinute(query, 1, path);
    if (!record) {
      query.Reset();
      return tl::unexpected(record.error());
    }
    record->minute = FromUnixNanos(query.ColumnInt(0));
    records.push_back(std::move(*record));
  }
  query.Reset();
  return records;
}

Status SummaryStore::ForEachMinuteSince(SystemTime since,
                                        const std::function<void(const MinuteRecord&)>& visit) {
  sqlite::Statement& query = statements_->minutes_since;
  query.Reset();
  query.Bind(1, UnixNanos(since));
  Status status;
  while (true) {
    auto row = query.Step();
    if (!row) {
      status = tl::unexpected(row.error());
      break;
    }
    if (!*row) break;
    auto path = ReadPathKey(query, 0);
    if (!path) {
      status = tl::unexpected(path.error());
      break;
    }
    auto record = ReadMinute(query, 4, *path);
    if (!record) {
      status = tl::unexpected(record.error());
      break;
    }
    record->minute = FromUnixNanos(query.ColumnInt(3));
    visit(*record);
  }
  query.Reset();
  return status;
}

Result<std::vector<MinuteRecord>> SummaryStore::AllPathsSince(SystemTime since) {
  std::vector<MinuteRecord> records;
  auto status =
      ForEachMinuteSince(since, [&](const MinuteRecord& record) { records.push_back(record); });
  if (!status) return tl::unexpected(status.error());
  return records;
}

Result<std::vector<PathKey>> SummaryStore::Paths() {
  std::vector<PathKey> paths;
  sqlite::Statement& query = statements_->all_paths;
  query.Reset();
  while (true) {
    auto row = query.Step();
    if (!row) {
      query.Reset();
      return tl::unexpected(row.error());
    }
    if (!*row) break;
    auto path = ReadPathKey(query, 0);
    if (!path) {
      query.Reset();
      return tl::unexpected(path.error());
    }
    paths.push_back(std::move(*path));
  }
  query.Reset();
  return paths;
}

Result<bool> SummaryStore::HasBatch(const SiteName& probe, SystemTime probe_start,
                                    std::uint64_t sequence) {
  sqlite::Statement& find = statements_->find_batch;
  find.Reset();
  find.Bind(1, probe.str()).Bind(2, UnixNanos(probe_start)).Bind(3, SequenceKey(sequence));
  auto found = find.Step();
  find.Reset();
  return found;
}

Result<std::uint64_t> SummaryStore::BatchCount() {
  return CountRows(*db_, "SELECT COUNT(*) FROM batches");
}

Result<std::uint64_t> SummaryStore::MinuteCount() {
  return CountRows(*db_, "SELECT COUNT(*) FROM minutes");
}

Result<PruneResult> SummaryStore::Prune(SystemTime before, std::uint64_t max_rows) {
  if (auto begun = db_->Begin(); !begun) return tl::unexpected(begun.error());
  PruneResult result;
  // ?1 the cutoff; ?2, in the sliced deletes, the slice's row limit.
  auto run = [&](std::string_view sql, std::uint64_t& deleted, SystemTime cutoff,
                 std::optional<std::uint64_t> row_limit = std::nullopt) -> Status {
    auto statement = db_->Prepare(sql);
    if (!statement) return tl::unexpected(statement.error());
    statement->Bind(1, UnixNanos(cutoff));
    if (row_limit) {
      statement->Bind(2, static_cast<std::int64_t>(std::min<std::uint64_t>(
                             *row_limit, std::numeric_limits<std::int64_t>::max())));
    }
    if (auto ran = statement->Run(); !ran) return ran;
    deleted = static_cast<std::uint64_t>(db_->Changes());
    return {};
  };
  // Minutes path by path, from where the last slice stopped: by time instead, a slice would
  // take one row from each of thousands of paths and rewrite every page of the table each time
  // (121 slices of an hour at 10,000 paths took 10 s instead of 1.4).
  Status status = {};
  bool paths_done = true;
  {
    auto paths = db_->Prepare("SELECT id FROM paths WHERE id > ?1 ORDER BY id");
    auto remove = db_->Prepare("DELETE FROM minutes WHERE path_id = ?1 AND minute_ns < ?2");
    if (!paths) status = tl::unexpected(paths.error());
    if (status && !remove) status = tl::unexpected(remove.error());
    if (status) paths->Bind(1, prune_after_path_);
    while (status) {
      auto row = paths->Step();
      if (!row) status = tl::unexpected(row.error());
      if (!status || !*row) break;
      if (result.minutes_deleted >= max_rows) {
        paths_done = false;
        break;
      }
      const std::int64_t path_id = paths->ColumnInt(0);
      remove->Reset();
      remove->Bind(1, path_id).Bind(2, UnixNanos(before));
      status = remove->Run();
      if (status) result.minutes_deleted += static_cast<std::uint64_t>(db_->Changes());
      prune_after_path_ = path_id;
    }
  }
  if (status) {
    status =
        run("DELETE FROM batches WHERE (probe, probe_start_ns, sequence_key) IN (SELECT probe, "
            "probe_start_ns, sequence_key FROM batches WHERE received_ns < ?1 ORDER BY received_ns "
            "LIMIT ?2)",
            result.batches_deleted, before, max_rows);
  }
  result.complete = paths_done && result.batches_deleted < max_rows;
  if (status && result.complete) {
    // A verdict change holds until the path's next one, so the newest change before the cutoff
    // still describes the first kept minutes: it moves up to the cutoff instead of going.
    const SystemTime first_kept = std::chrono::ceil<std::chrono::minutes>(before);
    status = run(
        "DELETE FROM verdict_changes WHERE minute_ns < ?1 AND minute_ns < (SELECT MAX(v.minute_ns) "
        "FROM verdict_changes v WHERE v.path_id = verdict_changes.path_id AND v.minute_ns <= ?1)",
        result.verdict_changes_deleted, first_kept);
    std::uint64_t moved = 0;
    if (status) {
      status =
          run("UPDATE verdict_changes SET minute_ns = ?1 WHERE minute_ns < ?1", moved, first_kept);
    }
    // Closed breaches that ended before the cutoff; a pending or open one whose last bad minute
    // is that old belongs to a path long silent or gone (its thresholds go with it: ON DELETE
    // CASCADE).
    if (status) {
      status =
          run("DELETE FROM breaches WHERE (state = 2 AND end_ns < ?1) OR (state <> 2 AND "
              "last_bad_end_ns < ?1)",
              result.breaches_deleted, before);
    }
  }
  if (status) status = db_->Commit();
  if (!status) {
    db_->Rollback();
    prune_after_path_ = 0;  // the next call starts over
    return tl::unexpected(status.error());
  }
  if (result.complete) prune_after_path_ = 0;
  minute_writer_.Forget();
  return result;
}

std::uint64_t StoreDiskBytes(const std::filesystem::path& path) {
  if (path == ":memory:") return 0;
  std::uint64_t total = 0;
  for (const std::filesystem::path& file : {path, std::filesystem::path(path.string() + "-wal")}) {
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    if (!error) total += size;
  }
  return total;
}

std::uint64_t SummaryStore::DiskBytes() const { return StoreDiskBytes(options_.path); }

}  // namespace linkmon::store
