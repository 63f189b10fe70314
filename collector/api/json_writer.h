#pragma once

// JsonWriter appends JSON text to a string. The API's hot answers (/matrix, /rank, every second at
// 10,000 paths) are written this way rather than built as nlohmann::json trees: a tree allocates a
// node per field and a map per object, which made the full matrix cost 67 ms of CPU against 7 ms
// written (bench/api_bench.cpp). The caller writes the punctuation and field names (Raw); the
// writer formats the values as nlohmann's dump() would read them back:
// - numbers in their shortest round-trip form (fmt's, "30" and "0.01098"; nlohmann writes "30.0",
//   the same number), NaN and infinities as null (JSON has neither; nlohmann writes null too);
// - strings quoted, with '"', '\' and control characters escaped (RFC 8259 section 7). The API's
//   names need none (common/ids.h: [a-z0-9_-]), but a reason text might some day.
//
// Not thread-safe (it writes to the caller's string).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace linkmon::api {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  // Text that is JSON already: punctuation, `"name":`.
  void Raw(std::string_view text) { out_ += text; }
  void String(std::string_view text);
  void Number(double value);
  void Number(std::optional<double> value);
  void Integer(std::int64_t value);
  void Unsigned(std::uint64_t value);
  // A duration as a number of seconds (nanosecond resolution), or null.
  void Seconds(std::optional<std::chrono::nanoseconds> value);
  void Bool(bool value) { out_ += value ? "true" : "false"; }
  void Null() { out_ += "null"; }

 private:
  std::string& out_;
};

}  // namespace linkmon::api
