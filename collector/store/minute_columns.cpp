#include "collector/store/minute_columns.h"

#include <string>
#include <utility>

#include "collector/store/store_schema.h"
#include "common/histogram/histogram_codec.h"

namespace linkmon::store {
namespace {

using std::chrono::nanoseconds;

std::int64_t AsSigned(std::uint64_t value) { return static_cast<std::int64_t>(value); }
std::uint64_t AsUnsigned(std::int64_t value) { return static_cast<std::uint64_t>(value); }

void BindHistogram(sqlite::Statement& statement, int index, const histogram::LogHistogram& h) {
  if (h.Empty()) {
    statement.BindNull(index);
  } else {
    statement.BindBlob(index, histogram::SerializeHistogram(h));
  }
}

void BindOptional(sqlite::Statement& statement, int index, std::optional<nanoseconds> value) {
  if (value) {
    statement.Bind(index, static_cast<std::int64_t>(value->count()));
  } else {
    statement.BindNull(index);
  }
}

Result<histogram::LogHistogram> ReadHistogram(const sqlite::Statement& st, int column,
                                              const char* name) {
  if (st.ColumnIsNull(column)) return histogram::LogHistogram();
  auto decoded = histogram::DeserializeHistogram(st.ColumnBlob(column));
  if (!decoded) {
    return MakeError(ErrorCode::kCorrupt,
                     std::string("store: minutes.") + name + ": " + decoded.error().message);
  }
  return decoded;
}

std::optional<nanoseconds> ReadOptional(const sqlite::Statement& st, int column) {
  if (st.ColumnIsNull(column)) return std::nullopt;
  return nanoseconds(st.ColumnInt(column));
}

}  // namespace

void BindMinute(sqlite::Statement& st, int first, const MinuteRecord& record) {
  const stats::IntervalSummary& s = record.summary;
  int i = first;
  st.Bind(i++, UnixNanos(s.start));
  st.Bind(i++, static_cast<std::int64_t>(s.duration.count()));
  st.Bind(i++, stats::TimestampSourceName(s.timestamp_source));
  st.Bind(i++, AsSigned(s.counts.sent));
  st.Bind(i++, AsSigned(s.counts.received));
  st.Bind(i++, AsSigned(s.counts.late));
  st.Bind(i++, AsSigned(s.counts.lost));
  st.Bind(i++, AsSigned(s.counts.untracked));
  st.Bind(i++, AsSigned(s.counts.duplicated));
  st.Bind(i++, AsSigned(s.counts.reordered));
  st.Bind(i++, AsSigned(s.one_way_unsynchronized));
  BindHistogram(st, i++, s.rtt);
  BindHistogram(st, i++, s.ipdv_magnitude);
  BindOptional(st, i++, s.ipdv_min);
  BindOptional(st, i++, s.ipdv_max);
  BindOptional(st, i++, s.rfc3550_jitter);
  BindHistogram(st, i++, s.forward_delay);
  BindHistogram(st, i++, s.reverse_delay);
  if (record.throughput) {
    st.Bind(i++, AsSigned(record.throughput->bits_per_second));
  } else {
    st.BindNull(i++);
  }
}

Result<MinuteRecord> ReadMinute(const sqlite::Statement& st, int c, const PathKey& path) {
  MinuteRecord record{.path = path, .minute = {}, .summary = {}, .throughput = std::nullopt};
  stats::IntervalSummary& s = record.summary;
  s.start = FromUnixNanos(st.ColumnInt(c));
  s.duration = nanoseconds(st.ColumnInt(c + 1));
  const auto source = stats::ParseTimestampSource(st.ColumnText(c + 2));
  if (!source) return MakeError(ErrorCode::kCorrupt, "store: unknown timestamp source");
  s.timestamp_source = *source;
  s.counts.sent = AsUnsigned(st.ColumnInt(c + 3));
  s.counts.received = AsUnsigned(st.ColumnInt(c + 4));
  s.counts.late = AsUnsigned(st.ColumnInt(c + 5));
  s.counts.lost = AsUnsigned(st.ColumnInt(c + 6));
  s.counts.untracked = AsUnsigned(st.ColumnInt(c + 7));
  s.counts.duplicated = AsUnsigned(st.ColumnInt(c + 8));
  s.counts.reordered = AsUnsigned(st.ColumnInt(c + 9));
  s.one_way_unsynchronized = AsUnsigned(st.ColumnInt(c + 10));
  auto rtt = ReadHistogram(st, c + 11, "rtt");
  if (!rtt) return tl::unexpected(rtt.error());
  s.rtt = std::move(*rtt);
  auto ipdv = ReadHistogram(st, c + 12, "ipdv_magnitude");
  if (!ipdv) return tl::unexpected(ipdv.error());
  s.ipdv_magnitude = std::move(*ipdv);
  s.ipdv_min = ReadOptional(st, c + 13);
  s.ipdv_max = ReadOptional(st, c + 14);
  s.rfc3550_jitter = ReadOptional(st, c + 15);
  auto forward = ReadHistogram(st, c + 16, "forward_delay");
  if (!forward) return tl::unexpected(forward.error());
  s.forward_delay = std::move(*forward);
  auto reverse = ReadHistogram(st, c + 17, "reverse_delay");
  if (!reverse) return tl::unexpected(reverse.error());
  s.reverse_delay = std::move(*reverse);
  if (!st.ColumnIsNull(c + 18)) record.throughput = Bandwidth{AsUnsigned(st.ColumnInt(c + 18))};
  return record;
}

}  // namespace linkmon::store
