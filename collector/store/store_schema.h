#pragma once

// The collector's database file: one SQLite file (collector.store_path) holding
//   version 1  batches, paths, minutes                        (summary_store.h)
//   version 2  + sla_progress, verdict_changes, breaches,      (history/history_store.h)
//                breach_thresholds
// OpenStoreDatabase opens it with the caller's durability and brings the schema to the current
// version: a new file gets every table, a version 1 file gets the version 2 tables added (its
// minutes and batch keys are kept; its SLA history starts empty, so restarts before the upgrade
// judge minutes again from the stored minutes, as version 1 did). A file of a newer version is
// refused (kUnsupported) rather than written with a schema this build does not know.
//
// Times are stored as signed 64-bit nanoseconds since the Unix epoch (UnixNanos), which spans
// years 1678 to 2262.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "common/sqlite/sqlite_database.h"

namespace linkmon::store {

inline constexpr int kStoreSchemaVersion = 2;

Result<sqlite::Database> OpenStoreDatabase(const std::filesystem::path& path,
                                           sqlite::Durability durability);

// Steps `query` through its rows, calling `on_row` for each (read the columns there); the first
// error, SQLite's or `on_row`'s, ends it. The statement is reset either way.
Status ForEachRow(sqlite::Statement& query, const std::function<Status()>& on_row);

// The one integer a query such as "SELECT COUNT(*) FROM t" returns.
Result<std::uint64_t> CountRows(sqlite::Database& db, std::string_view sql);

std::int64_t UnixNanos(SystemTime time);
SystemTime FromUnixNanos(std::int64_t ns);

}  // namespace linkmon::store
