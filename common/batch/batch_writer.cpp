#include "common/batch/batch_writer.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <string_view>

#include "common/batch/base64.h"
#include "common/batch/batch_codec.h"
#include "common/histogram/histogram_codec.h"

namespace linkmon::batch {
namespace {

std::int64_t UnixNanos(SystemTime time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

template <typename Integer>
void AppendInteger(std::string& out, Integer value) {
  char digits[24];
  const auto written = std::to_chars(std::begin(digits), std::end(digits), value);
  out.append(digits, written.ptr);
}

// A JSON string as nlohmann-json writes it. The names written here (ids.h: a-z, 0-9, '_', '-')
// and the fixed method and source names never need escaping; quotes, backslashes and control
// characters are escaped all the same, so that a name can never break the document.
void AppendString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20) {
      switch (c) {
        case '\b':
          out.append("\\b");
          break;
        case '\f':
          out.append("\\f");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          out.append("\\u00");
          out.push_back(kHex[byte >> 4]);
          out.push_back(kHex[byte & 0xf]);
      }
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

// Writes `"key":` preceded by the comma every member but an object's first needs.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_.push_back('{'); }
  ~ObjectWriter() { out_.push_back('}'); }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  std::string& Key(std::string_view key) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_.append(key);
    out_.append("\":");
    return out_;
  }
  template <typename T>
  void Integer(std::string_view key, T value) {
    AppendInteger(Key(key), value);
  }
  void String(std::string_view key, std::string_view value) { AppendString(Key(key), value); }
  // Absent when empty, as the format says.
  void Histogram(std::string_view key, const histogram::LogHistogram& histogram) {
    if (histogram.Empty()) return;
    std::string& out = Key(key);
    out.push_back('"');
    AppendBase64(out, histogram::SerializeHistogram(histogram));
    out.push_back('"');
  }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace

// Members in sorted key order: the order nlohmann-json's std::map-backed objects are written in.
void AppendSummaryJson(std::string& out, const PathKey& path, const stats::IntervalSummary& s,
                       std::optional<Bandwidth> throughput) {
  ObjectWriter object(out);
  object.Integer("duplicated", s.counts.duplicated);
  object.Integer("duration_ns", s.duration.count());
  object.Histogram("forward_delay", s.forward_delay);
  object.Histogram("ipdv_magnitude", s.ipdv_magnitude);
  if (s.ipdv_max) object.Integer("ipdv_max_ns", s.ipdv_max->count());
  if (s.ipdv_min) object.Integer("ipdv_min_ns", s.ipdv_min->count());
  object.Integer("late", s.counts.late);
  object.Integer("lost", s.counts.lost);
  object.String("method", MethodName(path.method));
  object.Integer("one_way_unsynchronized", s.one_way_unsynchronized);
  object.Integer("received", s.counts.received);
  object.Integer("reordered", s.counts.reordered);
  object.Histogram("reverse_delay", s.reverse_delay);
  if (s.rfc3550_jitter) object.Integer("rfc3550_jitter_ns", s.rfc3550_jitter->count());
  object.Histogram("rtt", s.rtt);
  object.Integer("sent", s.counts.sent);
  object.Integer("start_unix_ns", UnixNanos(s.start));
  object.String("target", path.target.str());
  if (throughput) object.Integer("throughput_bits_per_second", throughput->bits_per_second);
  object.String("timestamp_source", stats::TimestampSourceName(s.timestamp_source));
  object.Integer("untracked", s.counts.untracked);
}

void BatchWriter::Add(const PathKey& path, const stats::IntervalSummary& summary,
                      std::optional<Bandwidth> throughput) {
  if (count_ > 0) {
    body_.push_back(',');
  } else if (largest_batch_ > 0) {
    body_.reserve(largest_batch_);
  }
  AppendSummaryJson(body_, path, summary, throughput);
  ++count_;
}

std::string BatchWriter::Finish(const BatchHeader& header) {
  // The header's object with an empty summaries array, into which the summaries are spliced:
  // the batch is made in body_'s own buffer and handed over, never copied (a probe's batch of 1,000
  // summaries is ~400 KB, and its copy was part of the probe's peak memory).
  std::string head;
  std::size_t open = 0;  // where the array's '[' is
  {
    ObjectWriter object(head);
    object.Integer("created_unix_ns", UnixNanos(header.created));
    object.String("format", kBatchFormatName);
    object.String("probe", header.probe.str());
    object.Integer("probe_start_unix_ns", UnixNanos(header.probe_start));
    object.Integer("sequence", header.sequence);
    std::string& summaries = object.Key("summaries");
    open = summaries.size();
    summaries.append("[]");
    object.Integer("version", kBatchFormatVersion);
  }
  body_.insert(0, head, 0, open + 1);
  body_.append(head, open + 1);
  largest_batch_ = std::max(largest_batch_, body_.size());
  std::string text = std::move(body_);
  body_.clear();
  count_ = 0;
  return text;
}

std::string EncodeBatch(const Batch& batch) {
  BatchWriter writer;
  for (const PathSummary& entry : batch.summaries) writer.Add(entry);
  return writer.Finish({.probe = batch.probe,
                        .probe_start = batch.probe_start,
                        .sequence = batch.sequence,
                        .created = batch.created});
}

}  // namespace linkmon::batch
