#pragma once

// SummaryStore: the collector's durable history, one SQLite database (common/sqlite, WAL) whose
// schema store_schema.h owns (version 2; a version 1 file is migrated on open). This class keeps
// the minutes and batch keys; the SLA history (minute verdicts, breach events) lives in the same
// file beside them, written and read by history/history_store.h.
//
// Writes: ApplyBatch stores a probe's batch in ONE transaction: the batch key
// (probe, probe start epoch, sequence) and the batch's summaries merged into per-path, per-minute
// records (minute_record.h). Either both are committed or neither, so a batch is applied exactly
// once: a retried batch finds its key and is reported as a duplicate without touching the data.
//
// Durability promise: with Durability::kFull (the default, and what ingest uses), when ApplyBatch
// returns kApplied or kDuplicate the batch is in the WAL and fsync'ed: it survives a process crash
// (kill -9) and a power loss. With kNormal it survives a process crash only; a power loss may undo
// the last commits (SQLite WAL with synchronous=NORMAL).
//
// Reads (for the windows, the SLA evaluator and the API; they see only committed batches):
//   MinuteSummaries(path, from, to)  the minutes of one path in [from, to), oldest first
//   AllPathsSince(since)             every path's minutes from `since` on, oldest minute first,
//                                    paths in key order within a minute: rebuilds the sliding
//                                    windows after a restart (ForEachMinuteSince streams them)
//   Paths()                          every path that has a stored minute
// Retention: Prune(before) deletes minutes and batch keys older than `before`, and the SLA
// history's verdict changes and closed breaches older than it (the verdict change in force at
// `before` is moved up to the first kept minute, so that minute keeps its verdict; a pending or
// open breach whose last bad minute is older goes too: its path has been silent or unconfigured
// for the whole retention), in slices of at most max_rows rows a transaction. The daemon calls it
// hourly with now - collector.retention (default 35 days), slice after slice. A batch replayed
// after its key was pruned carries summaries older than the retention, which ingest refuses as too
// old.
//
// Sequence replay: a batch whose sequence is more than `replay_window` below the highest stored
// sequence of its (probe, epoch) and is not itself stored is refused as kStale. Probes send in
// order from their spool, so such a batch is not a retry but a replay (or a probe bug).
//
// Storage notes: sequences are unsigned 64-bit; SQLite integers are signed, so they are stored with
// the top bit flipped (seq XOR 2^63), which keeps their order. Counters above 2^63 are stored
// bit-cast and read back exactly. Histograms are stored in their binary codec (with its CRC-32C),
// so damage on disk is detected when read.
//
// Thread-safety: not thread-safe. One thread owns each SummaryStore: the collector's store
// writer thread (collector/ingest/store_writer.h) the one that writes batches, the io_context
// thread another that reads for the API; WAL lets readers read while the writer writes.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "collector/store/minute_record.h"
#include "collector/store/minute_writer.h"
#include "collector/store/path_table.h"
#include "common/batch/batch.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"
#include "common/sqlite/sqlite_database.h"

namespace linkmon::store {

struct StoreOptions {
  std::filesystem::path path;  // ":memory:" for tests that need no file
  sqlite::Durability durability = sqlite::Durability::kFull;
  // How far below the highest stored sequence of its epoch a new batch may be (see above).
  std::uint64_t replay_window = 1024;
  // SQLite's page cache of this connection, KiB; 0 keeps SQLite's default (2 MiB). The writer
  // takes more (store_writer.h): every batch rewrites one minute row per path, and pages the
  // cache does not hold are read back from the file on every commit.
  int cache_kib = 0;
};

enum class ApplyOutcome {
  kApplied,    // stored now
  kDuplicate,  // its key was already stored: acknowledged again, applied once
  kStale,      // refused: sequence too far below the epoch's highest, see replay_window
};

struct ApplyResult {
  ApplyOutcome outcome;
  std::uint64_t highest_sequence = 0;  // of the batch's epoch, after the call (for messages)
};

struct PruneResult {
  std::uint64_t minutes_deleted = 0;
  std::uint64_t batches_deleted = 0;
  std::uint64_t verdict_changes_deleted = 0;
  std::uint64_t breaches_deleted = 0;
  bool complete = true;  // false: rows older than the cutoff are left for the next call
};

// Bytes on disk of the store at `path`: the database file plus its WAL (0 for ":memory:").
// Reads only the files' sizes, so any thread may call it.
std::uint64_t StoreDiskBytes(const std::filesystem::path& path);

class SummaryStore {
 public:
  // Opens or creates the database and its schema. kIo when SQLite cannot open or write it,
  // kUnsupported when the file holds a schema version this build does not know.
  static Result<std::unique_ptr<SummaryStore>> Open(const StoreOptions& options);

