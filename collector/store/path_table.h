#pragma once

// PathTable: the store's `paths` table (store_schema.h), one integer id per (source, target,
// method), which the minutes and the SLA history refer to. Each connection that writes rows
// naming paths keeps one, with a cache of ids known to be committed.
//
// Ids inserted inside a transaction are not cached until the caller says it committed: after a
// rollback the same path gets a new id, and a cached id of a rolled-back row would point nowhere.
//
// Not thread-safe: belongs to its connection's thread.

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/sqlite/sqlite_database.h"

namespace linkmon::store {

class PathTable {
 public:
  static Result<PathTable> Prepare(sqlite::Database& db);

  // The id of `path`, inserted when new (inside the caller's transaction).
  Result<std::int64_t> IdOf(const PathKey& path);
  // The id of `path`, or nullopt when it was never stored.
  Result<std::optional<std::int64_t>> Find(const PathKey& path);
  // The transaction that called IdOf committed, or rolled back.
  void Committed();
  void RolledBack() { added_.clear(); }

 private:
  PathTable(sqlite::Statement find, sqlite::Statement insert)
      : find_(std::move(find)), insert_(std::move(insert)) {}

  sqlite::Statement find_;
  sqlite::Statement insert_;
  // Hashed: looked up once per stored summary, where a tree of PathKeys compared three strings
  // at each of its levels (~20 % of the store's instructions per summary, callgrind).
  std::unordered_map<PathKey, std::int64_t, PathKeyHash> committed_;
  std::vector<std::pair<PathKey, std::int64_t>> added_;  // in the open transaction
};

// The path in columns first, first + 1, first + 2 (source, target, method) of the current row;
// kCorrupt when they are not valid names.
Result<PathKey> ReadPathKey(const sqlite::Statement& statement, int first);

}  // namespace linkmon::store
