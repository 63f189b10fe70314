#include "common/batch/summary_fields.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "common/batch/base64.h"
#include "common/batch/batch_codec.h"
#include "common/histogram/histogram_codec.h"

namespace linkmon::batch::internal {
namespace {

using std::chrono::nanoseconds;

constexpr std::array<std::string_view, SummaryFields::kFieldCount> kNames = {
    "target",
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
    "throughput_bits_per_second",
};

tl::unexpected<Error> Contradiction(const FieldName& name, std::string_view what) {
  return MakeError(ErrorCode::kCorrupt, name.str() + ": " + std::string(what));
}

// IntervalSummary's invariants (see batch_codec.h).
Status CheckConsistency(const stats::IntervalSummary& s, std::size_t index) {
  auto name = [index](std::string_view key) { return FieldName{.key = key, .summary = index}; };
  const stats::ProbeCounts& c = s.counts;
  std::uint64_t fates = 0;
  for (std::uint64_t part : {c.received, c.late, c.lost, c.untracked}) {
    if (__builtin_add_overflow(fates, part, &fates)) {
      return Contradiction(name("sent"), "received + late + lost + untracked overflows");
    }
  }
  if (fates != c.sent) {
    return Contradiction(name("sent"), "is " + std::to_string(c.sent) +
                                           " but received + late + lost + untracked is " +
                                           std::to_string(fates));
  }
  if (s.rtt.Count() != c.received) {
    return Contradiction(name("rtt"), "holds " + std::to_string(s.rtt.Count()) +
                                          " samples but received is " + std::to_string(c.received));
  }
  if (c.reordered > c.received) {
    return Contradiction(name("reordered"), "exceeds received");
  }
  if (s.ipdv_magnitude.Count() > c.received) {
    return Contradiction(name("ipdv_magnitude"), "holds more samples than received");
  }
  if (s.ipdv_magnitude.Empty() != !s.ipdv_min.has_value() ||
      s.ipdv_magnitude.Empty() != !s.ipdv_max.has_value()) {
    return Contradiction(name("ipdv_min_ns"),
                         "ipdv_min_ns and ipdv_max_ns must be present exactly when "
                         "ipdv_magnitude holds samples");
  }
  if (s.ipdv_min && *s.ipdv_min > *s.ipdv_max) {
    return Contradiction(name("ipdv_min_ns"), "is greater than ipdv_max_ns");
  }
  if (s.forward_delay.Count() != s.reverse_delay.Count()) {
    return Contradiction(name("forward_delay"),
                         "forward_delay and reverse_delay hold different numbers of samples");
  }
  std::uint64_t one_way = 0;
  if (__builtin_add_overflow(s.forward_delay.Count(), s.one_way_unsynchronized, &one_way) ||
      one_way > c.received) {
    return Contradiction(name("one_way_unsynchronized"),
                         "one-way samples plus unsynchronized exceed received");
  }
  if (s.rfc3550_jitter && c.received == 0) {
    return Contradiction(name("rfc3550_jitter_ns"), "present without a received reply");
  }
  return {};
}

// Assigns the value of a Result expression to `lhs`, or returns its error.
#define LINKMON_BATCH_CONCAT_INNER(a, b) a##b
#define LINKMON_BATCH_CONCAT(a, b) LINKMON_BATCH_CONCAT_INNER(a, b)
#define LINKMON_ASSIGN_OR_RETURN(lhs, expr) \
  LINKMON_ASSIGN_OR_RETURN_IMPL(LINKMON_BATCH_CONCAT(result_, __LINE__), lhs, expr)
#define LINKMON_ASSIGN_OR_RETURN_IMPL(result, lhs, expr)         \
  auto result = (expr);                                          \
  if (!result) return tl::unexpected(std::move(result.error())); \
  lhs = std::move(*result)

}  // namespace

std::optional<SummaryFields::Field> SummaryFields::Find(std::string_view key) {
  for (int i = 0; i < kFieldCount; ++i) {
    if (kNames[static_cast<std::size_t>(i)].size() == key.size() &&
        kNames[static_cast<std::size_t>(i)] == key) {
      return static_cast<Field>(i);
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> SummaryFields::HistogramSlot(Field field) {
  switch (field) {
    case kRtt:
      return 0;
    case kIpdvMagnitude:
      return 1;
    case kForwardDelay:
      return 2;
    case kReverseDelay:
      return 3;
    default:
      return std::nullopt;
  }
}

void SummaryFields::Reset() {
  for (JsonField& field : fields_) field.kind = JsonField::Kind::kAbsent;
  for (HistogramValue& h : histograms_) h.state = HistogramValue::State::kEmpty;
  unknown_.clear();
}

bool SummaryFields::Claim(Field field) { return !fields_[field].present(); }

void SummaryFields::SetString(Field field, std::string_view text) {
  JsonField& value = fields_[field];
  value.kind = JsonField::Kind::kString;
  const auto slot = HistogramSlot(field);
  if (!slot) {
    value.text.assign(text);
    return;
  }
  HistogramValue& h = histograms_[*slot];
  if (auto decoded = DecodeBase64Into(text, bytes_); !decoded) {
    h.state = HistogramValue::State::kBadBase64;
    h.error = std::move(decoded.error().message);
    return;
  }
  auto histogram = histogram::DeserializeHistogram(bytes_);
  if (!histogram) {
    h.state = HistogramValue::State::kBadHistogram;
    h.error = std::move(histogram.error().message);
    return;
  }
  h.state = HistogramValue::State::kDecoded;
  h.histogram = std::move(*histogram);
}

bool SummaryFields::AddUnknown(std::string_view key) {
  if (std::find(unknown_.begin(), unknown_.end(), key) != unknown_.end()) return false;
  unknown_.emplace_back(key);
  return true;
}

Result<histogram::LogHistogram> SummaryFields::TakeHistogram(Field field, std::size_t index) {
  const JsonField& value = fields_[field];
  const FieldName name{.key = kNames[field], .summary = index};
  if (!value.present()) return histogram::LogHistogram();
  if (value.kind != JsonField::Kind::kString) {
    return Invalid(name, "must be a base64 string, not " + std::string(TypeName(value.kind)));
  }
  HistogramValue& h = histograms_[*HistogramSlot(field)];
  switch (h.state) {
    case HistogramValue::State::kBadBase64:
      return Invalid(name, h.error);
    case HistogramValue::State::kBadHistogram:
      return MakeError(ErrorCode::kCorrupt, name.str() + ": " + h.error);
    default:
      return std::move(h.histogram);
  }
}

Result<DecodedSummary> SummaryFields::Check(std::size_t index) {
  auto name = [index](Field field) { return FieldName{.key = kNames[field], .summary = index}; };

  std::string_view target_text;
  LINKMON_ASSIGN_OR_RETURN(target_text, RequireString(name(kTarget), fields_[kTarget]));
  auto target = TargetName::Make(target_text);
  if (!target) return Invalid(name(kTarget), target.error().message);
  std::string_view method_text;
  LINKMON_ASSIGN_OR_RETURN(method_text, RequireString(name(kMethod), fields_[kMethod]));
  const std::optional<Method> method = ParseMethod(method_text);
  if (!method) {
    return Invalid(name(kMethod), "unknown method '" + std::string(method_text) + "'");
  }

  stats::IntervalSummary s;
  std::int64_t start_ns = 0;
  LINKMON_ASSIGN_OR_RETURN(start_ns, RequirePositive(name(kStart), fields_[kStart]));
  std::int64_t duration_ns = 0;
  LINKMON_ASSIGN_OR_RETURN(duration_ns, RequirePositive(name(kDuration), fields_[kDuration]));
  if (nanoseconds(duration_ns) > kMaxSummaryDuration) {
    return Invalid(name(kDuration), "longer than 1h");
  }
  std::int64_t end_ns = 0;
  if (__builtin_add_overflow(start_ns, duration_ns, &end_ns)) {
    return Invalid(name(kDuration), "start + duration overflows");
  }
  s.start = SystemTime(std::chrono::duration_cast<SystemTime::duration>(nanoseconds(start_ns)));
  s.duration = nanoseconds(duration_ns);

  std::string_view source_text;
  LINKMON_ASSIGN_OR_RETURN(source_text,
                           RequireString(name(kTimestampSource), fields_[kTimestampSource]));
  const auto source = stats::ParseTimestampSource(source_text);
  if (!source) {
    return Invalid(name(kTimestampSource),
                   "unknown timestamp source '" + std::string(source_text) + "'");
  }
  s.timestamp_source = *source;

  auto count = [&](Field field) { return RequireUnsigned(name(field), fields_[field]); };
  LINKMON_ASSIGN_OR_RETURN(s.counts.sent, count(kSent));
  LINKMON_ASSIGN_OR_RETURN(s.counts.received, count(kReceived));
  LINKMON_ASSIGN_OR_RETURN(s.counts.late, count(kLate));
  LINKMON_ASSIGN_OR_RETURN(s.counts.lost, count(kLost));
  LINKMON_ASSIGN_OR_RETURN(s.counts.untracked, count(kUntracked));
  LINKMON_ASSIGN_OR_RETURN(s.counts.duplicated, count(kDuplicated));
  LINKMON_ASSIGN_OR_RETURN(s.counts.reordered, count(kReordered));
  LINKMON_ASSIGN_OR_RETURN(s.one_way_unsynchronized, count(kOneWayUnsynchronized));

  LINKMON_ASSIGN_OR_RETURN(s.rtt, TakeHistogram(kRtt, index));
  LINKMON_ASSIGN_OR_RETURN(s.ipdv_magnitude, TakeHistogram(kIpdvMagnitude, index));
  auto optional_signed = [&](Field field) -> Result<std::optional<nanoseconds>> {
    if (!fields_[field].present()) return std::optional<nanoseconds>();
    auto value = ToSigned(name(field), fields_[field]);
    if (!value) return tl::unexpected(value.error());
    return std::optional<nanoseconds>(nanoseconds(*value));
  };
  LINKMON_ASSIGN_OR_RETURN(s.ipdv_min, optional_signed(kIpdvMin));
  LINKMON_ASSIGN_OR_RETURN(s.ipdv_max, optional_signed(kIpdvMax));
  LINKMON_ASSIGN_OR_RETURN(s.rfc3550_jitter, optional_signed(kJitter));
  if (s.rfc3550_jitter && s.rfc3550_jitter->count() < 0) {
    return Invalid(name(kJitter), "must not be negative");
  }
  LINKMON_ASSIGN_OR_RETURN(s.forward_delay, TakeHistogram(kForwardDelay, index));
  LINKMON_ASSIGN_OR_RETURN(s.reverse_delay, TakeHistogram(kReverseDelay, index));

  std::optional<Bandwidth> throughput;
  if (fields_[kThroughput].present()) {
    auto bits = ToUnsigned(name(kThroughput), fields_[kThroughput]);
    if (!bits) return tl::unexpected(bits.error());
    throughput = Bandwidth{*bits};
  }

  if (!unknown_.empty()) {
    // The first unknown key in key order, as a sorted JSON object would list it.
    const std::string& first = *std::min_element(unknown_.begin(), unknown_.end());
    return Invalid(FieldName{.key = first, .summary = index}, "unknown field");
  }
  if (auto consistent = CheckConsistency(s, index); !consistent) {
    return tl::unexpected(consistent.error());
  }
  return DecodedSummary{.target = std::move(*target),
                        .method = *method,
                        .summary = std::move(s),
                        .throughput = throughput};
}

}  // namespace linkmon::batch::internal
