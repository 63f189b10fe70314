// Batch codec and ingest cost on realistic batches (tests/common/batch/batch_examples.h: 10 s
// intervals, 9 of 10 probes answered, RTT/IPDV histograms, one-way delays on STAMP paths).
// Issue 10's figure is path summaries per CPU-second: every benchmark below reports
// summaries_per_cpu_second (CPU of the work measured, not wall time; the machine is shared).
//
//   BM_EncodeBatch/N, BM_DecodeBatch/N     JSON encode/decode of an N-path batch; the counters
//                                          give bytes per batch (plain and gzip)
//   BM_StoreApply{Full,Normal}/N           SummaryStore::ApplyBatch of an N-path batch, batches
//                                          of consecutive 10 s intervals (six per minute row),
//                                          durability FULL (fsync per commit) and NORMAL, in /tmp
//   BM_IngestPipelineFull/N                decode + apply, FULL: the work of one upload without
//                                          HTTP and validation, one commit each
//   BM_StoreApplyGroupFull/N/G             ApplyBatches of G N-path batches per transaction (the
//                                          store writer's group commit), FULL
//   BM_HttpIngest/N/C                      the whole path: C clients on keep-alive connections
//                                          POST N-path batches to the real HttpServer on
//                                          127.0.0.1 (IngestService: token, decode, validate;
//                                          StoreWriter: group commit, FULL), each waiting for
//                                          its 200; CPU = the process's minus the clients'
//                                          threads', i.e. the collector's io and writer threads
//   BM_HourlyPrune/0, /5000                the hourly retention prune of 600,000 minutes at
//                                          10,000 paths: one transaction, or slices of 5,000
//                                          rows (longest_slice_ms: the io thread's longest wait)
//   BM_PathDayOfMinutes                    SummaryStore::MinuteSummaries of one path's 1,440
//                                          minutes (a day: what GET /api/v1/paths reads at most
//                                          per path) in a store of 10,000 paths (each with 6
//                                          minutes, plus that path's day): the primary key
//                                          (path_id, minute_ns) range, so the other paths' rows
//                                          cost a B-tree level, not a scan
// Measured 2026-12-04 on the shared 2-core dev machine (loaded): BM_PathDayOfMinutes 3.3 ms wall,
// 1.9 ms CPU (mean of 3 repetitions); EXPLAIN QUERY PLAN: SEARCH minutes USING PRIMARY KEY
// (path_id=? AND minute_ns>? AND minute_ns<?). The ingest figures are in
// collector/ingest/README.md and bench/results/ingest.md.
// Run: build/bench/linkmon-bench-ingest (add --benchmark_repetitions=5 for spread).

#include <benchmark/benchmark.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

#include "collector/ingest/gzip_decoder.h"
#include "collector/ingest/ingest_route.h"
#include "collector/ingest/ingest_service.h"
#include "collector/ingest/store_writer.h"
#include "collector/store/summary_store.h"
#include "common/batch/batch_codec.h"
#include "config/load.h"
#include "exporters/http/http_server.h"
#include "tests/collector/ingest/ingest_test_config.h"
#include "tests/common/batch/batch_examples.h"

