// DecodeBatch (batch_codec.h): the JSON parse that feeds BatchBuilder (batch_builder.h), which
// makes every check.
//
// Two parsers, one result. simdjson (Debian's libsimdjson) parses a well-formed batch about ten
// times faster than nlohmann-json's lexer, which cost more than half of decoding (callgrind,
// common/batch/README.md). nlohmann-json's SAX parser stays the reference: every input simdjson
// refuses, and every input outside the plain form our encoder writes, goes through it, so that
// a bad batch gets exactly the message it always got (nlohmann's syntax errors, with their
// positions). The plain form is printable ASCII without backslashes and without the number
// "-0": there the two parsers agree on every token (tests/common/batch compares them on
// mutated batches), and simdjson's integer types map onto nlohmann's (non-negative: unsigned,
// negative: signed; only "-0" cannot be told from "0" after simdjson's parse).

#include "common/batch/batch_decoder.h"

#include <simdjson.h>

#include <nlohmann/json.hpp>

#include "common/batch/batch_builder.h"

namespace linkmon::batch {
namespace {

using internal::BatchBuilder;
using nlohmann::json;

// nlohmann-json's SAX interface onto the builder.
struct NlohmannEvents {
  BatchBuilder& builder;

  bool null() { return builder.Null(); }
  bool boolean(bool) { return builder.Boolean(); }
  bool number_integer(json::number_integer_t value) { return builder.Signed(value); }
  bool number_unsigned(json::number_unsigned_t value) { return builder.Unsigned(value); }
  bool number_float(json::number_float_t, const json::string_t&) { return builder.Float(); }
  bool string(json::string_t& text) { return builder.String(text); }
  bool binary(json::binary_t&) { return builder.Null(); }  // never in JSON text
  bool start_object(std::size_t) { return builder.StartObject(); }
  bool key(json::string_t& name) { return builder.Key(name); }
  bool end_object() { return builder.EndObject(); }
  bool start_array(std::size_t) { return builder.StartArray(); }
  bool end_array() { return builder.EndArray(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) {
    return builder.SyntaxError(error.what());
  }
};

// True when `text` is in the plain form (see the top of this file).
bool IsPlain(std::string_view text) {
  bool outside = false;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    outside |= (byte < 0x20) | (byte > 0x7e) | (byte == '\\');
  }
  if (outside) return false;
  for (std::size_t at = text.find('-'); at != std::string_view::npos; at = text.find('-', at + 1)) {
    // "-0" ends where a number can end (in the plain form: no whitespace but spaces). A string
    // such as "hub-0" does not match, one such as "a-0," does and only costs the slower parse.
    if (at + 1 < text.size() && text[at + 1] == '0') {
      const char next = at + 2 < text.size() ? text[at + 2] : ' ';
      if (next == ',' || next == '}' || next == ']' || next == ' ') return false;
    }
  }
  return true;
}

// Replays a simdjson document as parser events, in document order.
bool Replay(simdjson::dom::element element, BatchBuilder& builder) {
  using simdjson::dom::element_type;
  switch (element.type()) {
    case element_type::OBJECT: {
      if (!builder.StartObject()) return false;
      for (const simdjson::dom::key_value_pair field : simdjson::dom::object(element)) {
        if (!builder.Key(field.key) || !Replay(field.value, builder)) return false;
      }
      return builder.EndObject();
    }
    case element_type::ARRAY: {
      if (!builder.StartArray()) return false;
      for (const simdjson::dom::element item : simdjson::dom::array(element)) {
        if (!Replay(item, builder)) return false;
      }
      return builder.EndArray();
    }
    case element_type::INT64: {
      const std::int64_t value = std::int64_t(element);
      return value < 0 ? builder.Signed(value)
                       : builder.Unsigned(static_cast<std::uint64_t>(value));
    }
    case element_type::UINT64:
      return builder.Unsigned(std::uint64_t(element));
    case element_type::DOUBLE:
      return builder.Float();
    case element_type::STRING:
      return builder.String(std::string_view(element));
    case element_type::BOOL:
      return builder.Boolean();
    case element_type::NULL_VALUE:
      return builder.Null();
  }
  return builder.Null();
}

}  // namespace

namespace internal {

Result<Batch> DecodeWithReferenceParser(std::string_view text, const DecodeLimits& limits) {
  BatchBuilder builder(limits);
  NlohmannEvents events{builder};
  // strict: nothing but whitespace may follow the batch. Syntax errors arrive in parse_error;
  // sax_parse throws nothing else.
  if (!json::sax_parse(text.begin(), text.end(), &events, json::input_format_t::json,
                       /*strict=*/true)) {
    return tl::unexpected(builder.TakeFailure());
  }
  return builder.Finish();
}

}  // namespace internal

Result<Batch> DecodeBatch(std::string_view text, const DecodeLimits& limits) {
  if (IsPlain(text)) {
    simdjson::dom::parser parser;
    simdjson::dom::element document;
    // parse() copies the text into a padded buffer of its own (simdjson reads past the end).
    if (parser.parse(text.data(), text.size()).get(document) == simdjson::SUCCESS) {
      BatchBuilder builder(limits);
      if (!Replay(document, builder)) return tl::unexpected(builder.TakeFailure());
      return builder.Finish();
    }
  }
  return internal::DecodeWithReferenceParser(text, limits);
}

}  // namespace linkmon::batch
