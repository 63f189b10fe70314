#pragma once

// JsonField: one field of a batch object as the streaming decoder (batch_decoder.cpp) keeps it
// between the parser's events and the checks at the end of its object: scalars by value,
// containers by kind only (their content is bounded by the parse limits and refused by type).
// The conversions name the field in their errors exactly as the format's checks word them
// (batch_codec.h), whatever order the keys came in.
//
// Internal to common/batch. Thread-safety: values, no shared state.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace linkmon::batch::internal {

struct JsonField {
  // The JSON types as nlohmann-json tells them apart: a non-negative integer is kUnsigned, a
  // negative one (and "-0") kSigned, anything with a fraction or exponent, or beyond 64 bits,
  // kFloat.
  enum class Kind : std::uint8_t {
    kAbsent,
    kNull,
    kBoolean,
    kUnsigned,
    kSigned,
    kFloat,
    kString,
    kObject,
    kArray,
  };

  Kind kind = Kind::kAbsent;
  std::uint64_t unsigned_value = 0;
  std::int64_t signed_value = 0;
  std::string text;  // kString, for the fields that keep their text

  bool present() const { return kind != Kind::kAbsent; }
};

// "string", "number", "object", ... as nlohmann-json's type_name() says it.
std::string_view TypeName(JsonField::Kind kind);

// A field's name in messages, spelled out only when a message needs it: "sequence" at the top
// level, "summaries[3].sent" in a summary.
struct FieldName {
  std::string_view key;
  std::optional<std::size_t> summary = std::nullopt;  // the summary's index, if in one

  std::string str() const;
};

// kInvalidArgument "<name>: <what>".
tl::unexpected<Error> Invalid(const FieldName& name, std::string_view what);

Result<std::uint64_t> ToUnsigned(const FieldName& name, const JsonField& field);
Result<std::int64_t> ToSigned(const FieldName& name, const JsonField& field);
// Required fields: "required field is missing" when absent.
Result<std::uint64_t> RequireUnsigned(const FieldName& name, const JsonField& field);
Result<std::int64_t> RequireSigned(const FieldName& name, const JsonField& field);
// A positive count of nanoseconds (timestamps after 1970, durations).
Result<std::int64_t> RequirePositive(const FieldName& name, const JsonField& field);
Result<std::string_view> RequireString(const FieldName& name, const JsonField& field);

}  // namespace linkmon::batch::internal
