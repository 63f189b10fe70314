#include "common/clock.h"

#include <cassert>

namespace linkmon {

namespace {

// 2026-01-01T00:00:00Z; a fixed date keeps test output reproducible.
constexpr std::chrono::seconds kFakeEpochSinceUnix{1'767'225'600};
// Far from zero, so that code subtracting durations from "now" does not run below the epoch.
constexpr std::chrono::hours kFakeMonotonicStart{1'000};

}  // namespace

MonotonicTime RealClock::MonotonicNow() const { return std::chrono::steady_clock::now(); }

SystemTime RealClock::SystemNow() const { return std::chrono::system_clock::now(); }

FakeClock::FakeClock() : monotonic_(kFakeMonotonicStart), system_(kFakeEpochSinceUnix) {}

void FakeClock::Advance(std::chrono::nanoseconds step) {
  assert(step.count() >= 0 && "a monotonic clock never goes back");
  monotonic_ += step;
  system_ += std::chrono::duration_cast<SystemTime::duration>(step);
}

}  // namespace linkmon
