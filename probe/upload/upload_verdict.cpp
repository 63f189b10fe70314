#include "probe/upload/upload_verdict.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <string>

namespace linkmon::upload {

namespace {

// Longer waits are cut to this, so that the result converts to nanoseconds without overflow.
constexpr std::chrono::seconds kLongestRetryAfter = std::chrono::hours(24);

}  // namespace

UploadVerdict VerdictForStatus(unsigned http_status) {
  if (http_status >= 200 && http_status < 300) return UploadVerdict::kAcknowledged;
  if (http_status == 408 || http_status == 429 || (http_status >= 500 && http_status < 600)) {
    return UploadVerdict::kRetry;
  }
  return UploadVerdict::kRejected;
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, SystemTime now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;

  if (value.front() >= '0' && value.front() <= '9') {
    std::int64_t seconds = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (error != std::errc() || end != value.data() + value.size()) return std::nullopt;
    return std::min(std::chrono::seconds(seconds), kLongestRetryAfter);
  }

  // IMF-fixdate, the one form senders must use; the obsolete forms are not worth accepting.
  const std::string text(value);
  std::tm parts{};
  const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const std::time_t at = ::timegm(&parts);
  if (at == static_cast<std::time_t>(-1)) return std::nullopt;
  // In whole seconds: a far date in nanoseconds (the clock's unit) would overflow.
  const std::int64_t now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t delay = static_cast<std::int64_t>(at) - now_seconds;
  return std::chrono::seconds(std::clamp<std::int64_t>(delay, 0, kLongestRetryAfter.count()));
}

}  // namespace linkmon::upload
