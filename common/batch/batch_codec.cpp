#include "common/batch/batch_codec.h"

#include <array>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <utility>

#include "common/batch/base64.h"
#include "common/histogram/histogram_codec.h"

namespace linkmon::batch {
namespace {

using nlohmann::json;
using std::chrono::nanoseconds;

// ---- parsing limits ---------------------------------------------------------------------------

// Thrown by the parser callback to stop parsing at once; caught in DecodeBatch and never leaves it.
struct ParseLimitExceeded {
  ErrorCode code;
  std::string message;
};

// Watches the parse as it happens and stops it when the input cannot be a batch, before the
// document tree grows: nesting deeper than the format's (nlohmann-json has no depth limit), a root
// that is not an object, an object with more keys than any object of the format has, more
// elements in second-level containers than max_summaries. The tree is thus bounded to about
// max_summaries x kMaxFieldsPerObject values whatever the input size. It also finds repeated keys,
// which nlohmann's parser would resolve silently (last wins), by counting keys per object and
// comparing with the object's size at its end.
class ParseWatcher {
 public:
  static constexpr std::size_t kMaxFieldsPerObject = 21;  // a summary's fields

  explicit ParseWatcher(const DecodeLimits& limits) : limits_(limits) {
    key_counts_.resize(static_cast<std::size_t>(std::max(limits.max_depth, 1)) + 1, 0);
  }

  bool operator()(int depth, json::parse_event_t event, json& parsed) {
    const auto level = static_cast<std::size_t>(depth);
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (depth >= limits_.max_depth) {
          throw ParseLimitExceeded{
              ErrorCode::kParse,
              "JSON nested deeper than " + std::to_string(limits_.max_depth) + " levels"};
        }
        if (depth == 0 && event == json::parse_event_t::array_start) {
          throw ParseLimitExceeded{ErrorCode::kInvalidArgument, "batch: must be a JSON object"};
        }
        if (depth == 2) CountSummary();
        if (event == json::parse_event_t::object_start) key_counts_[level] = 0;
        break;
      case json::parse_event_t::value:
        if (depth == 2) CountSummary();
        break;
      case json::parse_event_t::key:
        if (++key_counts_[level - 1] > kMaxFieldsPerObject) {
          throw ParseLimitExceeded{ErrorCode::kInvalidArgument,
                                   "an object has more fields than the format defines"};
        }
        break;
      case json::parse_event_t::object_end:
        if (parsed.is_object() && parsed.size() != key_counts_[level]) {
          throw ParseLimitExceeded{ErrorCode::kInvalidArgument, "repeated key in a JSON object"};
        }
        break;
      default:
        break;
    }
    return true;
  }

 private:
  void CountSummary() {
    if (++summaries_ > limits_.max_summaries) {
      throw ParseLimitExceeded{
          ErrorCode::kOutOfRange,
          "summaries: more than " + std::to_string(limits_.max_summaries) + " in one batch"};
    }
  }

  const DecodeLimits& limits_;
  std::vector<std::size_t> key_counts_;
  std::size_t summaries_ = 0;
};

// ---- decoding ---------------------------------------------------------------------------------

tl::unexpected<Error> Invalid(const std::string& field, const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, field + ": " + what);
}

