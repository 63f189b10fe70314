// libFuzzer target for ParseRetryAfter: the collector's Retry-After header is outside input.
// Whatever it says, parsing never crashes and never yields a negative wait or one beyond a day.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "probe/upload/upload_verdict.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto now = std::chrono::system_clock::from_time_t(1'800'000'000);
  if (auto delay = linkmon::upload::ParseRetryAfter(text, now);
      delay && (delay->count() < 0 || *delay > std::chrono::hours(24))) {
    std::abort();
  }
  return 0;
}
