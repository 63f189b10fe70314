#include "probe/reflector/token_bucket.h"

#include <algorithm>

namespace linkmon::reflector {

TokenBucket::TokenBucket(RateLimit limit, std::chrono::steady_clock::time_point now)
    : limit_(limit), tokens_(limit.burst), last_refill_(now) {}

void TokenBucket::Refill(std::chrono::steady_clock::time_point now) {
  if (now <= last_refill_) return;  // a monotonic clock read twice in a row may not move
  std::chrono::duration<double> elapsed = now - last_refill_;
  tokens_ = std::min(limit_.burst, tokens_ + elapsed.count() * limit_.packets_per_second);
  last_refill_ = now;
}

bool TokenBucket::TryTake(std::chrono::steady_clock::time_point now) {
  Refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

}  // namespace linkmon::reflector
