// The SLA history's cost on the collector's minute tick (collector/history/history_store.h):
// HistoryStore::Write of one tick's delta for 10,000 paths, one transaction, synchronous=NORMAL,
// on the file system of /tmp.
//
//   BM_HistoryTick/N   N of the 10,000 paths changed verdict this minute (plus judged_through);
//                      0 is a quiet minute, 10000 the first minute after a start
//   BM_HistoryLoad     HistoryStore::Load of 30 days x 10,000 paths, 4 changes a day each
//                      (1.2 M rows), every change held in one vector (the start-up before
//                      it streamed)
//   BM_HistoryStream   the same history as the start-up restore reads it now:
//                      LoadWithoutVerdicts, then ForEachVerdictChange one change at a time
//                      (collector/state_rebuild.cpp hands each to PathStates::Restore)
// Peak memory of the start-up read: run one case alone under /usr/bin/time -v
// (--benchmark_filter=BM_HistoryLoad or BM_HistoryStream) and compare "Maximum resident set
// size"; both include writing the history first (one day's 40,000 changes in memory at a time).
// Run: build/bench/linkmon-bench-history (add --benchmark_repetitions=5 for spread).
//
// Measured 2026-12-04 on the shared 2-core dev machine while a sanitizer build ran (wall, CPU):
// quiet tick 0.053 ms (0.012 ms); 100 changes 3.0 ms (0.76 ms); all 10,000 paths changing 72 ms
// (26 ms); Load of 1.2 M change rows 2.8 s (0.87 s).
// Same machine, later that day: BM_HistoryLoad 1.67 s (0.94 s), peak RSS 190 MB;
// BM_HistoryStream 1.59 s (0.89 s), peak RSS 19 MB (/usr/bin/time -v, one case per run).

#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>

#include "collector/history/history_store.h"
#include "tests/collector/history/typical_day.h"
#include "tests/collector/windows/test_minutes.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace std::chrono_literals;
using linkmon::sla::HistoryDelta;
using linkmon::sla::Verdict;

constexpr int kPaths = 10'000;

std::vector<linkmon::PathKey> ManyPaths() {
  std::vector<linkmon::PathKey> paths;
  for (int i = 0; i < kPaths; ++i) {
    paths.push_back(linkmon::PathKey{*linkmon::SiteName::Make("site" + std::to_string(i / 100)),
                                     *linkmon::TargetName::Make("target" + std::to_string(i % 100)),
                                     linkmon::Method::kIcmp});
  }
  return paths;
}

void BM_HistoryTick(benchmark::State& state) {
  linkmon::testing::TempDir dir("linkmon-history-bench");
  auto store = linkmon::history::HistoryStore::Open({.path = dir.path() / "c.db"});
  if (!store) return state.SkipWithError(store.error().message.c_str());
  const auto paths = ManyPaths();
  linkmon::SystemTime minute = linkmon::testing::Epoch2026();
  HistoryDelta first;
  for (const auto& path : paths) first.verdict_changes.push_back({path, minute, Verdict::kGood});
  if (!(*store)->Write(first)) return state.SkipWithError("first write failed");
  const auto changed = static_cast<std::size_t>(state.range(0));
  int tick = 0;
  for (auto _ : state) {
    minute += 1min;
    HistoryDelta delta;
    for (std::size_t i = 0; i < changed; ++i) {
      delta.verdict_changes.push_back(
          {paths[i], minute, tick % 2 == 0 ? Verdict::kBad : Verdict::kGood});
    }
    delta.judged_through = minute + 1min;
    if (!(*store)->Write(delta)) return state.SkipWithError("write failed");
    ++tick;
  }
}
BENCHMARK(BM_HistoryTick)->Arg(0)->Arg(100)->Arg(10'000)->Unit(benchmark::kMillisecond);

// A history file holding 30 days x 10,000 paths, 4 verdict changes a day each, from t0;
// `store` is null when it could not be written.
struct MonthOfHistory {
  MonthOfHistory() {
    auto opened = linkmon::history::HistoryStore::Open({.path = dir.path() / "c.db"});
    if (!opened) return;
    const auto paths = ManyPaths();
    for (int day = 0; day < 30; ++day) {
      HistoryDelta delta;
      const linkmon::SystemTime midnight = t0 + day * 24h;
      linkmon::testing::AppendTypicalDay(delta, paths, midnight);
      delta.judged_through = midnight + 24h;
      if (!(*opened)->Write(delta)) return;
    }
    store = std::move(*opened);
  }
  linkmon::testing::TempDir dir{"linkmon-history-bench"};
  const linkmon::SystemTime t0 = linkmon::testing::Epoch2026();
  std::unique_ptr<linkmon::history::HistoryStore> store;
};

void BM_HistoryLoad(benchmark::State& state) {
  MonthOfHistory month;
  if (!month.store) return state.SkipWithError("writing the history failed");
  for (auto _ : state) {
    auto loaded = month.store->Load(month.t0, 10'000);
    if (!loaded) return state.SkipWithError(loaded.error().message.c_str());
    benchmark::DoNotOptimize(loaded);
  }
}
BENCHMARK(BM_HistoryLoad)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_HistoryStream(benchmark::State& state) {
  MonthOfHistory month;
  if (!month.store) return state.SkipWithError("writing the history failed");
  for (auto _ : state) {
    auto loaded = month.store->LoadWithoutVerdicts(10'000);
    if (!loaded) return state.SkipWithError(loaded.error().message.c_str());
    std::size_t changes = 0;
    auto read =
        month.store->ForEachVerdictChange(month.t0, [&](const linkmon::sla::VerdictChange& change) {
          benchmark::DoNotOptimize(change);
          ++changes;
        });
    if (!read) return state.SkipWithError(read.error().message.c_str());
    if (changes != 30u * 4u * kPaths) return state.SkipWithError("wrong number of changes");
  }
}
BENCHMARK(BM_HistoryStream)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
