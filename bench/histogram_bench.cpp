// Cost of the measurement model on its hot paths: recording a sample (probe side, per reply),
// merging histograms (collector side, per path and window), the wire format (per upload and per
// stored window), and the whole per-probe bookkeeping of IntervalRecorder.
//
// Two shapes of data: "path" is one interval of a real path (20 ms +- 5 %, a few dozen buckets);
// "wide" is log-uniform over 1 us .. 60 s, hundreds of buckets, the worst case for sparse storage.

#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "common/clock.h"
#include "common/histogram/histogram_codec.h"
#include "common/histogram/log_histogram.h"
#include "common/stats/interval_recorder.h"

namespace linkmon::histogram {
namespace {

using std::chrono::nanoseconds;

std::vector<nanoseconds> PathSamples(std::size_t n) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> rtt(20e6, 1e6);
  std::vector<nanoseconds> samples;
  for (std::size_t i = 0; i < n; ++i) samples.emplace_back(static_cast<std::int64_t>(rtt(rng)));
  return samples;
}

std::vector<nanoseconds> WideSamples(std::size_t n) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> exponent(std::log(1e3), std::log(6e10));
  std::vector<nanoseconds> samples;
  for (std::size_t i = 0; i < n; ++i) {
    samples.emplace_back(static_cast<std::int64_t>(std::exp(exponent(rng))));
  }
  return samples;
}

LogHistogram Fill(const std::vector<nanoseconds>& samples) {
  LogHistogram histogram;
  for (nanoseconds sample : samples) histogram.Record(sample);
  return histogram;
}

void Record(benchmark::State& state, const std::vector<nanoseconds>& samples) {
  LogHistogram histogram;
  std::size_t i = 0;
  for (auto _ : state) {
    histogram.Record(samples[i]);
    if (++i == samples.size()) i = 0;
  }
  benchmark::DoNotOptimize(histogram);
  state.SetItemsProcessed(state.iterations());
}

void BM_RecordPath(benchmark::State& state) { Record(state, PathSamples(1 << 16)); }
void BM_RecordWide(benchmark::State& state) { Record(state, WideSamples(1 << 16)); }
BENCHMARK(BM_RecordPath);
BENCHMARK(BM_RecordWide);

// Merging one interval's histogram into a window that already has its buckets: the collector's
// steady state. Argument: samples per interval.
void Merge(benchmark::State& state, const LogHistogram& interval) {
  LogHistogram window = interval;
  for (auto _ : state) {
    benchmark::DoNotOptimize(window.Merge(interval));
  }
  state.counters["buckets"] = static_cast<double>(interval.Buckets().size());
  state.SetItemsProcessed(state.iterations());
}

void BM_MergePath(benchmark::State& state) {
  Merge(state, Fill(PathSamples(static_cast<std::size_t>(state.range(0)))));
}
void BM_MergeWide(benchmark::State& state) {
  Merge(state, Fill(WideSamples(static_cast<std::size_t>(state.range(0)))));
}
BENCHMARK(BM_MergePath)->Arg(600);
BENCHMARK(BM_MergeWide)->Arg(600)->Arg(100'000);

void BM_Serialize(benchmark::State& state, const LogHistogram& histogram) {
  for (auto _ : state) benchmark::DoNotOptimize(SerializeHistogram(histogram));
  state.counters["bytes"] = static_cast<double>(SerializeHistogram(histogram).size());
}

void BM_Deserialize(benchmark::State& state, const LogHistogram& histogram) {
  const std::vector<std::uint8_t> bytes = SerializeHistogram(histogram);
  for (auto _ : state) benchmark::DoNotOptimize(DeserializeHistogram(bytes));
  state.counters["bytes"] = static_cast<double>(bytes.size());
}

BENCHMARK_CAPTURE(BM_Serialize, path_600, Fill(PathSamples(600)));
BENCHMARK_CAPTURE(BM_Serialize, wide_100k, Fill(WideSamples(100'000)));
BENCHMARK_CAPTURE(BM_Deserialize, path_600, Fill(PathSamples(600)));
BENCHMARK_CAPTURE(BM_Deserialize, wide_100k, Fill(WideSamples(100'000)));

// One probe through IntervalRecorder: OnSent, OnReply, and the interval closing every 600
// probes (100 per second, 10 ms RTT, 6 s intervals).
void BM_RecorderProbe(benchmark::State& state) {
  FakeClock clock;
  const MonotonicTime origin = clock.MonotonicNow();
  auto recorder = stats::IntervalRecorder::Create({.interval = std::chrono::seconds(6),
                                                   .timeout = std::chrono::seconds(1),
                                                   .late_horizon = std::chrono::seconds(2),
                                                   .max_outstanding = 4096,
                                                   .origin = origin},
                                                  clock);
  const std::vector<nanoseconds> rtts = PathSamples(1 << 12);
  std::uint32_t seq = 0;
  for (auto _ : state) {
    const nanoseconds rtt = rtts[seq % rtts.size()] / 2;
    const MonotonicTime sent = clock.MonotonicNow();
    (void)recorder->OnSent({.sequence = seq, .sent = sent});
    (void)recorder->OnReply({.sequence = seq, .arrival = sent + rtt, .rtt = rtt});
    clock.Advance(std::chrono::milliseconds(10));
    benchmark::DoNotOptimize(recorder->CloseDue());
    ++seq;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecorderProbe);

}  // namespace
}  // namespace linkmon::histogram
