#pragma once

// How much earlier than a packet's release time the emulator arms its timer. A sleeping thread
// wakes some tens of microseconds after its timer expires (more on a busy or virtual machine); the
// emulator learns that lateness and arms the timer that much early, so that the median packet
// leaves on time without spinning the CPU.
//
// The lead tracks the median lateness by stochastic approximation: each observation moves it
// towards the observed side by an eighth of the error, at least kMinStep and at most kMaxStep, so
// that it settles within some twenty wake-ups (a probe sending ten packets a second should not
// wait minutes) while one stall of a busy machine moves it by kMaxStep only. Bounded by kMax so
// that a machine stalled for a while does not teach it to release packets far too early.

#include <algorithm>
#include <chrono>

namespace linkmon::lab {

class WakeLead {
 public:
  static constexpr std::chrono::nanoseconds kMinStep = std::chrono::nanoseconds(500);
  static constexpr std::chrono::nanoseconds kMaxStep = std::chrono::microseconds(10);
  static constexpr std::chrono::nanoseconds kMax = std::chrono::microseconds(200);

  std::chrono::nanoseconds lead() const { return lead_; }

  // `error` = (when the packet the timer was armed for actually left) - (its release time):
  // positive when late.
  void Observe(std::chrono::nanoseconds error) {
    if (error == std::chrono::nanoseconds(0)) return;
    const auto magnitude = error > std::chrono::nanoseconds(0) ? error : -error;
    const auto step = std::clamp(magnitude / 8, kMinStep, kMaxStep);
    if (error > std::chrono::nanoseconds(0)) {
      lead_ = std::min(lead_ + step, kMax);
    } else {
      lead_ = std::max(lead_ - step, std::chrono::nanoseconds(0));
    }
  }

 private:
  std::chrono::nanoseconds lead_{0};
};

}  // namespace linkmon::lab
