#include "probe/upload/batch_spool.h"

#include <sys/statvfs.h>

#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/histogram/histogram_codec.h"
#include "common/logging.h"

namespace linkmon::upload {

namespace {

namespace fs = std::filesystem;

// `batches` holds what waits for the collector; `rejected` what the collector refused for good.
// crc32c covers `body`; size is length(body), kept so that the byte total is a cheap SUM.
constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS spool_meta(
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS batches(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sequence INTEGER NOT NULL,
  crc32c INTEGER NOT NULL,
  size INTEGER NOT NULL,
  body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS rejected(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sequence INTEGER NOT NULL,
  http_status INTEGER NOT NULL,
  rejected_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  body BLOB NOT NULL
);
)sql";

// How many times a full file system is answered by checkpointing and dropping the oldest batch
// before an append gives up.
constexpr int kMaxDiskFullRetries = 8;

std::uint32_t Checksum(std::span<const std::uint8_t> bytes) { return histogram::Crc32c(bytes); }

Error InContext(const Error& error, std::string_view step) {
  return Error{error.code, "spool: " + std::string(step) + ": " + error.message};
}

}  // namespace

Result<BatchSpool> BatchSpool::Open(const SpoolOptions& options) {
  if (options.max_bytes == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "spool: max_bytes must be positive");
  }
  // A clean close checkpoints and deletes the WAL; one left behind means the last run crashed or
  // was killed. SQLite replays the WAL's committed frames and, by their checksums, discards a torn
  // last write: say so, since that write's batch is gone.
  std::error_code ignored;
  const fs::path wal = fs::path(options.path.string() + "-wal");
  if (const auto wal_bytes = fs::file_size(wal, ignored); !ignored && wal_bytes > 0) {
    spdlog::warn("event=spool_recovering path={} wal_bytes={} detail={}",
                 KvQuote(options.path.string()), wal_bytes,
                 KvQuote("not closed cleanly; committed batches are kept, a torn last write is "
                         "discarded"));
  }
  auto db = sqlite::Database::Open({.path = options.path, .durability = options.durability});
  if (!db) return tl::unexpected(InContext(db.error(), "open " + options.path.string()));
  // journal_size_limit truncates the WAL back after a checkpoint, so a burst does not keep the
  // file system's space once the batches are sent. The page cache is kept small (SQLite's default
  // is 2 MB): the spool writes each batch once and reads it back once, oldest first, so a cache
  // saves almost nothing, and the probe's memory is what issue 10 measures.
  const std::string pragmas =
      "PRAGMA wal_autocheckpoint=" + std::to_string(options.wal_autocheckpoint_pages) +
      ";PRAGMA journal_size_limit=" + std::to_string(options.wal_autocheckpoint_pages * 4096) +
      ";PRAGMA cache_size=-64;";
  if (auto status = db->Execute(pragmas); !status) {
    return tl::unexpected(InContext(status.error(), "configure"));
  }
  if (auto status = db->Execute(kSchema); !status) {
    return tl::unexpected(InContext(status.error(), "create schema"));
  }
  BatchSpool spool(options, std::move(*db));
  if (auto status = spool.LoadTotals(); !status) return tl::unexpected(status.error());
  spdlog::info("event=spool_opened path={} pending_batches={} pending_bytes={} rejected_batches={}",
               KvQuote(options.path.string()), spool.stats_.pending_batches,
               spool.stats_.pending_bytes, spool.stats_.rejected_batches);
  return spool;
}

Status BatchSpool::LoadTotals() {
  auto totals = db_.Prepare("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM batches");
  if (!totals) return tl::unexpected(InContext(totals.error(), "count batches"));
  if (auto row = totals->Step(); !row) return tl::unexpected(InContext(row.error(), "count"));
  stats_.pending_batches = static_cast<std::uint64_t>(totals->ColumnInt(0));
  stats_.pending_bytes = static_cast<std::uint64_t>(totals->ColumnInt(1));

  auto rejected = db_.Prepare("SELECT COUNT(*) FROM rejected");
  if (!rejected) return tl::unexpected(InContext(rejected.error(), "count rejected"));
  if (auto row = rejected->Step(); !row) return tl::unexpected(InContext(row.error(), "count"));
  stats_.rejected_batches = static_cast<std::uint64_t>(rejected->ColumnInt(0));

  auto meta = db_.Prepare("SELECT value FROM spool_meta WHERE key = 'last_sequence'");
  if (!meta) return tl::unexpected(InContext(meta.error(), "read last sequence"));
  auto row = meta->Step();
  if (!row) return tl::unexpected(InContext(row.error(), "read last sequence"));
  if (*row) last_sequence_ = static_cast<std::uint64_t>(meta->ColumnInt(0));
  return {};
}

Result<AppendOutcome> BatchSpool::Append(std::uint64_t sequence,
                                         std::span<const std::uint8_t> bytes) {
  if (bytes.size() > options_.max_bytes) {
    return MakeError(ErrorCode::kOutOfRange, "spool: batch " + std::to_string(sequence) + " of " +
                                                 std::to_string(bytes.size()) +
                                                 " bytes exceeds the spool bound of " +
                                                 std::to_string(options_.max_bytes) + " bytes");
  }
  // Near a full file system: give the WAL's space back first; if that is not enough, replace the
  // oldest batches instead of growing the files.
  std::uint64_t reclaim = 0;
  const std::uint64_t wanted_free = options_.min_free_bytes + bytes.size();
  if (auto free = FreeBytes(); free && *free < wanted_free) {
    (void)db_.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
    if (free = FreeBytes(); free && *free < wanted_free) {
      reclaim = bytes.size();
      if (!low_space_) {
        spdlog::warn("event=spool_low_space path={} free_bytes={} min_free_bytes={} detail={}",
                     KvQuote(options_.path.string()), *free, options_.min_free_bytes,
                     KvQuote("new batches now replace the oldest ones"));
      }
    }
  }
  if (low_space_ && reclaim == 0) {
    spdlog::info("event=spool_space_recovered path={}", KvQuote(options_.path.string()));
  }
  low_space_ = reclaim > 0;

  auto appended = TryAppend(sequence, bytes, reclaim);
  if (appended || appended.error().code != ErrorCode::kIo) return appended;

  // Most likely the file system is full (SQLITE_FULL is an I/O error to common/sqlite). A
  // checkpoint lets the WAL restart from its beginning; dropping the oldest batch frees pages for
  // the new one. Newer measurements are worth more than older ones, as with the byte bound.
  std::uint64_t extra_batches = 0;
  std::uint64_t extra_bytes = 0;
  for (int attempt = 0; attempt < kMaxDiskFullRetries && !appended; ++attempt) {
    (void)db_.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
    if (attempt > 0) {
      std::uint64_t freed = 0;
      auto dropped = DropOldest(freed);
      if (!dropped || !*dropped) break;
      ++extra_batches;
      extra_bytes += freed;
      stats_.dropped_batches_total += 1;
      stats_.dropped_bytes_total += freed;
    }
    appended = TryAppend(sequence, bytes, 0);
  }
  if (extra_batches > 0) {
    spdlog::warn("event=spool_dropped_oldest reason=write_failed batches={} bytes={} error={}",
                 extra_batches, extra_bytes,
                 KvQuote(appended ? "none after dropping" : appended.error().message));
  }
  if (!appended) return appended;
  appended->dropped_batches += extra_batches;
  appended->dropped_bytes += extra_bytes;
  return appended;
}

Result<AppendOutcome> BatchSpool::TryAppend(std::uint64_t sequence,
                                            std::span<const std::uint8_t> bytes,
                                            std::uint64_t reclaim_bytes) {
  // Delivered batches left on disk by a failed delete go first: they hold room, not data.
  (void)PurgeAcknowledged();
  const SpoolStats before = stats_;
  auto fail = [&](const Error& error, std::string_view step) {
    db_.Rollback();
    stats_ = before;
    return tl::unexpected(InContext(error, step));
  };
  if (auto status = db_.Begin(); !status) return fail(status.error(), "begin append");

  AppendOutcome outcome;
  while (stats_.pending_bytes + bytes.size() > options_.max_bytes ||
         outcome.dropped_bytes < reclaim_bytes) {
    std::uint64_t freed = 0;
    auto dropped = DropOldest(freed);
    if (!dropped) return fail(dropped.error(), "drop oldest");
    if (!*dropped) break;
    ++outcome.dropped_batches;
    outcome.dropped_bytes += freed;
  }

  // Bound, not written into a zeroblob by BLOB handle: that saves SQLite's copy of the body
  // into the row's record (~400 KB), but a body larger than the 256 KiB page cache spills its
  // zeroed pages to the WAL before they are written again, which doubled the bytes the spool
  // writes (measured: 14.7 -> 28.9 MB in 25 s at 10,000 targets).
  auto insert = db_.Prepare("INSERT INTO batches(sequence, crc32c, size, body) VALUES(?, ?, ?, ?)");
  if (!insert) return fail(insert.error(), "prepare insert");
  insert->Bind(1, static_cast<std::int64_t>(sequence))
      .Bind(2, static_cast<std::int64_t>(Checksum(bytes)))
      .Bind(3, static_cast<std::int64_t>(bytes.size()))
      .BindBlobUncopied(4, bytes);  // `bytes` outlives `insert`
  if (auto status = insert->Run(); !status) return fail(status.error(), "insert");
  outcome.id = db_.LastInsertRowId();

  auto meta = db_.Prepare(
      "INSERT INTO spool_meta(key, value) VALUES('last_sequence', ?) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  if (!meta) return fail(meta.error(), "prepare last sequence");
  meta->Bind(1, static_cast<std::int64_t>(sequence));
  if (auto status = meta->Run(); !status) return fail(status.error(), "store last sequence");

  if (auto status = db_.Commit(); !status) return fail(status.error(), "commit append");

  stats_.pending_batches += 1;
  stats_.pending_bytes += bytes.size();
  stats_.appended_total += 1;
  stats_.dropped_batches_total += outcome.dropped_batches;
  stats_.dropped_bytes_total += outcome.dropped_bytes;
  last_sequence_ = sequence;
  if (outcome.dropped_batches > 0) {
    spdlog::warn("event=spool_dropped_oldest reason={} batches={} bytes={} max_bytes={}",
                 reclaim_bytes > 0 ? "low_disk_space" : "spool_full", outcome.dropped_batches,
                 outcome.dropped_bytes, options_.max_bytes);
  }
  return outcome;
}

std::optional<std::uint64_t> BatchSpool::FreeBytes() const {
  struct statvfs info {};
  fs::path dir = options_.path.parent_path();
  if (dir.empty()) dir = ".";
  if (::statvfs(dir.c_str(), &info) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(info.f_bavail) * info.f_frsize;
}

Result<bool> BatchSpool::DropOldest(std::uint64_t& dropped_bytes) {
  auto drop = db_.Prepare(
      "DELETE FROM batches WHERE id = (SELECT MIN(id) FROM batches WHERE id > ?) RETURNING size");
  if (!drop) return tl::unexpected(drop.error());
  drop->Bind(1, acknowledged_through_);
  auto row = drop->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return false;
  dropped_bytes = static_cast<std::uint64_t>(drop->ColumnInt(0));
  // Finish the statement so that the DELETE is complete before the caller goes on.
  if (auto done = drop->Step(); !done) return tl::unexpected(done.error());
  stats_.pending_batches -= 1;
  stats_.pending_bytes -= dropped_bytes;
  return true;
}

Result<std::optional<SpooledBatch>> BatchSpool::Oldest() {
  auto batches = Pending(1);
  if (!batches) return tl::unexpected(batches.error());
  if (batches->empty()) return std::nullopt;
  return std::move(batches->front());
}

Result<std::vector<SpooledBatch>> BatchSpool::Pending(std::size_t limit) {
  std::vector<SpooledBatch> good;
  // A corrupt record is removed and the read repeated, so `limit` good batches come back when
  // there are that many.
  while (good.size() < limit) {
    // The body is read apart (ReadBlob): selected, it would be in memory twice, ~400 KB each.
    auto select = db_.Prepare(
        "SELECT id, sequence, crc32c, size FROM batches WHERE id > ? ORDER BY id LIMIT ?");
    if (!select) return tl::unexpected(InContext(select.error(), "prepare read"));
    select->Bind(1, good.empty() ? acknowledged_through_ : good.back().id)
        .Bind(2, static_cast<std::int64_t>(limit - good.size()));
    std::vector<std::pair<std::int64_t, std::uint64_t>> corrupt;  // id, stated size
    std::size_t rows = 0;
    for (;;) {
      auto row = select->Step();
      if (!row) return tl::unexpected(InContext(row.error(), "read"));
      if (!*row) break;
      ++rows;
      const std::int64_t id = select->ColumnInt(0);
      auto body = db_.ReadBlob("batches", "body", id);
      if (!body) return tl::unexpected(InContext(body.error(), "read"));
      const auto stated_size = static_cast<std::uint64_t>(select->ColumnInt(3));
      const auto stored_crc = static_cast<std::uint32_t>(select->ColumnInt(2));
      if (body->size() != stated_size || Checksum(*body) != stored_crc) {
        corrupt.emplace_back(id, stated_size);
        spdlog::warn(
            "event=spool_corrupt_batch_skipped path={} id={} sequence={} size={} stated_size={}",
            KvQuote(options_.path.string()), id, select->ColumnInt(1), body->size(), stated_size);
        continue;
      }
      good.push_back(SpooledBatch{.id = id,
                                  .sequence = static_cast<std::uint64_t>(select->ColumnInt(1)),
                                  .bytes = std::move(*body)});
    }
    select->Reset();
    for (const auto& [id, size] : corrupt) {
      if (auto status = RemoveCorrupt(id, size); !status) return tl::unexpected(status.error());
    }
    if (corrupt.empty() || rows == 0) break;
  }
  return good;
}

Status BatchSpool::RemoveCorrupt(std::int64_t id, std::uint64_t size) {
  auto remove = db_.Prepare("DELETE FROM batches WHERE id = ?");
  if (!remove) return tl::unexpected(InContext(remove.error(), "prepare remove corrupt"));
  remove->Bind(1, id);
  if (auto status = remove->Run(); !status) {
    return tl::unexpected(InContext(status.error(), "remove corrupt"));
  }
  if (db_.Changes() > 0) {
    stats_.pending_batches -= 1;
    stats_.pending_bytes -= std::min(size, stats_.pending_bytes);
    stats_.corrupt_batches_total += 1;
  }
  return {};
}

Status BatchSpool::Acknowledge(std::int64_t id) {
  if (id > acknowledged_through_) {
    auto delivered = db_.Prepare(
        "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM batches WHERE id > ? AND id <= ?");
    if (!delivered) return tl::unexpected(InContext(delivered.error(), "prepare acknowledge"));
    delivered->Bind(1, acknowledged_through_).Bind(2, id);
    auto row = delivered->Step();
    if (!row) return tl::unexpected(InContext(row.error(), "acknowledge"));
    const auto batches = static_cast<std::uint64_t>(delivered->ColumnInt(0));
    const auto bytes = static_cast<std::uint64_t>(delivered->ColumnInt(1));
    stats_.pending_batches -= std::min(batches, stats_.pending_batches);
    stats_.pending_bytes -= std::min(bytes, stats_.pending_bytes);
    acknowledged_through_ = id;
    purge_pending_ = true;
  }
  return PurgeAcknowledged();
}

Status BatchSpool::PurgeAcknowledged() {
  if (!purge_pending_) return {};
  auto purge = [&]() -> Status {
    auto remove = db_.Prepare("DELETE FROM batches WHERE id <= ?");
    if (!remove) return tl::unexpected(remove.error());
    remove->Bind(1, acknowledged_through_);
    return remove->Run();
  };
  auto purged = purge();
  if (!purged && purged.error().code == ErrorCode::kIo) {
    // A full file system: a checkpoint lets the WAL start over from its beginning.
    (void)db_.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
    purged = purge();
  }
  if (!purged) return tl::unexpected(InContext(purged.error(), "delete acknowledged batches"));
  purge_pending_ = false;
  return {};
}

Status BatchSpool::MoveToRejected(std::int64_t id, unsigned http_status) {
  const SpoolStats before = stats_;
  auto fail = [&](const Error& error, std::string_view step) {
    db_.Rollback();
    stats_ = before;
    return tl::unexpected(InContext(error, step));
  };
  if (auto status = db_.Begin(); !status) return fail(status.error(), "begin reject");
  auto copy = db_.Prepare(
      "INSERT INTO rejected(sequence, http_status, body) "
      "SELECT sequence, ?, body FROM batches WHERE id = ?");
  if (!copy) return fail(copy.error(), "prepare reject");
  copy->Bind(1, static_cast<std::int64_t>(http_status)).Bind(2, id);
  if (auto status = copy->Run(); !status) return fail(status.error(), "copy to rejected");
  const bool moved = db_.Changes() > 0;

  auto remove = db_.Prepare("DELETE FROM batches WHERE id = ? RETURNING size");
  if (!remove) return fail(remove.error(), "prepare remove rejected");
  remove->Bind(1, id);
  auto row = remove->Step();
  if (!row) return fail(row.error(), "remove rejected");
  if (*row) {
    const auto size = static_cast<std::uint64_t>(remove->ColumnInt(0));
    if (auto done = remove->Step(); !done) return fail(done.error(), "remove rejected");
    stats_.pending_batches -= 1;
    stats_.pending_bytes -= std::min(size, stats_.pending_bytes);
  }

  auto trim = db_.Prepare(
      "DELETE FROM rejected WHERE id NOT IN (SELECT id FROM rejected ORDER BY id DESC LIMIT ?)");
  if (!trim) return fail(trim.error(), "prepare trim rejected");
  trim->Bind(1, static_cast<std::int64_t>(options_.max_rejected_batches));
  if (auto status = trim->Run(); !status) return fail(status.error(), "trim rejected");
  const auto trimmed = static_cast<std::uint64_t>(db_.Changes());

  if (auto status = db_.Commit(); !status) return fail(status.error(), "commit reject");
  if (moved) stats_.rejected_batches += 1;
  stats_.rejected_batches -= std::min(trimmed, stats_.rejected_batches);
  return {};
}

Status BatchSpool::Reject(std::int64_t id, unsigned http_status) {
  (void)PurgeAcknowledged();
  auto moved = MoveToRejected(id, http_status);
  if (!moved && moved.error().code == ErrorCode::kIo) {
    (void)db_.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
    moved = MoveToRejected(id, http_status);
  }
  if (!moved) {
    (void)Acknowledge(id);
    return moved;
  }
  return {};
}

}  // namespace linkmon::upload
