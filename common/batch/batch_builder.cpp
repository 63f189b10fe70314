#include "common/batch/batch_builder.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "common/batch/batch_codec.h"

namespace linkmon::batch::internal {
namespace {

using std::chrono::nanoseconds;
constexpr std::array<std::string_view, 7> kRootNames = {
    "format",   "version",         "probe",    "probe_start_unix_ns",
    "sequence", "created_unix_ns", "summaries"};

// More keys than this in one object is refused while parsing: a summary's fields.
constexpr std::size_t kMaxFieldsPerObject = SummaryFields::kFieldCount;

SystemTime FromUnixNanos(std::int64_t ns) {
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(nanoseconds(ns)));
}

}  // namespace

std::size_t BatchBuilder::IntervalKeyHash::operator()(std::size_t i) const {
  const DecodedSummary& s = (*summaries)[i];
  return std::hash<std::string>()(s.target.str()) ^
         (std::hash<std::int64_t>()(s.summary.start.time_since_epoch().count()) * 31 +
          static_cast<std::size_t>(s.method));
}

bool BatchBuilder::IntervalKeyEqual::operator()(std::size_t a, std::size_t b) const {
  const DecodedSummary& x = (*summaries)[a];
  const DecodedSummary& y = (*summaries)[b];
  return x.method == y.method && x.summary.start == y.summary.start && x.target == y.target;
}

BatchBuilder::BatchBuilder(const DecodeLimits& limits)
    : limits_(limits), seen_(16, IntervalKeyHash{&summaries_}, IntervalKeyEqual{&summaries_}) {}

std::optional<BatchBuilder::RootField> BatchBuilder::FindRootField(std::string_view key) {
  for (int i = 0; i < kRootFieldCount; ++i) {
    if (kRootNames[static_cast<std::size_t>(i)] == key) return static_cast<RootField>(i);
  }
  return std::nullopt;
}

bool BatchBuilder::Fail(ErrorCode code, std::string message) {
  failure_ = Error{code, std::move(message)};
  return false;
}

bool BatchBuilder::SyntaxError(std::string_view message) {
  return Fail(ErrorCode::kParse, "JSON: " + std::string(message));
}

bool BatchBuilder::CountElement() {
  if (++elements_ > limits_.max_summaries) {
    return Fail(ErrorCode::kOutOfRange,
                "summaries: more than " + std::to_string(limits_.max_summaries) + " in one batch");
  }
  return true;
}

bool BatchBuilder::Open(bool is_object) {
  const std::size_t depth = frames_.size();
  if (static_cast<int>(depth) >= limits_.max_depth) {
    return Fail(ErrorCode::kParse,
                "JSON nested deeper than " + std::to_string(limits_.max_depth) + " levels");
  }
  if (depth == 0 && !is_object) {
    return Fail(ErrorCode::kInvalidArgument, "batch: must be a JSON object");
  }
  if (depth == 2 && !CountElement()) return false;
  Role role = Role::kOther;
  if (depth == 0) {
    role = Role::kRoot;
    root_kind_ = JsonField::Kind::kObject;
  } else {
    const Frame& parent = frames_.back();
    if (is_object && parent.role == Role::kSummaries) {
      role = Role::kSummary;
    } else if (!is_object && parent.role == Role::kRoot && parent.field == kSummaries) {
      role = Role::kSummaries;
    }
    Arrives(is_object ? JsonField::Kind::kObject : JsonField::Kind::kArray, 0, 0, {});
  }
  if (role == Role::kSummary) summary_.Reset();
  frames_.push_back(Frame{.role = role, .is_object = is_object, .seen = {}});
  return true;
}

bool BatchBuilder::Key(std::string_view name) {
  Frame& frame = frames_.back();
  if (++frame.keys > kMaxFieldsPerObject) {
    return Fail(ErrorCode::kInvalidArgument, "an object has more fields than the format defines");
  }
  frame.field = -1;
  switch (frame.role) {
    case Role::kRoot:
      if (const auto field = FindRootField(name)) {
        frame.repeated_key |= root_[*field].present();
        frame.field = *field;
      } else if (std::find(root_unknown_.begin(), root_unknown_.end(), name) !=
                 root_unknown_.end()) {
        frame.repeated_key = true;
      } else {
        root_unknown_.emplace_back(name);
      }
      break;
    case Role::kSummary:
      if (const auto field = SummaryFields::Find(name)) {
        frame.repeated_key |= !summary_.Claim(*field);
        frame.field = *field;
      } else {
        frame.repeated_key |= !summary_.AddUnknown(name);
      }
      break;
    default:
      if (std::find(frame.seen.begin(), frame.seen.end(), name) != frame.seen.end()) {
        frame.repeated_key = true;
      } else {
        frame.seen.emplace_back(name);
      }
      break;
  }
  return true;
}

bool BatchBuilder::Value(JsonField::Kind kind, std::uint64_t unsigned_value,
                         std::int64_t signed_value, std::string_view text) {
  if (frames_.empty()) {
    root_kind_ = kind;
    return true;
  }
  if (frames_.size() == 2 && !CountElement()) return false;
  Arrives(kind, unsigned_value, signed_value, text);
  return true;
}

