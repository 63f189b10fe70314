#include "collector/store/store_schema.h"

#include <string>

namespace linkmon::store {
namespace {

using std::chrono::nanoseconds;

// Version 1: batch keys and per-path, per-minute summaries.
constexpr std::string_view kVersion1Tables = R"sql(
CREATE TABLE IF NOT EXISTS batches (
  probe TEXT NOT NULL,
  probe_start_ns INTEGER NOT NULL,
  sequence_key INTEGER NOT NULL,   -- sequence XOR 2^63: unsigned order in a signed column
  received_ns INTEGER NOT NULL,
  summaries INTEGER NOT NULL,
  PRIMARY KEY (probe, probe_start_ns, sequence_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS batches_by_received ON batches (received_ns);
CREATE TABLE IF NOT EXISTS paths (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  target TEXT NOT NULL,
  method TEXT NOT NULL,
  UNIQUE (source, target, method)
);
CREATE TABLE IF NOT EXISTS minutes (
  path_id INTEGER NOT NULL REFERENCES paths (id),
  minute_ns INTEGER NOT NULL,
  start_ns INTEGER NOT NULL,
  duration_ns INTEGER NOT NULL,
  timestamp_source TEXT NOT NULL,
  sent INTEGER NOT NULL,
  received INTEGER NOT NULL,
  late INTEGER NOT NULL,
  lost INTEGER NOT NULL,
  untracked INTEGER NOT NULL,
  duplicated INTEGER NOT NULL,
  reordered INTEGER NOT NULL,
  one_way_unsynchronized INTEGER NOT NULL,
  rtt BLOB,                        -- histogram codec; NULL when empty
  ipdv_magnitude BLOB,
  ipdv_min_ns INTEGER,
  ipdv_max_ns INTEGER,
  rfc3550_jitter_ns INTEGER,
  forward_delay BLOB,
  reverse_delay BLOB,
  throughput_bps INTEGER,
  PRIMARY KEY (path_id, minute_ns)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS minutes_by_time ON minutes (minute_ns);
)sql";

// Version 2: the SLA history (history/history_store.h says what each row means).
constexpr std::string_view kVersion2Tables = R"sql(
CREATE TABLE IF NOT EXISTS sla_progress (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  judged_through_ns INTEGER NOT NULL  -- every minute starting before it has been judged
);
CREATE TABLE IF NOT EXISTS verdict_changes (
  path_id INTEGER NOT NULL REFERENCES paths (id),
  minute_ns INTEGER NOT NULL,         -- the verdict holds from here to the path's next change
  verdict INTEGER NOT NULL,           -- 0 good, 1 bad, 2 unknown
  PRIMARY KEY (path_id, minute_ns)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS breaches (
  id TEXT PRIMARY KEY,
  path_id INTEGER NOT NULL REFERENCES paths (id),
  sla_class TEXT NOT NULL,
  state INTEGER NOT NULL,             -- 0 pending (bad run not yet long enough), 1 open, 2 closed
  start_ns INTEGER NOT NULL,
  end_ns INTEGER,                     -- NULL unless closed
  bad_minutes INTEGER NOT NULL,
  good_run INTEGER NOT NULL,          -- good minutes since the last bad one (open only)
  last_bad_end_ns INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS breaches_by_start ON breaches (start_ns);
CREATE INDEX IF NOT EXISTS breaches_by_path ON breaches (path_id, state);
CREATE TABLE IF NOT EXISTS breach_thresholds (
  breach_id TEXT NOT NULL REFERENCES breaches (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,                 -- rtt_p50, rtt_p95, rtt_p99, jitter, loss, min_bandwidth
  window_ns INTEGER NOT NULL,
  limit_value REAL NOT NULL,          -- seconds, ratio or bits per second
  worst_value REAL,                   -- NULL when violated only by a dead path
  violated_minutes INTEGER NOT NULL,
  PRIMARY KEY (breach_id, kind)
) WITHOUT ROWID;
)sql";

Result<std::int64_t> UserVersion(sqlite::Database& db) {
  auto query = db.Prepare("PRAGMA user_version");
  if (!query) return tl::unexpected(query.error());
  auto row = query->Step();
  if (!row) return tl::unexpected(row.error());
  return query->ColumnInt(0);
}

}  // namespace

Result<sqlite::Database> OpenStoreDatabase(const std::filesystem::path& path,
                                           sqlite::Durability durability) {
  auto db = sqlite::Database::Open(sqlite::OpenOptions{.path = path, .durability = durability});
  if (!db) return tl::unexpected(db.error());
  auto version = UserVersion(*db);
  if (!version) return tl::unexpected(version.error());
  if (*version > kStoreSchemaVersion || *version < 0) {
    return MakeError(ErrorCode::kUnsupported, "store: " + path.string() + " has schema version " +
                                                  std::to_string(*version) + "; this build knows " +
                                                  std::to_string(kStoreSchemaVersion));
  }
  if (*version == kStoreSchemaVersion) return db;
  // New (0) or version 1: every CREATE is IF NOT EXISTS, so one script creates or migrates, in
  // one transaction so that a crash leaves the old version, never half a new one.
  if (auto begun = db->Begin(); !begun) return tl::unexpected(begun.error());
  Status created =
      db->Execute(std::string(kVersion1Tables) + std::string(kVersion2Tables) +
                  "PRAGMA user_version = " + std::to_string(kStoreSchemaVersion) + ";");
  if (created) created = db->Commit();
  if (!created) {
    db->Rollback();
    return tl::unexpected(created.error());
  }
  return db;
}

Status ForEachRow(sqlite::Statement& query, const std::function<Status()>& on_row) {
  Status status;
  while (status) {
    auto row = query.Step();
    if (!row) {
      status = tl::unexpected(row.error());
    } else if (!*row) {
      break;
    } else {
      status = on_row();
    }
  }
  query.Reset();
  return status;
}

Result<std::uint64_t> CountRows(sqlite::Database& db, std::string_view sql) {
  auto query = db.Prepare(sql);
  if (!query) return tl::unexpected(query.error());
  auto row = query->Step();
  if (!row) return tl::unexpected(row.error());
  return static_cast<std::uint64_t>(query->ColumnInt(0));
}

std::int64_t UnixNanos(SystemTime time) {
  return std::chrono::duration_cast<nanoseconds>(time.time_since_epoch()).count();
}

SystemTime FromUnixNanos(std::int64_t ns) {
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(nanoseconds(ns)));
}

}  // namespace linkmon::store
