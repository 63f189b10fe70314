#pragma once

// How much earlier than a packet's release time the emulator arms its timer. A sleeping thread
// wakes some tens of microseconds after its timer expires (more on a busy or virtual machine); the
// emulator learns that lateness and arms the timer that much early, so that the median packet
// leaves on time without spinning the CPU.
//
// The lead tracks the median lateness by stochastic approximation: each observation moves it one
// step towards the observed value's side. Bounded so that a machine stalled for a moment does not
// teach it to release packets far too early.

#include <algorithm>
#include <chrono>

namespace linkmon::lab {

class WakeLead {
 public:
  static constexpr std::chrono::nanoseconds kStep = std::chrono::nanoseconds(500);
  static constexpr std::chrono::nanoseconds kMax = std::chrono::microseconds(200);

  std::chrono::nanoseconds lead() const { return lead_; }

  // `error` = (when the packet the timer was armed for actually left) - (its release time):
  // positive when late.
  void Observe(std::chrono::nanoseconds error) {
    if (error > std::chrono::nanoseconds(0)) {
      lead_ = std::min(lead_ + kStep, kMax);
    } else if (error < std::chrono::nanoseconds(0)) {
      lead_ = std::max(lead_ - kStep, std::chrono::nanoseconds(0));
    }
  }

 private:
  std::chrono::nanoseconds lead_{0};
};

}  // namespace linkmon::lab