  SummaryStore(const SummaryStore&) = delete;
  SummaryStore& operator=(const SummaryStore&) = delete;
  ~SummaryStore();

  // Stores `batch` atomically (see above). `received` is when the collector got it (wall clock),
  // kept with the key for retention. Errors: kOutOfRange when merging would overflow a histogram
  // count (nothing stored), kIo when SQLite fails (nothing stored; the probe should retry).
  Result<ApplyResult> ApplyBatch(const batch::Batch& batch, SystemTime received);

  struct BatchToApply {
    const batch::Batch* batch;
    SystemTime received;
  };
  // Group commit: stores several batches in ONE transaction (one fsync), in order, each as
  // ApplyBatch would (its own key, duplicate and stale checks, which see the batches before it
  // in the group: a batch twice in a group is applied once, then a duplicate). results[i]
  // answers batches[i]. A batch whose apply fails gets its error and the group is committed
  // without it; when the commit itself fails, every batch gets that error (nothing stored).
  std::vector<Result<ApplyResult>> ApplyBatches(std::span<const BatchToApply> batches);

  Result<std::vector<MinuteRecord>> MinuteSummaries(const PathKey& path, SystemTime from,
                                                    SystemTime to);
  Result<std::vector<MinuteRecord>> AllPathsSince(SystemTime since);
  // As AllPathsSince, one record at a time, without holding them all.
  Status ForEachMinuteSince(SystemTime since,
                            const std::function<void(const MinuteRecord&)>& visit);
  Result<std::vector<PathKey>> Paths();

  // True when the batch key is stored.
  Result<bool> HasBatch(const SiteName& probe, SystemTime probe_start, std::uint64_t sequence);
  // Number of stored batch keys and minute records (for tests and metrics).
  Result<std::uint64_t> BatchCount();
  Result<std::uint64_t> MinuteCount();

  // Each call is one transaction that deletes minutes path by path until `max_rows` are
  // reached (with the whole of the path that reaches it: a path's old minutes are contiguous in
  // the primary key, so a slice rewrites each page once) and at most `max_rows` batch keys; when
  // more are left, `complete` is false and the caller calls again with the same `before`. A caller
  // that also serves requests (the collector's io thread) prunes in such slices: an hour of minutes
  // at 10,000 paths is 600,000 rows, over a second in one transaction. Verdict changes and breaches
  // (far fewer) go in the call that completes.
  Result<PruneResult> Prune(SystemTime before,
                            std::uint64_t max_rows = std::numeric_limits<std::uint64_t>::max());

  // Bytes on disk: the database file plus its WAL (0 for ":memory:").
  std::uint64_t DiskBytes() const;

 private:
  struct Statements;
  SummaryStore(StoreOptions options, std::unique_ptr<sqlite::Database> db,
               std::unique_ptr<Statements> statements, PathTable path_table,
               MinuteWriter minute_writer);

  Result<ApplyResult> ApplyInTransaction(const batch::Batch& batch, SystemTime received);
  void RollBack();

  StoreOptions options_;
  std::unique_ptr<sqlite::Database> db_;
  std::unique_ptr<Statements> statements_;
  PathTable path_table_;
  MinuteWriter minute_writer_;
  std::int64_t prune_after_path_ = 0;  // an unfinished prune's last path id done (0: none)
};

}  // namespace linkmon::store
