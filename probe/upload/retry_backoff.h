#pragma once

// How long the uploader waits before trying the collector again: exponential backoff with full
// jitter ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015): after n failures in a
// row the delay is uniform in [floor, min(cap, initial * 2^n)]. The jitter spreads hundreds of
// probes that lost the same collector over the whole window instead of having them return in
// lockstep; the floor keeps a 0 draw from becoming a busy loop.
//
// Thread-safety: not thread-safe.

#include <chrono>
#include <cstdint>
#include <random>

namespace linkmon::upload {

struct BackoffOptions {
  std::chrono::nanoseconds initial = std::chrono::seconds(1);  // bound after the first failure
  std::chrono::nanoseconds cap = std::chrono::minutes(5);      // no wait is longer than this
  std::chrono::nanoseconds floor = std::chrono::milliseconds(50);
};

class RetryBackoff {
 public:
  // `seed` makes the draws reproducible in tests; the daemon seeds from std::random_device.
  RetryBackoff(BackoffOptions options, std::uint64_t seed);

  // Counts one more failure and returns the delay before the next attempt.
  std::chrono::nanoseconds NextDelay();
  // The upper bound NextDelay would draw from after one more failure.
  std::chrono::nanoseconds NextBound() const;
  // After a success: the next failure starts again from `initial`.
  void Reset() { failures_ = 0; }
  int failures() const { return failures_; }
  const BackoffOptions& options() const { return options_; }

 private:
  BackoffOptions options_;
  std::mt19937_64 random_;
  int failures_ = 0;
};

}  // namespace linkmon::upload
