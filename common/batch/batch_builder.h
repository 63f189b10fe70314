#pragma once

// BatchBuilder: builds a Batch from the events of a streaming JSON parser (start of an object,
// a key, a number, ...), checking everything batch_codec.h promises while the document streams
// by. batch_decoder.cpp drives it from simdjson's parse of a well-formed input, or from
// nlohmann-json's SAX parser; both give the same events in document order, so the checks live
// here once.
//
// What the input may cost is bounded as it is parsed, before anything grows: nesting deeper than
// the format's, a root that is not an object, more keys in an object than any object of the
// format has, more elements in second-level containers than max_summaries. Repeated keys (which
// a JSON object type would resolve silently, last wins) are refused at the end of their object.
// Each summary is checked when its object ends and kept; no document tree is built.
//
// Which error a bad batch gets does not depend on the order of its keys: a parse-time refusal
// (syntax, the limits above, a repeated key) comes first, then the top-level fields in a fixed
// order, then the first summary with a problem (its own fields in a fixed order,
// summary_fields.h) or that repeats an earlier summary's target, method and start.
//
// Internal to common/batch; one builder per document; not thread-safe.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/batch/batch.h"
#include "common/batch/batch_codec.h"
#include "common/batch/json_field.h"
#include "common/batch/summary_fields.h"
#include "common/result.h"

namespace linkmon::batch::internal {

class BatchBuilder {
 public:
  explicit BatchBuilder(const DecodeLimits& limits);
  BatchBuilder(const BatchBuilder&) = delete;
  BatchBuilder& operator=(const BatchBuilder&) = delete;

  // The parser's events. Each returns false when the document is refused; the parser stops and
  // failure() says why.
  bool StartObject() { return Open(/*is_object=*/true); }
  bool StartArray() { return Open(/*is_object=*/false); }
  bool EndObject();
  bool EndArray() {
    frames_.pop_back();
    return true;
  }
  bool Key(std::string_view name);
  bool Null() { return Value(JsonField::Kind::kNull); }
  bool Boolean() { return Value(JsonField::Kind::kBoolean); }
  // A non-negative integer.
  bool Unsigned(std::uint64_t value) { return Value(JsonField::Kind::kUnsigned, value); }
  // A negative integer, or "-0".
  bool Signed(std::int64_t value) { return Value(JsonField::Kind::kSigned, 0, value); }
  // A number with a fraction or exponent, or beyond 64 bits.
  bool Float() { return Value(JsonField::Kind::kFloat); }
  bool String(std::string_view text) { return Value(JsonField::Kind::kString, 0, 0, text); }
  // The parser found the text is not JSON: kParse "JSON: <message>".
  bool SyntaxError(std::string_view message);

  // After a parse that ended without refusal: the checks of the whole batch.
  Result<Batch> Finish();
  // After a parse that stopped: why.
  Error TakeFailure() { return std::move(*failure_); }

 private:
  // The top-level fields, in the order they are checked.
  enum RootField : int {
    kFormat,
    kVersion,
    kProbe,
    kProbeStart,
    kSequence,
    kCreated,
    kSummaries,
    kRootFieldCount,
  };
  static std::optional<RootField> FindRootField(std::string_view key);

  // What an open container is, which says where its values go.
  enum class Role { kRoot, kSummaries, kSummary, kOther };
  struct Frame {
    Role role;
    bool is_object;
    bool repeated_key = false;
    std::size_t keys = 0;
    int field = -1;                 // the field the next value belongs to (objects)
    std::vector<std::string> seen;  // keys of a kOther object, to find a repeated one
  };

  // The (target, method, start) of two summaries of one batch must differ: a set of indexes
  // into summaries_.
  struct IntervalKeyHash {
    const std::vector<DecodedSummary>* summaries;
    std::size_t operator()(std::size_t i) const;
  };
  struct IntervalKeyEqual {
    const std::vector<DecodedSummary>* summaries;
    bool operator()(std::size_t a, std::size_t b) const;
  };

  bool Fail(ErrorCode code, std::string message);
  // Elements of second-level containers (a batch's summaries) are counted as they start.
  bool CountElement();
  bool Open(bool is_object);
  bool Value(JsonField::Kind kind, std::uint64_t unsigned_value = 0, std::int64_t signed_value = 0,
             std::string_view text = {});
  // A value (scalar or container) of `kind` starts inside the innermost container.
  void Arrives(JsonField::Kind kind, std::uint64_t unsigned_value, std::int64_t signed_value,
               std::string_view text);
  void SummaryElementIsNot(JsonField::Kind kind);
  void EndSummary();

  const DecodeLimits& limits_;
  std::vector<Frame> frames_;
  std::size_t elements_ = 0;
  JsonField::Kind root_kind_ = JsonField::Kind::kAbsent;
  std::array<JsonField, kRootFieldCount> root_{};
  std::vector<std::string> root_unknown_;
  SummaryFields summary_;
  std::size_t summary_index_ = 0;  // elements of "summaries" so far
  std::vector<DecodedSummary> summaries_;
  std::unordered_set<std::size_t, IntervalKeyHash, IntervalKeyEqual> seen_;
  std::optional<Error> summary_error_;  // the first summary with a problem
  std::optional<Error> failure_;
};

}  // namespace linkmon::batch::internal
