#pragma once

// A collector's path state for the API benchmarks: `sites` probe sites x 100 targets (ICMP), each
// path with five closed minutes of data, RTTs spread over 5..25 ms so that some paths meet the
// class `nationwide` (RTT p99 20 ms, jitter 2 ms, loss 0.1 %) and some do not. 100 sites give the
// 10,000 paths of issue 10, 1,000 sites 100,000. The clock is a FakeClock: the benchmarks move it
// (a new second makes the API rebuild its cached answers, as in a running collector).
//
// Thread-safety: none, as PathStates.

#include <memory>

#include "collector/sla/path_states.h"
#include "common/clock.h"
#include "config/config.h"

namespace linkmon::bench {

inline constexpr int kTargetsPerSite = 100;

struct SyntheticPaths {
  // Builds the paths of `sites` probe sites (site names s000.., targets t000..t099).
  explicit SyntheticPaths(int sites);

  config::Config config;
  FakeClock clock;
  std::unique_ptr<sla::PathStates> states;

 private:
  void FillMinute();
};

}  // namespace linkmon::bench
