#include "collector/store/minute_writer.h"

#include <string>
#include <utility>

#include "collector/store/minute_columns.h"
#include "collector/store/store_schema.h"

namespace linkmon::store {

Result<MinuteWriter> MinuteWriter::Prepare(sqlite::Database& db) {
  const std::string columns(kMinuteColumns);
  std::string placeholders;
  std::string assignments;
  std::size_t from = 0;
  for (int i = 0; i < kMinuteColumnCount; ++i) {
    const std::size_t comma = columns.find(',', from);
    const std::string name =
        columns.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
    from = comma == std::string::npos ? columns.size() : comma + 2;
    placeholders += ", ?" + std::to_string(i + 3);
    assignments += (i > 0 ? ", " : "") + name + " = ?" + std::to_string(i + 3);
  }
  auto read =
      db.Prepare("SELECT " + columns + " FROM minutes WHERE path_id = ?1 AND minute_ns = ?2");
  if (!read) return tl::unexpected(read.error());
  auto insert = db.Prepare("INSERT INTO minutes (path_id, minute_ns, " + columns +
                           ") VALUES (?1, ?2" + placeholders + ")");
  if (!insert) return tl::unexpected(insert.error());
  auto update =
      db.Prepare("UPDATE minutes SET " + assignments + " WHERE path_id = ?1 AND minute_ns = ?2");
  if (!update) return tl::unexpected(update.error());
  return MinuteWriter(db, std::move(*read), std::move(*insert), std::move(*update));
}

Result<MinuteRecord> MinuteWriter::Load(std::int64_t path_id, std::int64_t minute_ns,
                                        const PathKey& path, bool& stored) {
  read_.Reset();
  read_.Bind(1, path_id).Bind(2, minute_ns);
  auto row = read_.Step();
  if (!row) {
    read_.Reset();
    return tl::unexpected(row.error());
  }
  stored = *row;
  Result<MinuteRecord> record =
      stored ? ReadMinute(read_, 0, path)
             : MinuteRecord{.path = path, .minute = {}, .summary = {}, .throughput = {}};
  read_.Reset();
  if (record) record->minute = FromUnixNanos(minute_ns);
  return record;
}

Status MinuteWriter::Write(sqlite::Statement& statement, std::int64_t path_id,
                           std::int64_t minute_ns, const MinuteRecord& record) {
  statement.Reset();
  statement.Bind(1, path_id).Bind(2, minute_ns);
  BindMinute(statement, 3, record);
  return statement.Run();
}

Status MinuteWriter::Merge(std::int64_t path_id, const batch::PathSummary& entry) {
  const std::int64_t minute_ns = UnixNanos(MinuteOf(entry.summary.start));
  auto it = last_minute_.find(path_id);
  bool stored = true;
  if (it == last_minute_.end() || it->second.minute_ns != minute_ns) {
    auto loaded = Load(path_id, minute_ns, entry.path, stored);
    if (!loaded) return tl::unexpected(loaded.error());
    it = last_minute_.insert_or_assign(path_id, Remembered{minute_ns, std::move(*loaded)}).first;
  }
  // From here the remembered row may differ from the committed one: a rollback forgets it.
  written_.push_back(path_id);
  MinuteRecord& record = it->second.record;
  if (auto merged = MergeInto(record, entry.summary, entry.throughput); !merged) {
    return MakeError(merged.error().code, entry.path.ToString() + ": " + merged.error().message);
  }
  if (!stored) return Write(insert_, path_id, minute_ns, record);
  if (auto updated = Write(update_, path_id, minute_ns, record); !updated) return updated;
  // No row to update: a prune on another connection deleted it under the remembered copy.
  if (db_->Changes() == 0) return Write(insert_, path_id, minute_ns, record);
  return {};
}

void MinuteWriter::RolledBack() {
  for (const std::int64_t path_id : written_) last_minute_.erase(path_id);
  written_.clear();
}

void MinuteWriter::Forget() {
  last_minute_.clear();
  written_.clear();
}

}  // namespace linkmon::store