// Reads the fields of one JSON object, naming them in errors, and finds keys nobody asked for.
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string prefix)
      : object_(object), prefix_(std::move(prefix)) {}

  std::string Name(std::string_view key) const { return prefix_ + std::string(key); }

  // The value of `key`, or nullptr when absent (optional fields).
  const json* Find(std::string_view key) {
    auto it = object_.find(key);
    if (it == object_.end()) return nullptr;
    ++consumed_;
    return &*it;
  }

  Result<const json*> Require(std::string_view key) {
    const json* value = Find(key);
    if (value == nullptr) return Invalid(Name(key), "required field is missing");
    return value;
  }

  Result<std::uint64_t> Unsigned(std::string_view key) {
    auto value = Require(key);
    if (!value) return tl::unexpected(value.error());
    return ToUnsigned(key, **value);
  }

  Result<std::uint64_t> ToUnsigned(std::string_view key, const json& value) const {
    if (value.is_number_unsigned()) return value.get<std::uint64_t>();
    if (value.is_number_integer()) return Invalid(Name(key), "must not be negative");
    if (value.is_number_float()) {
      return Invalid(Name(key), "must be an integer (no fraction or exponent, finite, < 2^64)");
    }
    return Invalid(Name(key), std::string("must be an integer, not ") + value.type_name());
  }

  Result<std::int64_t> ToSigned(std::string_view key, const json& value) const {
    if (value.is_number_unsigned()) {
      const auto v = value.get<std::uint64_t>();
      if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return Invalid(Name(key), "out of the signed 64-bit range");
      }
      return static_cast<std::int64_t>(v);
    }
    if (value.is_number_integer()) return value.get<std::int64_t>();
    if (value.is_number_float()) {
      return Invalid(Name(key), "must be an integer (no fraction or exponent, finite, 64-bit)");
    }
    return Invalid(Name(key), std::string("must be an integer, not ") + value.type_name());
  }

  Result<std::int64_t> Signed(std::string_view key) {
    auto value = Require(key);
    if (!value) return tl::unexpected(value.error());
    return ToSigned(key, **value);
  }

  // A positive count of nanoseconds (timestamps after 1970, durations).
  Result<std::int64_t> Positive(std::string_view key) {
    auto value = Signed(key);
    if (!value) return value;
    if (*value <= 0) return Invalid(Name(key), "must be greater than 0");
    return value;
  }

  Result<std::string> String(std::string_view key) {
    auto value = Require(key);
    if (!value) return tl::unexpected(value.error());
    if (!(*value)->is_string()) {
      return Invalid(Name(key), std::string("must be a string, not ") + (*value)->type_name());
    }
    return (*value)->get<std::string>();
  }

  Result<std::optional<std::int64_t>> OptionalSigned(std::string_view key) {
    const json* value = Find(key);
    if (value == nullptr) return std::optional<std::int64_t>();
    auto number = ToSigned(key, *value);
    if (!number) return tl::unexpected(number.error());
    return std::optional<std::int64_t>(*number);
  }

  Result<histogram::LogHistogram> Histogram(std::string_view key) {
    const json* value = Find(key);
    if (value == nullptr) return histogram::LogHistogram();
    if (!value->is_string()) {
      return Invalid(Name(key), std::string("must be a base64 string, not ") + value->type_name());
    }
    auto bytes = DecodeBase64(value->get_ref<const std::string&>());
    if (!bytes) return Invalid(Name(key), bytes.error().message);
    auto decoded = histogram::DeserializeHistogram(*bytes);
    if (!decoded) {
      return MakeError(ErrorCode::kCorrupt, Name(key) + ": " + decoded.error().message);
    }
    return decoded;
  }

  // Call after reading every known field: the first key that was not read is an error.
  Status NoUnknownKeys(std::initializer_list<std::string_view> known) const {
    if (consumed_ == object_.size()) return {};
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      bool is_known = false;
      for (std::string_view k : known) is_known = is_known || it.key() == k;
      if (!is_known) return Invalid(Name(it.key()), "unknown field");
    }
    return {};
  }

 private:
  const json& object_;
  std::string prefix_;
  std::size_t consumed_ = 0;
};

// Assigns the value of a Result expression to `lhs`, or returns its error.
#define LINKMON_BATCH_CONCAT_INNER(a, b) a##b
#define LINKMON_BATCH_CONCAT(a, b) LINKMON_BATCH_CONCAT_INNER(a, b)
#define LINKMON_ASSIGN_OR_RETURN(lhs, expr) \
  LINKMON_ASSIGN_OR_RETURN_IMPL(LINKMON_BATCH_CONCAT(result_, __LINE__), lhs, expr)
#define LINKMON_ASSIGN_OR_RETURN_IMPL(result, lhs, expr)         \
  auto result = (expr);                                          \
  if (!result) return tl::unexpected(std::move(result.error())); \
  lhs = std::move(*result)

