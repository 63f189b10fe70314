#include "collector/store/summary_store.h"

#include <system_error>
#include <utility>

#include "collector/store/store_schema.h"
#include "common/histogram/histogram_codec.h"

namespace linkmon::store {
namespace {

using std::chrono::nanoseconds;

// The 19 data columns of `minutes`, in the order ReadMinute and BindMinute use.
constexpr std::string_view kMinuteColumns =
    "start_ns, duration_ns, timestamp_source, sent, received, late, lost, untracked, duplicated, "
    "reordered, one_way_unsynchronized, rtt, ipdv_magnitude, ipdv_min_ns, ipdv_max_ns, "
    "rfc3550_jitter_ns, forward_delay, reverse_delay, throughput_bps";

std::int64_t SequenceKey(std::uint64_t sequence) {
  return static_cast<std::int64_t>(sequence ^ (std::uint64_t{1} << 63));
}

std::uint64_t SequenceFromKey(std::int64_t key) {
  return static_cast<std::uint64_t>(key) ^ (std::uint64_t{1} << 63);
}

std::int64_t AsSigned(std::uint64_t value) { return static_cast<std::int64_t>(value); }
std::uint64_t AsUnsigned(std::int64_t value) { return static_cast<std::uint64_t>(value); }

void BindHistogram(sqlite::Statement& statement, int index, const histogram::LogHistogram& h) {
  if (h.Empty()) {
    statement.BindNull(index);
  } else {
    statement.BindBlob(index, histogram::SerializeHistogram(h));
  }
}

void BindOptional(sqlite::Statement& statement, int index, std::optional<nanoseconds> value) {
  if (value) {
    statement.Bind(index, static_cast<std::int64_t>(value->count()));
  } else {
    statement.BindNull(index);
  }
}

// Binds the 19 data columns starting at parameter `first`.
void BindMinute(sqlite::Statement& st, int first, const MinuteRecord& record) {
  const stats::IntervalSummary& s = record.summary;
  int i = first;
  st.Bind(i++, UnixNanos(s.start));
  st.Bind(i++, static_cast<std::int64_t>(s.duration.count()));
  st.Bind(i++, stats::TimestampSourceName(s.timestamp_source));
  st.Bind(i++, AsSigned(s.counts.sent));
  st.Bind(i++, AsSigned(s.counts.received));
  st.Bind(i++, AsSigned(s.counts.late));
  st.Bind(i++, AsSigned(s.counts.lost));
  st.Bind(i++, AsSigned(s.counts.untracked));
  st.Bind(i++, AsSigned(s.counts.duplicated));
  st.Bind(i++, AsSigned(s.counts.reordered));
  st.Bind(i++, AsSigned(s.one_way_unsynchronized));
  BindHistogram(st, i++, s.rtt);
  BindHistogram(st, i++, s.ipdv_magnitude);
  BindOptional(st, i++, s.ipdv_min);
  BindOptional(st, i++, s.ipdv_max);
  BindOptional(st, i++, s.rfc3550_jitter);
  BindHistogram(st, i++, s.forward_delay);
  BindHistogram(st, i++, s.reverse_delay);
  if (record.throughput) {
    st.Bind(i++, AsSigned(record.throughput->bits_per_second));
  } else {
    st.BindNull(i++);
  }
}

Result<histogram::LogHistogram> ReadHistogram(const sqlite::Statement& st, int column,
                                              const char* name) {
  if (st.ColumnIsNull(column)) return histogram::LogHistogram();
  auto decoded = histogram::DeserializeHistogram(st.ColumnBlob(column));
  if (!decoded) {
    return MakeError(ErrorCode::kCorrupt,
                     std::string("store: minutes.") + name + ": " + decoded.error().message);
  }
  return decoded;
}

std::optional<nanoseconds> ReadOptional(const sqlite::Statement& st, int column) {
  if (st.ColumnIsNull(column)) return std::nullopt;
  return nanoseconds(st.ColumnInt(column));
}

}  // namespace

struct SummaryStore::Statements {
  sqlite::Statement find_batch;
  sqlite::Statement highest_sequence;
  sqlite::Statement insert_batch;
  sqlite::Statement read_minute;
  sqlite::Statement write_minute;
  sqlite::Statement minutes_of_path;
  sqlite::Statement minutes_since;
  sqlite::Statement all_paths;
};

SummaryStore::SummaryStore(StoreOptions options, sqlite::Database db,
                           std::unique_ptr<Statements> statements, PathTable path_table)
    : options_(std::move(options)),
      db_(std::move(db)),
      statements_(std::move(statements)),
      path_table_(std::move(path_table)) {}

SummaryStore::~SummaryStore() = default;

Result<std::unique_ptr<SummaryStore>> SummaryStore::Open(const StoreOptions& options) {
  auto db = OpenStoreDatabase(options.path, options.durability);
  if (!db) return tl::unexpected(db.error());

  auto prepare = [&](std::string_view sql) { return db->Prepare(sql); };
  const std::string columns(kMinuteColumns);
  auto find_batch = prepare(
      "SELECT 1 FROM batches WHERE probe = ?1 AND probe_start_ns = ?2 AND sequence_key = ?3");
  auto highest =
      prepare("SELECT MAX(sequence_key) FROM batches WHERE probe = ?1 AND probe_start_ns = ?2");
  auto insert_batch = prepare(
      "INSERT INTO batches (probe, probe_start_ns, sequence_key, received_ns, summaries) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  auto read_minute =
      prepare("SELECT " + columns + " FROM minutes WHERE path_id = ?1 AND minute_ns = ?2");
  std::string placeholders;
  for (int i = 3; i <= 21; ++i) placeholders += ", ?" + std::to_string(i);
  auto write_minute = prepare("INSERT OR REPLACE INTO minutes (path_id, minute_ns, " + columns +
                              ") VALUES (?1, ?2" + placeholders + ")");
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
  for (auto* statement : {&find_batch, &highest, &insert_batch, &read_minute, &write_minute,
                          &minutes_of_path, &minutes_since, &all_paths}) {
    if (!*statement) return tl::unexpected(statement->error());
  }
  auto statements =
      std::make_unique<Statements>(Statements{.find_batch = std::move(*find_batch),
                                              .highest_sequence = std::move(*highest),
                                              .insert_batch = std::move(*insert_batch),
                                              .read_minute = std::move(*read_minute),
                                              .write_minute = std::move(*write_minute),
                                              .minutes_of_path = std::move(*minutes_of_path),
                                              .minutes_since = std::move(*minutes_since),
                                              .all_paths = std::move(*all_paths)});
  auto path_table = PathTable::Prepare(*db);
  if (!path_table) return tl::unexpected(path_table.error());
  return std::unique_ptr<SummaryStore>(
      new SummaryStore(options, std::move(*db), std::move(statements), std::move(*path_table)));
}

Result<MinuteRecord> SummaryStore::ReadMinute(sqlite::Statement& st, int c, const PathKey& path) {
  MinuteRecord record{.path = path, .minute = {}, .summary = {}, .throughput = std::nullopt};
  stats::IntervalSummary& s = record.summary;
  s.start = FromUnixNanos(st.ColumnInt(c));
  s.duration = nanoseconds(st.ColumnInt(c + 1));
  const auto source = stats::ParseTimestampSource(st.ColumnText(c + 2));
  if (!source) return MakeError(ErrorCode::kCorrupt, "store: unknown timestamp source");
  s.timestamp_source = *source;
  s.counts.sent = AsUnsigned(st.ColumnInt(c + 3));
  s.counts.received = AsUnsigned(st.ColumnInt(c + 4));
  s.counts.late = AsUnsigned(st.ColumnInt(c + 5));
  s.counts.lost = AsUnsigned(st.ColumnInt(c + 6));
  s.counts.untracked = AsUnsigned(st.ColumnInt(c + 7));
  s.counts.duplicated = AsUnsigned(st.ColumnInt(c + 8));
  s.counts.reordered = AsUnsigned(st.ColumnInt(c + 9));
  s.one_way_unsynchronized = AsUnsigned(st.ColumnInt(c + 10));
  auto rtt = ReadHistogram(st, c + 11, "rtt");
  if (!rtt) return tl::unexpected(rtt.error());
  s.rtt = std::move(*rtt);
  auto ipdv = ReadHistogram(st, c + 12, "ipdv_magnitude");
  if (!ipdv) return tl::unexpected(ipdv.error());
  s.ipdv_magnitude = std::move(*ipdv);
  s.ipdv_min = ReadOptional(st, c + 13);
  s.ipdv_max = ReadOptional(st, c + 14);
  s.rfc3550_jitter = ReadOptional(st, c + 15);
  auto forward = ReadHistogram(st, c + 16, "forward_delay");
  if (!forward) return tl::unexpected(forward.error());
  s.forward_delay = std::move(*forward);
  auto reverse = ReadHistogram(st, c + 17, "reverse_delay");
  if (!reverse) return tl::unexpected(reverse.error());
  s.reverse_delay = std::move(*reverse);
  if (!st.ColumnIsNull(c + 18)) record.throughput = Bandwidth{AsUnsigned(st.ColumnInt(c + 18))};
  return record;
}

Status SummaryStore::MergeSummary(std::int64_t path_id, const batch::PathSummary& entry) {
  const SystemTime minute = MinuteOf(entry.summary.start);
  sqlite::Statement& read = statements_->read_minute;
  read.Reset();
  read.Bind(1, path_id).Bind(2, UnixNanos(minute));
  auto row = read.Step();
  if (!row) return tl::unexpected(row.error());
  MinuteRecord record{.path = entry.path, .minute = minute, .summary = {}, .throughput = {}};
  if (*row) {
    auto stored = ReadMinute(read, 0, entry.path);
    if (!stored) {
      read.Reset();
      return tl::unexpected(stored.error());
    }
    record = std::move(*stored);
    record.minute = minute;
  }
  read.Reset();
  if (auto merged = MergeInto(record, entry.summary, entry.throughput); !merged) {
    return MakeError(merged.error().code, entry.path.ToString() + ": " + merged.error().message);
  }
  sqlite::Statement& write = statements_->write_minute;
  write.Reset();
  write.Bind(1, path_id).Bind(2, UnixNanos(minute));
  BindMinute(write, 3, record);
  return write.Run();
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
    if (auto merged = MergeSummary(*path_id, entry); !merged) {
      return tl::unexpected(merged.error());
    }
  }
  return ApplyResult{
      .outcome = ApplyOutcome::kApplied,
      .highest_sequence = highest ? std::max(*highest, batch.sequence) : batch.sequence};
}

Result<ApplyResult> SummaryStore::ApplyBatch(const batch::Batch& batch, SystemTime received) {
  if (auto begun = db_.Begin(); !begun) return tl::unexpected(begun.error());
  auto result = ApplyInTransaction(batch, received);
  if (!result || result->outcome != ApplyOutcome::kApplied) {
    db_.Rollback();
    path_table_.RolledBack();
    return result;
  }
  if (auto committed = db_.Commit(); !committed) {
    db_.Rollback();
    path_table_.RolledBack();
    return tl::unexpected(committed.error());
  }
  path_table_.Committed();
  return result;
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
  return CountRows(db_, "SELECT COUNT(*) FROM batches");
}

Result<std::uint64_t> SummaryStore::MinuteCount() {
  return CountRows(db_, "SELECT COUNT(*) FROM minutes");
}

Result<PruneResult> SummaryStore::Prune(SystemTime before) {
  if (auto begun = db_.Begin(); !begun) return tl::unexpected(begun.error());
  PruneResult result;
  auto run = [&](std::string_view sql, std::uint64_t& deleted,
                 std::optional<SystemTime> cutoff = std::nullopt) -> Status {
    auto statement = db_.Prepare(sql);
    if (!statement) return tl::unexpected(statement.error());
    statement->Bind(1, UnixNanos(cutoff.value_or(before)));
    if (auto ran = statement->Run(); !ran) return ran;
    deleted = static_cast<std::uint64_t>(db_.Changes());
    return {};
  };
  Status status = run("DELETE FROM minutes WHERE minute_ns < ?1", result.minutes_deleted);
  if (status) status = run("DELETE FROM batches WHERE received_ns < ?1", result.batches_deleted);
  // A verdict change holds until the path's next one, so the newest change before the cutoff
  // still describes the first kept minutes: it moves up to the cutoff instead of going.
  const SystemTime first_kept = std::chrono::ceil<std::chrono::minutes>(before);
  if (status) {
    status = run(
        "DELETE FROM verdict_changes WHERE minute_ns < ?1 AND minute_ns < (SELECT MAX(v.minute_ns) "
        "FROM verdict_changes v WHERE v.path_id = verdict_changes.path_id AND v.minute_ns <= ?1)",
        result.verdict_changes_deleted, first_kept);
  }
  std::uint64_t moved = 0;
  if (status) {
    status =
        run("UPDATE verdict_changes SET minute_ns = ?1 WHERE minute_ns < ?1", moved, first_kept);
  }
  // Closed breaches that ended before the cutoff; a pending or open one whose last bad minute is
  // that old belongs to a path long silent or gone (its thresholds go with it: ON DELETE CASCADE).
  if (status) {
    status =
        run("DELETE FROM breaches WHERE (state = 2 AND end_ns < ?1) OR (state <> 2 AND "
            "last_bad_end_ns < ?1)",
            result.breaches_deleted);
  }
  if (status) status = db_.Commit();
  if (!status) {
    db_.Rollback();
    return tl::unexpected(status.error());
  }
  return result;
}

std::uint64_t SummaryStore::DiskBytes() const {
  if (options_.path == ":memory:") return 0;
  std::uint64_t total = 0;
  for (const std::filesystem::path& file :
       {options_.path, std::filesystem::path(options_.path.string() + "-wal")}) {
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    if (!error) total += size;
  }
  return total;
}

}  // namespace linkmon::store