namespace {

using linkmon::batch::testing::ExampleBatch;
using linkmon::batch::testing::ExampleTime;

double CpuSeconds(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}
double ProcessCpuSeconds() { return CpuSeconds(CLOCK_PROCESS_CPUTIME_ID); }
double ThreadCpuSeconds() { return CpuSeconds(CLOCK_THREAD_CPUTIME_ID); }

void ReportPerCpuSecond(benchmark::State& state, double summaries, double cpu_seconds) {
  state.counters["summaries_per_cpu_second"] = cpu_seconds > 0 ? summaries / cpu_seconds : 0;
  state.counters["cpu_us_per_summary"] = summaries > 0 ? cpu_seconds / summaries * 1e6 : 0;
}

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
  state.counters["summaries_per_cpu_second"] = benchmark::Counter(
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
  // cache_kib: 0 for SQLite's default, as the API's reading connection has it; the store
  // writer's is 64 MiB (store_writer.h).
  explicit TempStore(linkmon::sqlite::Durability durability, int cache_kib = 0) {
    dir_ = std::filesystem::temp_directory_path() /
           ("linkmon-ingest-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::move(*linkmon::store::SummaryStore::Open(
        {.path = dir_ / "collector.db", .durability = durability, .cache_kib = cache_kib}));
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
  const double cpu_before = ProcessCpuSeconds();
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
  ReportPerCpuSecond(state, static_cast<double>(state.iterations() * state.range(0)),
                     ProcessCpuSeconds() - cpu_before);
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

// G batches per transaction, as the store writer commits concurrent uploads.
void BM_StoreApplyGroupFull(benchmark::State& state) {
  TempStore temp(linkmon::sqlite::Durability::kFull, /*cache_kib=*/64 * 1024);
  const auto paths = static_cast<std::size_t>(state.range(0));
  const auto group = static_cast<std::size_t>(state.range(1));
  std::vector<linkmon::batch::Batch> batches;
  for (std::uint64_t i = 0; i < 64; ++i) {
    batches.push_back(
        ExampleBatch("xining", i, paths, ExampleTime() + std::chrono::seconds(10 * i)));
  }
  std::uint64_t sequence = 0;
  const double cpu_before = ProcessCpuSeconds();
  for (auto _ : state) {
    std::vector<linkmon::store::SummaryStore::BatchToApply> commit;
    for (std::size_t g = 0; g < group; ++g, ++sequence) {
      linkmon::batch::Batch& b = batches[sequence % batches.size()];
      b.sequence = sequence;
      commit.push_back({.batch = &b, .received = ExampleTime()});
    }
    // Each batch of the group is its own object: copies where the slot repeats within it.
    std::vector<linkmon::batch::Batch> copies;
    copies.reserve(group);
    for (auto& c : commit) {
      copies.push_back(*c.batch);
      c.batch = &copies.back();
    }
    for (const auto& result : temp.store().ApplyBatches(commit)) {
      if (!result) state.SkipWithError(result.error().message.c_str());
    }
  }
  ReportPerCpuSecond(state, static_cast<double>(state.iterations() * state.range(0) * group),
                     ProcessCpuSeconds() - cpu_before);
}
BENCHMARK(BM_StoreApplyGroupFull)->Args({50, 8})->Args({1000, 4})->UseRealTime();

// The collector's ingest as the daemon runs it: HttpServer, IngestService, StoreWriter.
class IngestCollector {
 public:
  IngestCollector(const std::filesystem::path& dir, int hubs, int probes) : dir_(dir) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto config = linkmon::config::LoadConfigString(
        linkmon::ingest::testing::IngestTestConfigYaml(dir_, hubs, "127.0.0.1:0", probes),
        (dir_ / "c.yaml").string());
    if (!config) throw std::runtime_error("bench config does not load");
    config_ = std::move(*config);
    clock_.SetSystemTime(ExampleTime() + std::chrono::minutes(15));
    writer_ = std::move(*linkmon::ingest::StoreWriter::Start(
        {.store = {.path = dir_ / "collector.db"}}, io_.get_executor()));
    linkmon::ingest::IngestOptions options = linkmon::ingest::IngestOptionsFromConfig(config_);
    options.max_body_bytes = 8 << 20;
    service_ = std::move(
        *linkmon::ingest::IngestService::Create(config_, *writer_, clock_, registry_, options));
    linkmon::exporters::HttpRouter router;
    linkmon::ingest::AddIngestRoute(router, *service_);
    server_ = std::move(*linkmon::exporters::HttpServer::Start(io_, {.max_body_bytes = 8 << 20},
                                                               std::move(router), registry_));
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "collector-io");
      io_.run();
    });
  }
  ~IngestCollector() {
    boost::asio::post(io_, [this] {
      writer_->Drain([this] { boost::asio::post(io_, [this] { server_->Stop(); }); });
    });
    thread_.join();
    server_.reset();
    service_.reset();
    writer_.reset();
    std::filesystem::remove_all(dir_);
  }
  boost::asio::ip::tcp::endpoint endpoint() const { return server_->local_endpoint(); }

 private:
  std::filesystem::path dir_;
  linkmon::config::Config config_;
  linkmon::FakeClock clock_;
  prometheus::Registry registry_;
  boost::asio::io_context io_;
  std::unique_ptr<linkmon::ingest::StoreWriter> writer_;
  std::unique_ptr<linkmon::ingest::IngestService> service_;
  std::unique_ptr<linkmon::exporters::HttpServer> server_;
  std::thread thread_;
};

// C clients, each a probe of its own ("probe-c": its own paths, as in a province) on one
// keep-alive connection, post `uploads` batches each and wait for each answer; returns the CPU
// seconds the clients' threads used (to leave the collector's).
double PostFromClients(const boost::asio::ip::tcp::endpoint& endpoint,
                       const std::vector<std::vector<std::string>>& bodies, std::size_t uploads,
                       std::atomic<int>& failures) {
  namespace http = boost::beast::http;
  std::vector<std::thread> clients;
  std::vector<double> cpu(bodies.size(), 0);
  for (std::size_t c = 0; c < bodies.size(); ++c) {
    clients.emplace_back([&, c] {
      const double started = ThreadCpuSeconds();
      boost::asio::io_context io;
      boost::asio::ip::tcp::socket socket(io);
      socket.connect(endpoint);
      boost::beast::flat_buffer buffer;
      for (std::size_t i = 0; i < uploads; ++i) {
        http::request<http::string_body> request{http::verb::post, "/api/v1/ingest", 11};
        request.set(http::field::host, "127.0.0.1");
        request.set(http::field::authorization,
                    "Bearer " + linkmon::ingest::testing::ProbeToken(static_cast<int>(c)));
        request.set(http::field::content_type, "application/json");
        request.body() = bodies[c][i % bodies[c].size()];
        request.prepare_payload();
        http::write(socket, request);
        http::response<http::string_body> response;
        http::read(socket, buffer, response);
        if (response.result_int() != 200 && failures++ == 0) {
          std::fprintf(stderr, "upload answered %u: %s\n", response.result_int(),
                       response.body().c_str());
        }
      }
      cpu[c] = ThreadCpuSeconds() - started;
    });
  }
  for (auto& client : clients) client.join();
  double total = 0;
  for (double c : cpu) total += c;
  return total;
}

