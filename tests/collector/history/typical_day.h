#pragma once

// The day of verdicts the SLA history's size and load figures assume (history_store_test's bytes
// per path-day, bench/history_bench.cpp's start-up load): a 20-minute bad spell from 09:00 and a
// 5-minute unknown one from 15:00, good otherwise, so 4 verdict changes a path a day.

#include <chrono>
#include <vector>

#include "collector/sla/sla_history.h"
#include "common/clock.h"
#include "common/ids.h"

namespace linkmon::testing {

inline void AppendTypicalDay(sla::HistoryDelta& delta, const std::vector<PathKey>& paths,
                             SystemTime midnight) {
  using namespace std::chrono_literals;
  for (const auto& path : paths) {
    delta.verdict_changes.push_back({path, midnight + 9h, sla::Verdict::kBad});
    delta.verdict_changes.push_back({path, midnight + 9h + 20min, sla::Verdict::kGood});
    delta.verdict_changes.push_back({path, midnight + 15h, sla::Verdict::kUnknown});
    delta.verdict_changes.push_back({path, midnight + 15h + 5min, sla::Verdict::kGood});
  }
}

}  // namespace linkmon::testing
