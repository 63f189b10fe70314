#include "common/batch/batch_codec.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "common/batch/base64.h"
#include "common/histogram/histogram_codec.h"

namespace linkmon::batch {
namespace {

using nlohmann::json;
using std::chrono::nanoseconds;

std::int64_t UnixNanos(SystemTime time) {
  return std::chrono::duration_cast<nanoseconds>(time.time_since_epoch()).count();
}

void PutHistogram(json& object, const char* key, const histogram::LogHistogram& histogram) {
  if (histogram.Empty()) return;
  object[key] = EncodeBase64(histogram::SerializeHistogram(histogram));
}

json EncodeSummary(const PathSummary& entry) {
  const stats::IntervalSummary& s = entry.summary;
  json out = json::object();
  out["target"] = entry.path.target.str();
  out["method"] = std::string(MethodName(entry.path.method));
  out["start_unix_ns"] = UnixNanos(s.start);
  out["duration_ns"] = s.duration.count();
  out["timestamp_source"] = std::string(stats::TimestampSourceName(s.timestamp_source));
  out["sent"] = s.counts.sent;
  out["received"] = s.counts.received;
  out["late"] = s.counts.late;
  out["lost"] = s.counts.lost;
  out["untracked"] = s.counts.untracked;
  out["duplicated"] = s.counts.duplicated;
  out["reordered"] = s.counts.reordered;
  out["one_way_unsynchronized"] = s.one_way_unsynchronized;
  PutHistogram(out, "rtt", s.rtt);
  PutHistogram(out, "ipdv_magnitude", s.ipdv_magnitude);
  if (s.ipdv_min) out["ipdv_min_ns"] = s.ipdv_min->count();
  if (s.ipdv_max) out["ipdv_max_ns"] = s.ipdv_max->count();
  if (s.rfc3550_jitter) out["rfc3550_jitter_ns"] = s.rfc3550_jitter->count();
  PutHistogram(out, "forward_delay", s.forward_delay);
  PutHistogram(out, "reverse_delay", s.reverse_delay);
  if (entry.throughput) out["throughput_bits_per_second"] = entry.throughput->bits_per_second;
  return out;
}

}  // namespace

std::string EncodeBatch(const Batch& batch) {
  json doc = json::object();
  doc["format"] = std::string(kBatchFormatName);
  doc["version"] = kBatchFormatVersion;
  doc["probe"] = batch.probe.str();
  doc["probe_start_unix_ns"] = UnixNanos(batch.probe_start);
  doc["sequence"] = batch.sequence;
  doc["created_unix_ns"] = UnixNanos(batch.created);
  json summaries = json::array();
  for (const PathSummary& entry : batch.summaries) summaries.push_back(EncodeSummary(entry));
  doc["summaries"] = std::move(summaries);
  return doc.dump();
}

}  // namespace linkmon::batch