tl::unexpected<Error> Contradiction(const std::string& field, const std::string& what) {
  return MakeError(ErrorCode::kCorrupt, field + ": " + what);
}

// IntervalSummary's invariants (see batch_codec.h).
Status CheckConsistency(const stats::IntervalSummary& s, const std::string& prefix) {
  const stats::ProbeCounts& c = s.counts;
  std::uint64_t fates = 0;
  for (std::uint64_t part : {c.received, c.late, c.lost, c.untracked}) {
    if (__builtin_add_overflow(fates, part, &fates)) {
      return Contradiction(prefix + "sent", "received + late + lost + untracked overflows");
    }
  }
  if (fates != c.sent) {
    return Contradiction(prefix + "sent", "is " + std::to_string(c.sent) +
                                              " but received + late + lost + untracked is " +
                                              std::to_string(fates));
  }
  if (s.rtt.Count() != c.received) {
    return Contradiction(prefix + "rtt", "holds " + std::to_string(s.rtt.Count()) +
                                             " samples but received is " +
                                             std::to_string(c.received));
  }
  if (c.reordered > c.received) {
    return Contradiction(prefix + "reordered", "exceeds received");
  }
  if (s.ipdv_magnitude.Count() > c.received) {
    return Contradiction(prefix + "ipdv_magnitude", "holds more samples than received");
  }
  if (s.ipdv_magnitude.Empty() != !s.ipdv_min.has_value() ||
      s.ipdv_magnitude.Empty() != !s.ipdv_max.has_value()) {
    return Contradiction(prefix + "ipdv_min_ns",
                         "ipdv_min_ns and ipdv_max_ns must be present exactly when "
                         "ipdv_magnitude holds samples");
  }
  if (s.ipdv_min && *s.ipdv_min > *s.ipdv_max) {
    return Contradiction(prefix + "ipdv_min_ns", "is greater than ipdv_max_ns");
  }
  if (s.forward_delay.Count() != s.reverse_delay.Count()) {
    return Contradiction(prefix + "forward_delay",
                         "forward_delay and reverse_delay hold different numbers of samples");
  }
  std::uint64_t one_way = 0;
  if (__builtin_add_overflow(s.forward_delay.Count(), s.one_way_unsynchronized, &one_way) ||
      one_way > c.received) {
    return Contradiction(prefix + "one_way_unsynchronized",
                         "one-way samples plus unsynchronized exceed received");
  }
  if (s.rfc3550_jitter && c.received == 0) {
    return Contradiction(prefix + "rfc3550_jitter_ns", "present without a received reply");
  }
  return {};
}

