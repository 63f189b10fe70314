#include "common/batch/json_field.h"

#include <limits>

namespace linkmon::batch::internal {

std::string_view TypeName(JsonField::Kind kind) {
  switch (kind) {
    case JsonField::Kind::kNull:
      return "null";
    case JsonField::Kind::kBoolean:
      return "boolean";
    case JsonField::Kind::kUnsigned:
    case JsonField::Kind::kSigned:
    case JsonField::Kind::kFloat:
      return "number";
    case JsonField::Kind::kString:
      return "string";
    case JsonField::Kind::kObject:
      return "object";
    case JsonField::Kind::kArray:
      return "array";
    case JsonField::Kind::kAbsent:
      break;
  }
  return "discarded";
}

std::string FieldName::str() const {
  if (!summary) return std::string(key);
  return "summaries[" + std::to_string(*summary) + "]." + std::string(key);
}

tl::unexpected<Error> Invalid(const FieldName& name, std::string_view what) {
  return MakeError(ErrorCode::kInvalidArgument, name.str() + ": " + std::string(what));
}

namespace {

tl::unexpected<Error> Missing(const FieldName& name) {
  return Invalid(name, "required field is missing");
}

}  // namespace

Result<std::uint64_t> ToUnsigned(const FieldName& name, const JsonField& field) {
  switch (field.kind) {
    case JsonField::Kind::kUnsigned:
      return field.unsigned_value;
    case JsonField::Kind::kSigned:
      return Invalid(name, "must not be negative");
    case JsonField::Kind::kFloat:
      return Invalid(name, "must be an integer (no fraction or exponent, finite, < 2^64)");
    default:
      return Invalid(name, "must be an integer, not " + std::string(TypeName(field.kind)));
  }
}

Result<std::int64_t> ToSigned(const FieldName& name, const JsonField& field) {
  switch (field.kind) {
    case JsonField::Kind::kUnsigned:
      if (field.unsigned_value >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return Invalid(name, "out of the signed 64-bit range");
      }
      return static_cast<std::int64_t>(field.unsigned_value);
    case JsonField::Kind::kSigned:
      return field.signed_value;
    case JsonField::Kind::kFloat:
      return Invalid(name, "must be an integer (no fraction or exponent, finite, 64-bit)");
    default:
      return Invalid(name, "must be an integer, not " + std::string(TypeName(field.kind)));
  }
}

Result<std::uint64_t> RequireUnsigned(const FieldName& name, const JsonField& field) {
  if (!field.present()) return Missing(name);
  return ToUnsigned(name, field);
}

Result<std::int64_t> RequireSigned(const FieldName& name, const JsonField& field) {
  if (!field.present()) return Missing(name);
  return ToSigned(name, field);
}

Result<std::int64_t> RequirePositive(const FieldName& name, const JsonField& field) {
  auto value = RequireSigned(name, field);
  if (!value) return value;
  if (*value <= 0) return Invalid(name, "must be greater than 0");
  return value;
}

Result<std::string_view> RequireString(const FieldName& name, const JsonField& field) {
  if (!field.present()) return Missing(name);
  if (field.kind != JsonField::Kind::kString) {
    return Invalid(name, "must be a string, not " + std::string(TypeName(field.kind)));
  }
  return std::string_view(field.text);
}

}  // namespace linkmon::batch::internal
