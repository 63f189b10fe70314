#pragma once

// MinuteWriter: merges interval summaries into the store's `minutes` rows (minute_record.h), for
// the one connection that writes them (SummaryStore::ApplyBatches), inside its transaction.
//
// It remembers the last minute it wrote of each path, as written. A path's next interval mostly
// falls in that same minute (six 10 s intervals a minute), and then costs no read and no
// decoding of the stored histograms, and the row is rewritten in place with UPDATE, which leaves
// the minutes_by_time index alone (its column does not change) where INSERT OR REPLACE deleted
// and re-inserted the row and its index entry. A minute not remembered is read (and, when
// absent, inserted). Measured: bench/ingest_bench.cpp, collector/ingest/README.md.
//
// The memory holds committed rows and rows of the open transaction only: what a transaction
// wrote is forgotten when it rolls back. One entry per path, so it is bounded by the configured
// paths. Prune deletes rows under it (Forget() after a prune on this connection); a prune on
// another connection can leave an entry whose row is gone, and the UPDATE that finds no row
// then inserts it, so a stale entry cannot lose data.
//
// Not thread-safe: belongs to its connection's thread.

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "collector/store/minute_record.h"
#include "common/batch/batch.h"
#include "common/result.h"
#include "common/sqlite/sqlite_database.h"

namespace linkmon::store {

class MinuteWriter {
 public:
  static Result<MinuteWriter> Prepare(sqlite::Database& db);

  // Adds `entry` to the minute its interval starts in, for path `path_id`. Errors: kOutOfRange
  // when a histogram count would overflow (nothing changed), SQLite's.
  Status Merge(std::int64_t path_id, const batch::PathSummary& entry);

  // The caller's transaction committed, or rolled back.
  void Committed() { written_.clear(); }
  void RolledBack();
  // Rows may have gone (a prune on this connection): forget every minute.
  void Forget();

 private:
  struct Remembered {
    std::int64_t minute_ns;
    MinuteRecord record;
  };

  MinuteWriter(sqlite::Database& db, sqlite::Statement read, sqlite::Statement insert,
               sqlite::Statement update)
      : db_(&db), read_(std::move(read)), insert_(std::move(insert)), update_(std::move(update)) {}

  // The stored minute, or a new empty one; kCorrupt when the row does not decode.
  Result<MinuteRecord> Load(std::int64_t path_id, std::int64_t minute_ns, const PathKey& path,
                            bool& stored);
  Status Write(sqlite::Statement& statement, std::int64_t path_id, std::int64_t minute_ns,
               const MinuteRecord& record);

  sqlite::Database* db_;
  sqlite::Statement read_;
  sqlite::Statement insert_;
  sqlite::Statement update_;
  std::unordered_map<std::int64_t, Remembered> last_minute_;  // by path id
  std::vector<std::int64_t> written_;                         // path ids, open transaction
};

}  // namespace linkmon::store