Result<PathSummary> DecodeSummary(const json& value, const SiteName& probe, std::size_t index) {
  const std::string prefix = "summaries[" + std::to_string(index) + "].";
  if (!value.is_object()) {
    return Invalid(prefix.substr(0, prefix.size() - 1),
                   std::string("must be an object, not ") + value.type_name());
  }
  ObjectReader r(value, prefix);

  std::string target_text;
  LINKMON_ASSIGN_OR_RETURN(target_text, r.String("target"));
  auto target = TargetName::Make(target_text);
  if (!target) return Invalid(r.Name("target"), target.error().message);
  std::string method_text;
  LINKMON_ASSIGN_OR_RETURN(method_text, r.String("method"));
  const std::optional<Method> method = ParseMethod(method_text);
  if (!method) return Invalid(r.Name("method"), "unknown method '" + method_text + "'");

  stats::IntervalSummary s;
  std::int64_t start_ns = 0;
  LINKMON_ASSIGN_OR_RETURN(start_ns, r.Positive("start_unix_ns"));
  std::int64_t duration_ns = 0;
  LINKMON_ASSIGN_OR_RETURN(duration_ns, r.Positive("duration_ns"));
  if (nanoseconds(duration_ns) > kMaxSummaryDuration) {
    return Invalid(r.Name("duration_ns"), "longer than 1h");
  }
  std::int64_t end_ns = 0;
  if (__builtin_add_overflow(start_ns, duration_ns, &end_ns)) {
    return Invalid(r.Name("duration_ns"), "start + duration overflows");
  }
  s.start = SystemTime(std::chrono::duration_cast<SystemTime::duration>(nanoseconds(start_ns)));
  s.duration = nanoseconds(duration_ns);

  std::string source_text;
  LINKMON_ASSIGN_OR_RETURN(source_text, r.String("timestamp_source"));
  const auto source = stats::ParseTimestampSource(source_text);
  if (!source) {
    return Invalid(r.Name("timestamp_source"), "unknown timestamp source '" + source_text + "'");
  }
  s.timestamp_source = *source;

  LINKMON_ASSIGN_OR_RETURN(s.counts.sent, r.Unsigned("sent"));
  LINKMON_ASSIGN_OR_RETURN(s.counts.received, r.Unsigned("received"));
  LINKMON_ASSIGN_OR_RETURN(s.counts.late, r.Unsigned("late"));
  LINKMON_ASSIGN_OR_RETURN(s.counts.lost, r.Unsigned("lost"));
  LINKMON_ASSIGN_OR_RETURN(s.counts.untracked, r.Unsigned("untracked"));
  LINKMON_ASSIGN_OR_RETURN(s.counts.duplicated, r.Unsigned("duplicated"));
  LINKMON_ASSIGN_OR_RETURN(s.counts.reordered, r.Unsigned("reordered"));
  LINKMON_ASSIGN_OR_RETURN(s.one_way_unsynchronized, r.Unsigned("one_way_unsynchronized"));

  LINKMON_ASSIGN_OR_RETURN(s.rtt, r.Histogram("rtt"));
  LINKMON_ASSIGN_OR_RETURN(s.ipdv_magnitude, r.Histogram("ipdv_magnitude"));
  std::optional<std::int64_t> ipdv_min;
  LINKMON_ASSIGN_OR_RETURN(ipdv_min, r.OptionalSigned("ipdv_min_ns"));
  std::optional<std::int64_t> ipdv_max;
  LINKMON_ASSIGN_OR_RETURN(ipdv_max, r.OptionalSigned("ipdv_max_ns"));
  if (ipdv_min) s.ipdv_min = nanoseconds(*ipdv_min);
  if (ipdv_max) s.ipdv_max = nanoseconds(*ipdv_max);
  std::optional<std::int64_t> jitter;
  LINKMON_ASSIGN_OR_RETURN(jitter, r.OptionalSigned("rfc3550_jitter_ns"));
  if (jitter) {
    if (*jitter < 0) return Invalid(r.Name("rfc3550_jitter_ns"), "must not be negative");
    s.rfc3550_jitter = nanoseconds(*jitter);
  }
  LINKMON_ASSIGN_OR_RETURN(s.forward_delay, r.Histogram("forward_delay"));
  LINKMON_ASSIGN_OR_RETURN(s.reverse_delay, r.Histogram("reverse_delay"));

  std::optional<Bandwidth> throughput;
  if (const json* bps = r.Find("throughput_bits_per_second")) {
    auto bits = r.ToUnsigned("throughput_bits_per_second", *bps);
    if (!bits) return tl::unexpected(bits.error());
    throughput = Bandwidth{*bits};
  }

  if (auto unknown = r.NoUnknownKeys({"target",
                                      "method",
                                      "start_unix_ns",
                                      "duration_ns",
                                      "timestamp_source",
                                      "sent",
                                      "received",
                                      "late",
                                      "lost",
                                      "untracked",
                                      "duplicated",
                                      "reordered",
                                      "one_way_unsynchronized",
                                      "rtt",
                                      "ipdv_magnitude",
                                      "ipdv_min_ns",
                                      "ipdv_max_ns",
                                      "rfc3550_jitter_ns",
                                      "forward_delay",
                                      "reverse_delay",
                                      "throughput_bits_per_second"});
      !unknown) {
    return tl::unexpected(unknown.error());
  }
  if (auto consistent = CheckConsistency(s, prefix); !consistent) {
    return tl::unexpected(consistent.error());
  }
  return PathSummary{.path = PathKey{.source = probe, .target = *target, .method = *method},
                     .summary = std::move(s),
                     .throughput = throughput};
}

