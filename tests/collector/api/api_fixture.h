#pragma once

// Collector state for API tests, built on a fake clock through the real ingest entry points:
// 10 minutes of data from 2026-01-01T00:00Z, closed at 00:10:30.
//   xining -> beijing  icmp   11 ms, jitter 1 ms, no loss         (nationwide: met, small headroom)
//   xining -> shanghai icmp    8 ms, jitter 1 ms, no loss         (nationwide: met, more headroom)
//   xining -> beijing  stamp  25 ms                               (nationwide: violates rtt_p50/p99)
//   xining -> haidong  icmp    2 ms from 00:05 (metro: bad; a breach opened at 00:05)
//   haidong -> xining  icmp   data until 00:02 only: stale
//   xining -> shanghai throughput: none: unknown

#include <memory>

#include <gtest/gtest.h>

#include "collector/sla/path_states.h"
#include "tests/collector/sla/test_config.h"
#include "tests/collector/windows/test_minutes.h"

namespace linkmon::testing {

class ApiFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    using namespace std::chrono_literals;
    auto states = sla::PathStates::Create(config_, clock_, sla::PathStatesOptions{});
    ASSERT_TRUE(states) << states.error().message;
    states_ = std::move(*states);
    const SystemTime t0 = Epoch2026();
    for (int m = 0; m < 10; ++m) {
      for (int i = 0; i < 6; ++i) {
        const SystemTime start = t0 + m * 1min + i * 10s;
        clock_.Advance(start + 10s - clock_.SystemNow());
        Feed(Path("xining", "beijing"), start, 11ms);
        Feed(Path("xining", "shanghai"), start, 8ms);
        Feed(Path("xining", "beijing", Method::kStamp), start, 25ms);
        Feed(Path("xining", "haidong"), start, m < 5 ? 500us : 2ms);
        if (m < 2) Feed(Path("haidong", "xining"), start, 600us);
        states_->Tick(clock_.SystemNow());
      }
    }
    clock_.Advance(t0 + 10min + 30s - clock_.SystemNow());
    states_->Tick(clock_.SystemNow());
  }

  void Feed(const PathKey& path, SystemTime start, std::chrono::nanoseconds rtt) {
    auto summary = SummaryAt(start, rtt, 10);
    summary.rfc3550_jitter = std::chrono::milliseconds(1);
    ASSERT_TRUE(states_->Apply(path, summary));
  }

  config::Config config_ = MakeTestConfig();
  FakeClock clock_;
  std::unique_ptr<sla::PathStates> states_;
};

}  // namespace linkmon::testing
