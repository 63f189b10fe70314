#include "collector/store/path_table.h"

namespace linkmon::store {

Result<PathTable> PathTable::Prepare(sqlite::Database& db) {
  auto find = db.Prepare("SELECT id FROM paths WHERE source = ?1 AND target = ?2 AND method = ?3");
  if (!find) return tl::unexpected(find.error());
  auto insert =
      db.Prepare("INSERT INTO paths (source, target, method) VALUES (?1, ?2, ?3) RETURNING id");
  if (!insert) return tl::unexpected(insert.error());
  return PathTable(std::move(*find), std::move(*insert));
}

Result<std::optional<std::int64_t>> PathTable::Find(const PathKey& path) {
  if (auto it = committed_.find(path); it != committed_.end()) return it->second;
  for (const auto& [key, id] : added_) {
    if (key == path) return id;
  }
  find_.Reset();
  find_.Bind(1, path.source.str()).Bind(2, path.target.str()).Bind(3, MethodName(path.method));
  auto row = find_.Step();
  if (!row) {
    find_.Reset();
    return tl::unexpected(row.error());
  }
  std::optional<std::int64_t> id;
  if (*row) {
    id = find_.ColumnInt(0);
    committed_.emplace(path, *id);  // found, so committed earlier
  }
  find_.Reset();
  return id;
}

Result<std::int64_t> PathTable::IdOf(const PathKey& path) {
  auto found = Find(path);
  if (!found) return tl::unexpected(found.error());
  if (*found) return **found;
  insert_.Reset();
  insert_.Bind(1, path.source.str()).Bind(2, path.target.str()).Bind(3, MethodName(path.method));
  auto row = insert_.Step();
  if (!row || !*row) {
    insert_.Reset();
    if (!row) return tl::unexpected(row.error());
    return MakeError(ErrorCode::kIo,
                     "store: inserting path " + path.ToString() + " returned no id");
  }
  const std::int64_t id = insert_.ColumnInt(0);
  insert_.Reset();
  added_.emplace_back(path, id);
  return id;
}

void PathTable::Committed() {
  for (auto& [key, id] : added_) committed_.emplace(std::move(key), id);
  added_.clear();
}

Result<PathKey> ReadPathKey(const sqlite::Statement& statement, int first) {
  auto source = SiteName::Make(statement.ColumnText(first));
  auto target = TargetName::Make(statement.ColumnText(first + 1));
  auto method = ParseMethod(statement.ColumnText(first + 2));
  if (!source || !target || !method) {
    return MakeError(ErrorCode::kCorrupt, "store: invalid path in paths table");
  }
  return PathKey{*source, *target, *method};
}

}  // namespace linkmon::store
