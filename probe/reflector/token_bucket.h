#pragma once

// A token bucket: `rate` packets per second on average, up to `burst` back to back. Time is
// passed in (monotonic), so tests drive it without sleeping. Not thread-safe.

#include <chrono>

namespace linkmon::reflector {

struct RateLimit {
  double packets_per_second = 0;  // > 0
  double burst = 1;               // >= 1: how many packets may pass at once after a quiet spell
};

class TokenBucket {
 public:
  // Starts full, so a new source can send its first `burst` packets at once.
  TokenBucket(RateLimit limit, std::chrono::steady_clock::time_point now);

  // Takes one token if there is one; false means the packet is over the limit.
  bool TryTake(std::chrono::steady_clock::time_point now);

 private:
  void Refill(std::chrono::steady_clock::time_point now);

  RateLimit limit_;
  double tokens_;
  std::chrono::steady_clock::time_point last_refill_;
};

}  // namespace linkmon::reflector
