#pragma once

// The 19 data columns of the store's `minutes` table (store_schema.cpp) and their mapping to a
// MinuteRecord, shared by the reads (summary_store.h) and the writes (minute_writer.h).
// Histograms are stored in their binary codec (with its CRC-32C), NULL when empty; counters
// above 2^63 are stored bit-cast and read back exactly.

#include <string_view>

#include "collector/store/minute_record.h"
#include "common/ids.h"
#include "common/result.h"
#include "common/sqlite/sqlite_database.h"

namespace linkmon::store {

// The column names, in the order BindMinute and ReadMinute use.
inline constexpr std::string_view kMinuteColumns =
    "start_ns, duration_ns, timestamp_source, sent, received, late, lost, untracked, duplicated, "
    "reordered, one_way_unsynchronized, rtt, ipdv_magnitude, ipdv_min_ns, ipdv_max_ns, "
    "rfc3550_jitter_ns, forward_delay, reverse_delay, throughput_bps";
inline constexpr int kMinuteColumnCount = 19;

// Binds the columns to parameters first .. first + 18.
void BindMinute(sqlite::Statement& statement, int first, const MinuteRecord& record);

// The record in columns first .. first + 18 of the current row, for `path` (its `minute` left
// for the caller). kCorrupt when a histogram or the timestamp source does not decode.
Result<MinuteRecord> ReadMinute(const sqlite::Statement& statement, int first, const PathKey& path);

}  // namespace linkmon::store
