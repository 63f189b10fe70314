#include "collector/api/query_params.h"

#include <algorithm>
#include <charconv>
#include <ctime>

namespace linkmon::api {

namespace {

bool AllDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) {
        return MakeError(ErrorCode::kInvalidArgument, "query: truncated percent escape");
      }
      const int high = HexDigit(text[i + 1]);
      const int low = HexDigit(text[i + 2]);
      if (high < 0 || low < 0) {
        return MakeError(ErrorCode::kInvalidArgument, "query: bad percent escape");
      }
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

Result<QueryParams> QueryParams::Parse(std::string_view query,
                                       std::span<const std::string_view> allowed) {
  QueryParams params;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    auto name = PercentDecode(pair.substr(0, eq));
    if (!name) return tl::unexpected(name.error());
    auto value =
        PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!value) return tl::unexpected(value.error());
    if (std::find(allowed.begin(), allowed.end(), *name) == allowed.end()) {
      std::string known;
      for (std::string_view a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
      return MakeError(ErrorCode::kInvalidArgument,
                       "query: unknown parameter '" + *name +
                           "' (this endpoint takes: " + (known.empty() ? "none" : known) + ")");
    }
    if (!params.values_.emplace(*name, *value).second) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "query: parameter '" + *name + "' given more than once");
    }
  }
  return params;
}

std::optional<std::string> QueryParams::Get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

Result<SystemTime> ParseTimeParam(std::string_view name, std::string_view value) {
  auto fail = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(name) + ": expected Unix seconds or 2026-01-01T00:00:00Z, got '" +
                         std::string(value.substr(0, 64)) + "'");
  };
  if (!value.empty() && AllDigits(value)) {
    std::int64_t seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc() || end != value.data() + value.size()) return fail();
    if (auto time = FromUnixSeconds(seconds)) return *time;
    return fail();
  }
  // YYYY-MM-DDTHH:MM:SSZ
  if (value.size() != 20 || value[4] != '-' || value[7] != '-' || value[10] != 'T' ||
      value[13] != ':' || value[16] != ':' || value[19] != 'Z') {
    return fail();
  }
  // Digits only: from_chars also takes a '-', which would make "T-1:00:00Z" an hour earlier.
  auto number = [&](std::size_t at, std::size_t length, int& out) {
    if (!AllDigits(value.substr(at, length))) return false;
    auto [end, ec] = std::from_chars(value.data() + at, value.data() + at + length, out);
    return ec == std::errc() && end == value.data() + at + length;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!number(0, 4, year) || !number(5, 2, month) || !number(8, 2, day) || !number(11, 2, hour) ||
      !number(14, 2, minute) || !number(17, 2, second)) {
    return fail();
  }
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(year),
                            std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || year < 1970 || hour > 23 || minute > 59 || second > 59) return fail();
  const seconds since_epoch = duration_cast<seconds>(sys_days(date).time_since_epoch()) +
                              hours(hour) + minutes(minute) + seconds(second);
  if (auto time = FromUnixSeconds(since_epoch.count())) return *time;
  return fail();
}

std::optional<SystemTime> FromUnixSeconds(std::int64_t seconds) {
  constexpr std::int64_t kLatest =
      std::chrono::floor<std::chrono::seconds>(SystemTime::max().time_since_epoch()).count();
  if (seconds < 0 || seconds > kLatest) return std::nullopt;
  return SystemTime(std::chrono::seconds(seconds));
}

std::string FormatTime(SystemTime time) {
  const std::time_t seconds =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(time));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(buffer, n);
}

}  // namespace linkmon::api