void BatchBuilder::Arrives(JsonField::Kind kind, std::uint64_t unsigned_value,
                           std::int64_t signed_value, std::string_view text) {
  Frame& parent = frames_.back();
  switch (parent.role) {
    case Role::kRoot: {
      if (parent.field < 0) return;  // an unknown key's value
      JsonField& field = root_[static_cast<std::size_t>(parent.field)];
      field.kind = kind;
      field.unsigned_value = unsigned_value;
      field.signed_value = signed_value;
      if (kind == JsonField::Kind::kString) field.text.assign(text);
      return;
    }
    case Role::kSummaries:
      if (kind != JsonField::Kind::kObject) SummaryElementIsNot(kind);
      return;
    case Role::kSummary: {
      if (parent.field < 0) return;
      const auto field = static_cast<SummaryFields::Field>(parent.field);
      if (kind == JsonField::Kind::kString) {
        summary_.SetString(field, text);
        return;
      }
      JsonField& value = summary_.value(field);
      value.kind = kind;
      value.unsigned_value = unsigned_value;
      value.signed_value = signed_value;
      return;
    }
    case Role::kOther:
      return;
  }
}

void BatchBuilder::SummaryElementIsNot(JsonField::Kind kind) {
  const std::size_t index = summary_index_++;
  if (summary_error_) return;
  summary_error_ = Invalid(FieldName{.key = "summaries[" + std::to_string(index) + "]"},
                           "must be an object, not " + std::string(TypeName(kind)))
                       .value();
}

bool BatchBuilder::EndObject() {
  if (frames_.back().repeated_key) {
    return Fail(ErrorCode::kInvalidArgument, "repeated key in a JSON object");
  }
  if (frames_.back().role == Role::kSummary) EndSummary();
  frames_.pop_back();
  return true;
}

void BatchBuilder::EndSummary() {
  const std::size_t index = summary_index_++;
  if (summary_error_) return;  // only the first problem is reported: no need to decode further
  auto decoded = summary_.Check(index);
  if (!decoded) {
    summary_error_ = std::move(decoded.error());
    return;
  }
  summaries_.push_back(std::move(*decoded));
  if (!seen_.insert(summaries_.size() - 1).second) {
    summary_error_ = Invalid(FieldName{.key = "summaries[" + std::to_string(index) + "]"},
                             "repeats the target, method and start of an earlier summary")
                         .value();
  }
}

// Assigns the value of a Result expression to `lhs`, or returns its error.
#define LINKMON_ASSIGN_OR_RETURN(lhs, expr)                          \
  do {                                                               \
    auto result_ = (expr);                                           \
    if (!result_) return tl::unexpected(std::move(result_.error())); \
    lhs = std::move(*result_);                                       \
  } while (false)

Result<Batch> BatchBuilder::Finish() {
  if (root_kind_ != JsonField::Kind::kObject) {
    return Invalid(FieldName{.key = "batch"},
                   "must be a JSON object, not " + std::string(TypeName(root_kind_)));
  }
  auto name = [](RootField field) { return FieldName{.key = kRootNames[field]}; };
  std::string_view format;
  LINKMON_ASSIGN_OR_RETURN(format, RequireString(name(kFormat), root_[kFormat]));
  if (format != kBatchFormatName) {
    return MakeError(ErrorCode::kUnsupported, "format: '" + std::string(format) + "' is not " +
                                                  std::string(kBatchFormatName));
  }
  std::int64_t version = 0;
  LINKMON_ASSIGN_OR_RETURN(version, RequireSigned(name(kVersion), root_[kVersion]));
  if (version != kBatchFormatVersion) {
    return MakeError(ErrorCode::kUnsupported, "version: " + std::to_string(version) +
                                                  " is not supported (this build reads " +
                                                  std::to_string(kBatchFormatVersion) + ")");
  }
  std::string_view probe_text;
  LINKMON_ASSIGN_OR_RETURN(probe_text, RequireString(name(kProbe), root_[kProbe]));
  auto probe = SiteName::Make(probe_text);
  if (!probe) return Invalid(name(kProbe), probe.error().message);
  std::int64_t probe_start_ns = 0;
  LINKMON_ASSIGN_OR_RETURN(probe_start_ns, RequirePositive(name(kProbeStart), root_[kProbeStart]));
  std::uint64_t sequence = 0;
  LINKMON_ASSIGN_OR_RETURN(sequence, RequireUnsigned(name(kSequence), root_[kSequence]));
  std::int64_t created_ns = 0;
  LINKMON_ASSIGN_OR_RETURN(created_ns, RequirePositive(name(kCreated), root_[kCreated]));
  const JsonField& summaries = root_[kSummaries];
  if (!summaries.present()) {
    return Invalid(name(kSummaries), "required field is missing");
  }
  if (summaries.kind != JsonField::Kind::kArray) {
    return Invalid(name(kSummaries),
                   "must be an array, not " + std::string(TypeName(summaries.kind)));
  }
  if (!root_unknown_.empty()) {
    // The first unknown key in key order, as a sorted JSON object would list it.
    return Invalid(FieldName{.key = *std::min_element(root_unknown_.begin(), root_unknown_.end())},
                   "unknown field");
  }
  if (summary_error_) return tl::unexpected(std::move(*summary_error_));

  Batch batch{.probe = *probe,
              .probe_start = FromUnixNanos(probe_start_ns),
              .sequence = sequence,
              .created = FromUnixNanos(created_ns),
              .summaries = {}};
  batch.summaries.reserve(summaries_.size());
  for (DecodedSummary& s : summaries_) {
    batch.summaries.push_back(PathSummary{
        .path = PathKey{.source = batch.probe, .target = std::move(s.target), .method = s.method},
        .summary = std::move(s.summary),
        .throughput = s.throughput});
  }
  return batch;
}

#undef LINKMON_ASSIGN_OR_RETURN

}  // namespace linkmon::batch::internal
