// Fuzz target for the API's query strings (collector/api/query_params.h): every scheduler request
// passes through QueryParams::Parse, every time parameter through ParseTimeParam and a breach
// page's cursor through ParseCursor (collector/api/breach_lookup.h). Beyond
// "never crashes" (ASan/UBSan), it checks their contracts:
// - a value Parse accepted, percent-encoded again on its own, parses back to the same value;
// - a time ParseTimeParam accepted prints (FormatTime) as text that parses to the same instant,
//   and one given in RFC 3339 form is exactly that text: one spelling per instant, so a sign or a
//   space inside a field cannot move a query's window;
// - a cursor ParseCursor accepted is the same position when written (CursorText) and read again.
//
// Seed corpus: tests/collector/api/corpus/query_params/ (queries as the endpoints take them).

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "collector/api/breach_lookup.h"
#include "collector/api/query_params.h"

namespace {

using linkmon::api::CursorText;
using linkmon::api::FormatTime;
using linkmon::api::ParseCursor;
using linkmon::api::ParseTimeParam;
using linkmon::api::QueryParams;

// Every parameter some endpoint takes (matrix, rank, paths, breaches).
constexpr std::array<std::string_view, 10> kAllowed = {
    "window", "from", "to", "method", "sla", "src", "dst", "format", "limit", "cursor"};

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    out += '%';
    out += kHex[byte >> 4];
    out += kHex[byte & 0xF];
  }
  return out;
}

void CheckTime(std::string_view value) {
  const auto time = ParseTimeParam("from", value);
  if (!time) return;
  const std::string printed = FormatTime(*time);
  const auto again = ParseTimeParam("from", printed);
  if (!again || *again != *time) std::abort();
  if (value.size() == printed.size() && value.find('T') != std::string_view::npos &&
      value != printed) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  CheckTime(query);
  const auto params = QueryParams::Parse(query, kAllowed);
  if (!params) return 0;
  for (const std::string_view name : kAllowed) {
    const auto value = params->Get(name);
    if (!value) continue;
    const std::string encoded = std::string(name) + "=" + PercentEncode(*value);
    const auto alone = QueryParams::Parse(encoded, kAllowed);
    if (!alone || alone->Get(name) != value) std::abort();
    CheckTime(*value);
  }
  if (const auto cursor = params->Get("cursor")) {
    const auto position = ParseCursor("cursor", *cursor);
    if (position) {
      const auto again = ParseCursor("cursor", CursorText(*position));
      if (!again || again->start != position->start || again->id != position->id) std::abort();
    }
  }
  return 0;
}
