#pragma once

// The query string of an API request, decoded and checked. Every API parameter is a name or a
// time, so the rules are strict: a parameter the endpoint does not know, or one given twice, is a
// 400 with its name rather than silently ignored (a typo such as `sla_class=` for `sla=` would
// otherwise return an answer to a different question).

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace linkmon::api {

class QueryParams {
 public:
  // Splits "a=1&b=x%20y" and percent-decodes names and values ('+' is a space). Errors
  // (kInvalidArgument): bad percent escapes, parameters outside `allowed`, repeated parameters.
  static Result<QueryParams> Parse(std::string_view query,
                                   std::span<const std::string_view> allowed);

  // The value of `name`, or nullopt when absent.
  std::optional<std::string> Get(std::string_view name) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// A time parameter: Unix seconds ("1767225600") or RFC 3339 in UTC ("2026-01-01T00:00:00Z").
// Errors name the parameter: "from: expected Unix seconds or 2026-01-01T00:00:00Z, got 'x'".
Result<SystemTime> ParseTimeParam(std::string_view name, std::string_view value);

// Unix seconds as a SystemTime; nullopt before 1970 or after 2262-04-11T23:47:16Z, the last second
// a time point of 64-bit nanoseconds holds: a time from a query is refused there, never wrapped.
std::optional<SystemTime> FromUnixSeconds(std::int64_t seconds);

// "2026-01-01T00:00:00Z", the time format of every API answer (whole seconds, UTC; floor).
std::string FormatTime(SystemTime time);

}  // namespace linkmon::api
