// Batch codec and ingest cost on realistic batches (tests/common/batch/batch_examples.h: 10 s
// intervals, 9 of 10 probes answered, RTT/IPDV histograms, one-way delays on STAMP paths).
//
//   BM_EncodeBatch/50, BM_DecodeBatch/50   JSON encode/decode of a 50-path batch; the counters
//                                          give bytes per batch (plain and gzip)
//   BM_StoreApply/50                       SummaryStore::ApplyBatch of a 50-path batch, each to a
//                                          new minute; durability FULL (fsync per commit) and
//                                          NORMAL, on the file system of /tmp
//   BM_IngestPipeline/50                   decode + validate-free apply, i.e. the work of
//                                          POST /api/v1/ingest without HTTP: summaries/s on one
//                                          core
//   BM_PathDayOfMinutes                    SummaryStore::MinuteSummaries of one path's 1,440
//                                          minutes (a day: what GET /api/v1/paths reads at most
//                                          per path) in a store of 10,000 paths (each with 6
//                                          minutes, plus that path's day): the primary key
//                                          (path_id, minute_ns) range, so the other paths' rows
//                                          cost a B-tree level, not a scan
// Measured 2026-12-04 on the shared 2-core dev machine (loaded): BM_PathDayOfMinutes 3.3 ms wall,
// 1.9 ms CPU (mean of 3 repetitions); EXPLAIN QUERY PLAN: SEARCH minutes USING PRIMARY KEY
// (path_id=? AND minute_ns>? AND minute_ns<?).
// Run: build/bench/linkmon-bench-ingest (add --benchmark_repetitions=5 for spread).

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include "collector/ingest/gzip_decoder.h"
#include "collector/store/summary_store.h"
#include "common/batch/batch_codec.h"
#include "tests/common/batch/batch_examples.h"

namespace {

using linkmon::batch::testing::ExampleBatch;
using linkmon::batch::testing::ExampleTime;

void BM_EncodeBatch(benchmark::State& state) {
  const auto batch = ExampleBatch("xining", 1, static_cast<std::size_t>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string text = linkmon::batch::EncodeBatch(batch);
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  const std::string text = linkmon::batch::EncodeBatch(batch);
  state.counters["json_bytes"] = static_cast<double>(bytes);
  state.counters["gzip_bytes"] = static_cast<double>(linkmon::ingest::Gzip(text).size());
  state.counters["summaries/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EncodeBatch)->Arg(1)->Arg(50)->Arg(1000);

void BM_DecodeBatch(benchmark::State& state) {
  const std::string text = linkmon::batch::EncodeBatch(
      ExampleBatch("xining", 1, static_cast<std::size_t>(state.range(0))));
  for (auto _ : state) {
    auto batch = linkmon::batch::DecodeBatch(text);
    if (!batch) state.SkipWithError(batch.error().message.c_str());
    benchmark::DoNotOptimize(batch);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["summaries/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeBatch)->Arg(1)->Arg(50)->Arg(1000);

void BM_GunzipBatch(benchmark::State& state) {
  const std::string gz = linkmon::ingest::Gzip(linkmon::batch::EncodeBatch(
      ExampleBatch("xining", 1, static_cast<std::size_t>(state.range(0)))));
  for (auto _ : state) {
    auto plain = linkmon::ingest::Gunzip(gz, 8 << 20);
    benchmark::DoNotOptimize(plain);
  }
}
BENCHMARK(BM_GunzipBatch)->Arg(50);

class TempStore {
 public:
  explicit TempStore(linkmon::sqlite::Durability durability) {
    dir_ = std::filesystem::temp_directory_path() /
           ("linkmon-ingest-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::move(*linkmon::store::SummaryStore::Open(
        {.path = dir_ / "collector.db", .durability = durability}));
  }
  ~TempStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  linkmon::store::SummaryStore& store() { return *store_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<linkmon::store::SummaryStore> store_;
};

// Batches to distinct minutes (a new row per path), as in steady operation with one batch per
// path and minute... and every 6th batch lands in an existing minute (10 s intervals merge).
void ApplyLoop(benchmark::State& state, linkmon::sqlite::Durability durability, bool decode) {
  TempStore temp(durability);
  const auto paths = static_cast<std::size_t>(state.range(0));
  std::vector<std::string> texts;
  std::vector<linkmon::batch::Batch> batches;
  for (std::uint64_t i = 0; i < 64; ++i) {
    batches.push_back(
        ExampleBatch("xining", i, paths, ExampleTime() + std::chrono::seconds(10 * i)));
    texts.push_back(linkmon::batch::EncodeBatch(batches.back()));
  }
  std::uint64_t sequence = 0;
  for (auto _ : state) {
    const std::size_t slot = sequence % batches.size();
    if (decode) {
      auto batch = linkmon::batch::DecodeBatch(texts[slot]);
      batch->sequence = sequence;
      auto applied = temp.store().ApplyBatch(*batch, ExampleTime());
      if (!applied) state.SkipWithError(applied.error().message.c_str());
    } else {
      batches[slot].sequence = sequence;
      auto applied = temp.store().ApplyBatch(batches[slot], ExampleTime());
      if (!applied) state.SkipWithError(applied.error().message.c_str());
    }
    ++sequence;
  }
  state.counters["summaries/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
  state.counters["store_bytes"] = static_cast<double>(temp.store().DiskBytes());
}

void BM_StoreApplyFull(benchmark::State& state) {
  ApplyLoop(state, linkmon::sqlite::Durability::kFull, false);
}
void BM_StoreApplyNormal(benchmark::State& state) {
  ApplyLoop(state, linkmon::sqlite::Durability::kNormal, false);
}
void BM_IngestPipelineFull(benchmark::State& state) {
  ApplyLoop(state, linkmon::sqlite::Durability::kFull, true);
}
BENCHMARK(BM_StoreApplyFull)->Arg(50)->Arg(1000)->UseRealTime();
BENCHMARK(BM_StoreApplyNormal)->Arg(50)->Arg(1000)->UseRealTime();
BENCHMARK(BM_IngestPipelineFull)->Arg(50)->Arg(1000)->UseRealTime();

void BM_PathDayOfMinutes(benchmark::State& state) {
  using std::chrono::minutes;
  TempStore temp(linkmon::sqlite::Durability::kNormal);
  std::uint64_t sequence = 0;
  for (int m = 0; m < 6; ++m) {
    auto applied = temp.store().ApplyBatch(
        ExampleBatch("xining", sequence++, 10'000, ExampleTime() + minutes(m)), ExampleTime());
    if (!applied) return state.SkipWithError(applied.error().message.c_str());
  }
  for (int m = 6; m < 1440; ++m) {
    auto applied = temp.store().ApplyBatch(
        ExampleBatch("xining", sequence++, 1, ExampleTime() + minutes(m)), ExampleTime());
    if (!applied) return state.SkipWithError(applied.error().message.c_str());
  }
  const linkmon::PathKey path = ExampleBatch("xining", 0, 1).summaries.front().path;
  for (auto _ : state) {
    auto day = temp.store().MinuteSummaries(path, ExampleTime(), ExampleTime() + minutes(1440));
    if (!day || day->size() != 1440u) return state.SkipWithError("expected 1,440 minutes");
    benchmark::DoNotOptimize(day);
  }
}
BENCHMARK(BM_PathDayOfMinutes)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
