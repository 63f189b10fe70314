#pragma once

// The probe's on-disk queue of encoded batches (DESIGN.md "Upload"). Every batch goes through it:
// the uploader appends, sends the oldest, and removes it on the collector's 2xx, so ordering and
// crash-safety have one code path whether the collector is up or not.
//
// Storage: one SQLite database in WAL mode (common/sqlite). A process crash (kill -9) never loses a
// committed append; with Durability::kFull a returned Append also survives power loss. SQLite's
// WAL frame checksums discard a torn last write on reopen. Each blob also carries its CRC-32C,
// checked on read, so damage SQLite cannot see (a flipped bit in a page) is skipped, logged at
// warn and counted instead of being sent.
//
// Bound: the sum of the stored blobs' sizes stays at or below `max_bytes`. When an append would
// exceed it, the oldest batches are dropped (counted, logged at warn). The file itself is larger
// than the payload by SQLite's page overhead and the WAL (checkpointed every
// `wal_autocheckpoint_pages`).
// Near a full file system the spool stops growing on its own (see min_free_bytes), dropping the
// oldest batches for the newest; on a full one it checkpoints, drops and retries before it gives
// up on a batch, and stays consistent and readable.
//
// Order is the order of Append, kept by an AUTOINCREMENT key that is never reused, so batches of
// a previous run (whose sequence numbers may restart with a new probe start epoch) stay in front.
//
// Batches the collector refused with a 4xx other than 429 are moved to a separate bounded table:
// kept as evidence, never retried.
//
// Thread-safety: not thread-safe; one thread (the probe's io_context) owns a spool.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <vector>

#include "common/result.h"
#include "common/sqlite/sqlite_database.h"

namespace linkmon::upload {

struct SpoolOptions {
  std::filesystem::path path = {};
  std::uint64_t max_bytes = 256ull * 1024 * 1024;  // payload bytes of pending batches
  sqlite::Durability durability = sqlite::Durability::kFull;
  std::uint64_t max_rejected_batches = 1000;  // oldest rejected ones go first
  int wal_autocheckpoint_pages = 256;         // 1 MiB with 4 KiB pages
  // Below this much free space on the spool's file system (plus the new batch), an append first
  // checkpoints the WAL back into the database and then drops at least as many bytes of the
  // oldest batches as it adds, so that the files stop growing before the file system is full: a
  // WAL-mode database on a full file system cannot even delete.
  // Keep it above the WAL bound (wal_autocheckpoint_pages pages): a checkpoint needs that room.
  std::uint64_t min_free_bytes = 4 * 1024 * 1024;
};

struct SpooledBatch {
  std::int64_t id = 0;         // spool order; increases with every append, never reused
  std::uint64_t sequence = 0;  // the batch sequence the probe gave it
  std::vector<std::uint8_t> bytes;
};

// What an Append did besides storing the batch.
struct AppendOutcome {
  std::int64_t id = 0;
  std::uint64_t dropped_batches = 0;  // oldest batches dropped to make room
  std::uint64_t dropped_bytes = 0;
};

// Running totals since Open (counters) and the current contents (gauges).
struct SpoolStats {
  std::uint64_t pending_batches = 0;
  std::uint64_t pending_bytes = 0;
  std::uint64_t rejected_batches = 0;  // rows in the rejected table
  std::uint64_t appended_total = 0;
  std::uint64_t dropped_batches_total = 0;  // dropped for room, oldest first
  std::uint64_t dropped_bytes_total = 0;
  std::uint64_t corrupt_batches_total = 0;  // failed their CRC-32C on read, removed
};

class BatchSpool {
 public:
  // Opens or creates the spool, checks its schema and counts what it holds (logged at info).
  static Result<BatchSpool> Open(const SpoolOptions& options);

  BatchSpool(BatchSpool&&) noexcept = default;
  BatchSpool& operator=(BatchSpool&&) noexcept = default;

  // Stores `bytes` after every batch already spooled, dropping the oldest when the bound needs it.
  // kOutOfRange when one batch alone is larger than max_bytes. When the file system is full it
  // checkpoints the WAL and drops the oldest batches to make room before giving up with the
  // SQLite error (kIo); the spool stays consistent either way.
  Result<AppendOutcome> Append(std::uint64_t sequence, std::span<const std::uint8_t> bytes);

  // The oldest batch whose checksum holds, or nullopt when none is pending. Corrupt records met on
  // the way are removed, logged at warn and counted.
  Result<std::optional<SpooledBatch>> Oldest();

  // Up to `limit` pending batches in spool order; corrupt ones are skipped, logged and counted,
  // as by Oldest.
  Result<std::vector<SpooledBatch>> Pending(std::size_t limit);

  // Marks every batch up to and including `id` as delivered and deletes them. Batches are sent
  // oldest first, so what the collector acknowledged is always a prefix. They leave the pending
  // figures and are never returned again, even when the delete fails (a full file system: a
  // WAL-mode delete needs room too); the delete is then retried before the next write, and the
  // error returned for the log. After a restart such batches are sent again: the collector applies
  // a (probe id, sequence) once.
  Status Acknowledge(std::int64_t id);

  // Moves the oldest pending batch, which the collector refused (4xx), to the rejected table,
  // keeping the newest max_rejected_batches there. When that fails (full file system), the batch
  // is acknowledged instead, so that it is not sent again, and the error returned for the log.
  Status Reject(std::int64_t id, unsigned http_status);

  // The highest sequence ever appended (also after its batch was sent), so that a restarted probe
  // can continue numbering; nullopt for a new spool.
  std::optional<std::uint64_t> last_sequence() const { return last_sequence_; }

  const SpoolStats& stats() const { return stats_; }
  // True while the file system is below min_free_bytes and new batches replace old ones.
  bool low_space() const { return low_space_; }
  const std::filesystem::path& path() const { return options_.path; }

 private:
  BatchSpool(SpoolOptions options, sqlite::Database db)
      : options_(std::move(options)), db_(std::move(db)) {}

  Status LoadTotals();
  // Appends in one transaction, first dropping the oldest batches for the byte bound and, when
  // `reclaim_bytes` > 0, at least that many bytes more.
  Result<AppendOutcome> TryAppend(std::uint64_t sequence, std::span<const std::uint8_t> bytes,
                                  std::uint64_t reclaim_bytes);
  // Free bytes on the spool's file system; nullopt when statvfs fails.
  std::optional<std::uint64_t> FreeBytes() const;
  // Drops the oldest pending batch; false when none was left.
  Result<bool> DropOldest(std::uint64_t& dropped_bytes);
  Status RemoveCorrupt(std::int64_t id, std::uint64_t size);
  // Deletes acknowledged batches still on disk; on an I/O error checkpoints the WAL and tries once
  // more.
  Status PurgeAcknowledged();
  Status MoveToRejected(std::int64_t id, unsigned http_status);

  SpoolOptions options_;
  sqlite::Database db_;
  SpoolStats stats_;
  std::optional<std::uint64_t> last_sequence_;
  std::int64_t acknowledged_through_ = 0;  // ids up to this one are delivered (this run)
  bool purge_pending_ = false;             // some of them are still on disk
  bool low_space_ = false;                 // the last append found the file system nearly full
};

}  // namespace linkmon::upload
