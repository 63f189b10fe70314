#include "probe/upload/retry_backoff.h"

#include <algorithm>

namespace linkmon::upload {

RetryBackoff::RetryBackoff(BackoffOptions options, std::uint64_t seed)
    : options_(options), random_(seed) {
  options_.initial = std::max(options_.initial, std::chrono::nanoseconds(1));
  options_.cap = std::max(options_.cap, options_.initial);
  options_.floor = std::clamp(options_.floor, std::chrono::nanoseconds(0), options_.cap);
}

std::chrono::nanoseconds RetryBackoff::NextBound() const {
  // Doubling stops once past the cap, so the shift never overflows.
  std::chrono::nanoseconds bound = options_.initial;
  for (int i = 0; i < failures_ && bound < options_.cap; ++i) bound *= 2;
  return std::max(std::min(bound, options_.cap), options_.floor);
}

std::chrono::nanoseconds RetryBackoff::NextDelay() {
  const std::chrono::nanoseconds bound = NextBound();
  ++failures_;
  std::uniform_int_distribution<std::int64_t> draw(options_.floor.count(), bound.count());
  return std::chrono::nanoseconds(draw(random_));
}

}  // namespace linkmon::upload