Result<Batch> DecodeDocument(const json& doc, const DecodeLimits& limits) {
  if (!doc.is_object()) {
    return Invalid("batch", std::string("must be a JSON object, not ") + doc.type_name());
  }
  ObjectReader r(doc, "");
  std::string format;
  LINKMON_ASSIGN_OR_RETURN(format, r.String("format"));
  if (format != kBatchFormatName) {
    return MakeError(ErrorCode::kUnsupported,
                     "format: '" + format + "' is not " + std::string(kBatchFormatName));
  }
  std::int64_t version = 0;
  LINKMON_ASSIGN_OR_RETURN(version, r.Signed("version"));
  if (version != kBatchFormatVersion) {
    return MakeError(ErrorCode::kUnsupported, "version: " + std::to_string(version) +
                                                  " is not supported (this build reads " +
                                                  std::to_string(kBatchFormatVersion) + ")");
  }
  std::string probe_text;
  LINKMON_ASSIGN_OR_RETURN(probe_text, r.String("probe"));
  auto probe = SiteName::Make(probe_text);
  if (!probe) return Invalid("probe", probe.error().message);

  std::int64_t probe_start_ns = 0;
  LINKMON_ASSIGN_OR_RETURN(probe_start_ns, r.Positive("probe_start_unix_ns"));
  std::uint64_t sequence = 0;
  LINKMON_ASSIGN_OR_RETURN(sequence, r.Unsigned("sequence"));
  std::int64_t created_ns = 0;
  LINKMON_ASSIGN_OR_RETURN(created_ns, r.Positive("created_unix_ns"));

  const json* summaries = nullptr;
  LINKMON_ASSIGN_OR_RETURN(summaries, r.Require("summaries"));
  if (!summaries->is_array()) {
    return Invalid("summaries", std::string("must be an array, not ") + summaries->type_name());
  }
  if (summaries->size() > limits.max_summaries) {
    return MakeError(ErrorCode::kOutOfRange, "summaries: " + std::to_string(summaries->size()) +
                                                 " in one batch, more than " +
                                                 std::to_string(limits.max_summaries));
  }
  if (auto unknown = r.NoUnknownKeys({"format", "version", "probe", "probe_start_unix_ns",
                                      "sequence", "created_unix_ns", "summaries"});
      !unknown) {
    return tl::unexpected(unknown.error());
  }

  auto to_time = [](std::int64_t ns) {
    return SystemTime(std::chrono::duration_cast<SystemTime::duration>(nanoseconds(ns)));
  };
  Batch batch{.probe = *probe,
              .probe_start = to_time(probe_start_ns),
              .sequence = sequence,
              .created = to_time(created_ns),
              .summaries = {}};
  batch.summaries.reserve(summaries->size());
  std::set<std::tuple<std::string, Method, SystemTime>> seen;
  for (std::size_t i = 0; i < summaries->size(); ++i) {
    auto entry = DecodeSummary((*summaries)[i], batch.probe, i);
    if (!entry) return tl::unexpected(std::move(entry.error()));
    if (!seen.emplace(entry->path.target.str(), entry->path.method, entry->summary.start).second) {
      return Invalid("summaries[" + std::to_string(i) + "]",
                     "repeats the target, method and start of an earlier summary");
    }
    batch.summaries.push_back(std::move(*entry));
  }
  return batch;
}

}  // namespace

Result<Batch> DecodeBatch(std::string_view text, const DecodeLimits& limits) {
  ParseWatcher watcher(limits);
  json doc;
  try {
    // The parser reports syntax errors by exception (with the position); none leaves this
    // function, nor does the watcher's.
    doc = json::parse(text.begin(), text.end(), std::ref(watcher), /*allow_exceptions=*/true);
  } catch (const ParseLimitExceeded& exceeded) {
    return MakeError(exceeded.code, exceeded.message);
  } catch (const json::exception& error) {
    return MakeError(ErrorCode::kParse, std::string("JSON: ") + error.what());
  }
  return DecodeDocument(doc, limits);
}

}  // namespace linkmon::batch
