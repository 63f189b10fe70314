#pragma once

// Where time comes from. Everything that schedules, times out or closes intervals takes a
// `const Clock&` through its constructor, so that tests drive time with a FakeClock and never
// sleep (Envoy envoy/common/time.h, Abseil absl/time/simulated_clock.h).
//
// Two kinds of time, never mixed:
// - MonotonicTime (steady_clock): intervals, timeouts, RTTs. Never jumps when NTP steps the wall
//   clock, so a duration between two readings is a true duration.
// - SystemTime (system_clock): wall-clock labels (when an interval started, for the collector to
//   line up probes) and one-way delays, which compare two hosts' wall clocks.

#include <chrono>

namespace linkmon {

using MonotonicTime = std::chrono::steady_clock::time_point;
using SystemTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual MonotonicTime MonotonicNow() const = 0;
  virtual SystemTime SystemNow() const = 0;
};

// The machine's clocks. Thread-safe.
class RealClock final : public Clock {
 public:
  MonotonicTime MonotonicNow() const override;
  SystemTime SystemNow() const override;
};

// A clock that moves only when told to, for tests. Both times advance together; SetSystemTime
// moves only the wall clock, as an NTP step does. Not thread-safe.
class FakeClock final : public Clock {
 public:
  // Starts at an arbitrary fixed monotonic time and at 2026-01-01T00:00:00Z.
  FakeClock();

  MonotonicTime MonotonicNow() const override { return monotonic_; }
  SystemTime SystemNow() const override { return system_; }

  // Moves both clocks forward by `step` (>= 0).
  void Advance(std::chrono::nanoseconds step);
  // Steps the wall clock alone, forwards or backwards.
  void SetSystemTime(SystemTime time) { system_ = time; }

 private:
  MonotonicTime monotonic_;
  SystemTime system_;
};

}  // namespace linkmon