void BM_HttpIngest(benchmark::State& state) {
  const auto paths = static_cast<std::size_t>(state.range(0));
  const auto client_count = static_cast<std::size_t>(state.range(1));
  const std::size_t uploads = paths >= 1000 ? 4 : 16;  // per client and iteration
  IngestCollector collector(std::filesystem::temp_directory_path() /
                                ("linkmon-ingest-bench-http-" + std::to_string(::getpid())),
                            static_cast<int>(paths / 2), static_cast<int>(client_count));
  // Every client sends its probe's consecutive intervals; the 64 intervals cycle as in ApplyLoop.
  std::uint64_t sequence = 0;
  std::vector<std::vector<std::string>> bodies(client_count);
  std::atomic<int> failures{0};
  double collector_cpu = 0;
  std::size_t summaries = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (std::size_t c = 0; c < client_count; ++c) {
      bodies[c].clear();
      for (std::size_t i = 0; i < uploads; ++i) {
        const std::uint64_t interval = sequence + i;
        bodies[c].push_back(linkmon::batch::EncodeBatch(
            ExampleBatch("probe-" + std::to_string(c), interval, paths,
                         ExampleTime() + std::chrono::seconds(10 * (interval % 64)))));
      }
    }
    sequence += uploads;
    state.ResumeTiming();
    const double process_before = ProcessCpuSeconds();
    const double clients_cpu = PostFromClients(collector.endpoint(), bodies, uploads, failures);
    collector_cpu += ProcessCpuSeconds() - process_before - clients_cpu;
    summaries += client_count * uploads * paths;
  }
  if (failures > 0) state.SkipWithError("an upload was not answered 200");
  ReportPerCpuSecond(state, static_cast<double>(summaries), collector_cpu);
  state.counters["uploads_per_second"] =
      benchmark::Counter(static_cast<double>(summaries / paths), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_HttpIngest)
    ->Args({50, 4})
    ->Args({1000, 4})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The collector's hourly retention prune at 10,000 paths: an hour of minutes (600,000 rows) and
// its batch keys, FULL. Arg 0: one transaction, as before the pruner sliced it; otherwise slices of
// that many rows (RetentionPruner::kPruneSliceRows), as the daemon runs them on its io thread.
// longest_slice_ms is how long the io thread, and with it the API and ingest, waits at most.
void BM_HourlyPrune(benchmark::State& state) {
  using std::chrono::minutes;
  const auto slice_rows = state.range(0) == 0 ? std::numeric_limits<std::uint64_t>::max()
                                              : static_cast<std::uint64_t>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    TempStore temp(linkmon::sqlite::Durability::kFull);
    for (int m = 0; m <= 60; ++m) {
      const auto at = ExampleTime() + minutes(m);
      auto applied = temp.store().ApplyBatch(
          ExampleBatch("xining", static_cast<std::uint64_t>(m), 10'000, at), at);
      if (!applied) return state.SkipWithError(applied.error().message.c_str());
    }
    const double cpu_before = ThreadCpuSeconds();
    double longest_ms = 0;
    std::uint64_t minutes_deleted = 0;
    int slices = 0;
    state.ResumeTiming();
    for (bool complete = false; !complete; ++slices) {
      const auto started = std::chrono::steady_clock::now();
      auto pruned = temp.store().Prune(ExampleTime() + minutes(60), slice_rows);
      const std::chrono::duration<double, std::milli> took =
          std::chrono::steady_clock::now() - started;
      if (!pruned) return state.SkipWithError(pruned.error().message.c_str());
      longest_ms = std::max(longest_ms, took.count());
      minutes_deleted += pruned->minutes_deleted;
      complete = pruned->complete;
    }
    state.PauseTiming();
    state.counters["minutes_deleted"] = static_cast<double>(minutes_deleted);
    state.counters["slices"] = slices;
    state.counters["longest_slice_ms"] = longest_ms;
    state.counters["cpu_ms"] = (ThreadCpuSeconds() - cpu_before) * 1e3;
    state.ResumeTiming();
  }
}
BENCHMARK(BM_HourlyPrune)
    ->Arg(0)
    ->Arg(5'000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

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
