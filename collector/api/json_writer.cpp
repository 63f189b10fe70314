#include "collector/api/json_writer.h"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

namespace linkmon::api {

namespace {

bool NeedsEscape(char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; }

}  // namespace

void JsonWriter::String(std::string_view text) {
  out_ += '"';
  std::size_t clean = 0;  // text[clean, i) needs no escape: appended in one piece
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!NeedsEscape(c)) continue;
    out_.append(text.data() + clean, i - clean);
    clean = i + 1;
    switch (c) {
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      default:
        fmt::format_to(std::back_inserter(out_), "\\u{:04x}", static_cast<unsigned char>(c));
    }
  }
  out_.append(text.data() + clean, text.size() - clean);
  out_ += '"';
}

void JsonWriter::Number(double value) {
  if (!std::isfinite(value)) {
    Null();
    return;
  }
  fmt::format_to(std::back_inserter(out_), "{}", value);
}

void JsonWriter::Number(std::optional<double> value) {
  if (value) {
    Number(*value);
  } else {
    Null();
  }
}

void JsonWriter::Integer(std::int64_t value) {
  fmt::format_to(std::back_inserter(out_), "{}", value);
}

void JsonWriter::Unsigned(std::uint64_t value) {
  fmt::format_to(std::back_inserter(out_), "{}", value);
}

void JsonWriter::Seconds(std::optional<std::chrono::nanoseconds> value) {
  if (value) {
    Number(std::chrono::duration<double>(*value).count());
  } else {
    Null();
  }
}

}  // namespace linkmon::api
