// The scheduler API with 10,000 paths (100 probe sites x 100 targets, ICMP), each with five
// minutes of data: /api/v1/matrix and /api/v1/rank, served from cache, rebuilt, and as real HTTP
// requests over 127.0.0.1 with keep-alive; plus closing one minute for all paths.
// Run: build/bench/linkmon-bench-api

#include <benchmark/benchmark.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "bench/synthetic_paths.h"
#include "collector/api/api_routes.h"
#include "collector/api/matrix_endpoint.h"
#include "collector/api/rank_endpoint.h"
#include "collector/sla/path_states.h"
#include "exporters/http/http_server.h"

namespace {

using namespace std::chrono_literals;
using namespace linkmon;
namespace http = boost::beast::http;

// The 10,000 paths: 100 probe sites x 100 targets.
constexpr int kSites = 100;

using Collector = bench::SyntheticPaths;

Collector& Shared() {
  static Collector collector(kSites);
  return collector;
}

exporters::HttpResponse Call(auto& endpoint, const std::string& target) {
  exporters::HttpMessage message{http::verb::get, target, 11};
  const std::string_view whole(message.target().data(), message.target().size());
  const std::size_t q = whole.find('?');
  exporters::HttpRequest request{
      message, {}, whole.substr(0, q), q == std::string_view::npos ? "" : whole.substr(q + 1)};
  return endpoint.Handle(request);
}

void BM_MatrixCached(benchmark::State& state) {
  Collector& collector = Shared();
  api::MatrixEndpoint endpoint(*collector.states);
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto response = Call(endpoint, "/api/v1/matrix");
    bytes = response.body().size();
    benchmark::DoNotOptimize(response);
  }
  state.counters["body_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_MatrixCached)->Unit(benchmark::kMicrosecond);

void BM_MatrixRebuilt(benchmark::State& state) {
  Collector& collector = Shared();
  api::MatrixEndpoint endpoint(*collector.states);
  const SystemTime base = collector.clock.SystemNow();
  int i = 0;
  for (auto _ : state) {
    collector.clock.SetSystemTime(base + (++i % 2) * 1s);  // a new second: the cache is stale
    auto response = Call(endpoint, "/api/v1/matrix");
    benchmark::DoNotOptimize(response);
  }
  collector.clock.SetSystemTime(base);
}
BENCHMARK(BM_MatrixRebuilt)->Unit(benchmark::kMillisecond);

// Every row rendered (a new endpoint each time: as after a minute closed or a reload), against
// BM_MatrixRebuilt's new second, which renders only the state and data age of each row.
void BM_MatrixAllRowsRendered(benchmark::State& state) {
  Collector& collector = Shared();
  const SystemTime now = collector.clock.SystemNow();
  for (auto _ : state) {
    api::MatrixEndpoint endpoint(*collector.states);
    auto body = endpoint.Render(0, now);
    benchmark::DoNotOptimize(body);
  }
}
BENCHMARK(BM_MatrixAllRowsRendered)->Unit(benchmark::kMillisecond);

// One source site's row of the matrix (100 of the 10,000 paths), a new second each time.
void BM_MatrixFromOneSiteRebuilt(benchmark::State& state) {
  Collector& collector = Shared();
  api::MatrixEndpoint endpoint(*collector.states);
  const SystemTime base = collector.clock.SystemNow();
  int i = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    collector.clock.SetSystemTime(base + (++i % 2) * 1s);
    auto response = Call(endpoint, "/api/v1/matrix?from=s042");
    bytes = response.body().size();
    benchmark::DoNotOptimize(response);
  }
  collector.clock.SetSystemTime(base);
  state.counters["body_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_MatrixFromOneSiteRebuilt)->Unit(benchmark::kMicrosecond);

void BM_RankCached(benchmark::State& state) {
  Collector& collector = Shared();
  api::RankEndpoint endpoint(*collector.states);
  for (auto _ : state) {
    auto response = Call(endpoint, "/api/v1/rank?from=s042&sla=nationwide");
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_RankCached)->Unit(benchmark::kMicrosecond);

void BM_RankRebuilt(benchmark::State& state) {
  Collector& collector = Shared();
  api::RankEndpoint endpoint(*collector.states);
  const SystemTime base = collector.clock.SystemNow();
  int i = 0;
  for (auto _ : state) {
    collector.clock.SetSystemTime(base + (++i % 2) * 1s);
    auto response = Call(endpoint, "/api/v1/rank?from=s042&sla=nationwide");
    benchmark::DoNotOptimize(response);
  }
  collector.clock.SetSystemTime(base);
}
BENCHMARK(BM_RankRebuilt)->Unit(benchmark::kMicrosecond);

// The daemon's HTTP server with the API routes on 127.0.0.1, its io_context on a thread of its own.
struct ApiServer {
  explicit ApiServer(Collector& collector) {
    exporters::HttpRouter router;
    refresh_answers = api::AddApiRoutes(router, *collector.states);
    server = std::move(*exporters::HttpServer::Start(io, exporters::HttpServerOptions{},
                                                     std::move(router), registry));
    thread = std::thread([this] { io.run(); });
  }
  ~ApiServer() {
    boost::asio::post(io, [this] { server->Stop(); });
    work.reset();
    thread.join();
  }

  boost::asio::io_context io;
  prometheus::Registry registry;
  api::AnswerRefresh refresh_answers;
  std::unique_ptr<exporters::HttpServer> server;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work{
      io.get_executor()};
  std::thread thread;
};

// The client's read buffer: Beast reads at most max(512, free capacity) bytes at a time and a
// flat_buffer its parser empties never grows, so left empty it takes ~100 recv calls for a 52 KB
// answer (bench/http_load.cpp says more). 64 KiB is the most http::read asks for in one call.
boost::beast::flat_buffer ClientBuffer() {
  boost::beast::flat_buffer buffer;
  buffer.reserve(64 * 1024);
  return buffer;
}

// Real requests on one keep-alive connection to the daemon's HTTP server on 127.0.0.1.
void HttpLoop(benchmark::State& state, const std::string& target) {
  ApiServer api(Shared());
  {
    boost::asio::io_context client_io;
    boost::asio::ip::tcp::socket socket(client_io);
    socket.connect(api.server->local_endpoint());
    boost::beast::flat_buffer buffer = ClientBuffer();
    for (auto _ : state) {
      http::request<http::empty_body> request{http::verb::get, target, 11};
      request.set(http::field::host, "127.0.0.1");
      http::write(socket, request);
      http::response<http::string_body> response;
      http::read(socket, buffer, response);
      if (response.result_int() != 200) state.SkipWithError("status is not 200");
      benchmark::DoNotOptimize(response);
    }
  }
}

void BM_HttpMatrix(benchmark::State& state) { HttpLoop(state, "/api/v1/matrix"); }
BENCHMARK(BM_HttpMatrix)->Unit(benchmark::kMillisecond)->Iterations(200);

void BM_HttpMatrixFromOneSite(benchmark::State& state) {
  HttpLoop(state, "/api/v1/matrix?from=s042");
}
BENCHMARK(BM_HttpMatrixFromOneSite)->Unit(benchmark::kMicrosecond)->Iterations(2000);

void BM_HttpRank(benchmark::State& state) {
  HttpLoop(state, "/api/v1/rank?from=s042&sla=nationwide");
}
BENCHMARK(BM_HttpRank)->Unit(benchmark::kMicrosecond)->Iterations(2000);

// A scheduler at 100 requests per second: 500 requests on one keep-alive connection, one every
// 10 ms (absolute send times, so a slow answer does not slow the rate), each second a new second
// on the collector's clock, after which the server renders the answers asked for again
// (api::AnswerRefresh), as the collector's MinuteTicker does. Reports the latency quantiles of the
// answers.
void PacedLoop(benchmark::State& state, const std::string& target) {
  constexpr int kRequests = 500;
  constexpr auto kSpacing = 10ms;
  Collector& collector = Shared();
  ApiServer api(collector);
  const SystemTime base = collector.clock.SystemNow();
  std::vector<double> latencies_ms;
  for (auto _ : state) {
    boost::asio::io_context client_io;
    boost::asio::ip::tcp::socket socket(client_io);
    socket.connect(api.server->local_endpoint());
    boost::beast::flat_buffer buffer = ClientBuffer();
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRequests; ++i) {
      if (i % 100 == 0) {  // the collector's state moves on once a second (on its own thread)
        boost::asio::post(api.io, [&collector, &api, base, i] {
          collector.clock.SetSystemTime(base + std::chrono::seconds(i / 100 + 1));
          api.refresh_answers();
        });
      }
      std::this_thread::sleep_until(start + i * kSpacing);
      const auto sent = std::chrono::steady_clock::now();
      http::request<http::empty_body> request{http::verb::get, target, 11};
      request.set(http::field::host, "127.0.0.1");
      http::write(socket, request);
      http::response<http::string_body> response;
      http::read(socket, buffer, response);
      if (response.result_int() != 200) state.SkipWithError("status is not 200");
      latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent)
              .count());
    }
  }
  boost::asio::post(api.io, [&collector, base] { collector.clock.SetSystemTime(base); });
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto quantile = [&](double q) {
    return latencies_ms[static_cast<std::size_t>(q * static_cast<double>(latencies_ms.size() - 1))];
  };
  state.counters["p50_ms"] = quantile(0.50);
  state.counters["p99_ms"] = quantile(0.99);
  state.counters["max_ms"] = latencies_ms.back();
}

void BM_HttpRankAt100PerSecond(benchmark::State& state) {
  PacedLoop(state, "/api/v1/rank?from=s042&sla=nationwide");
}
BENCHMARK(BM_HttpRankAt100PerSecond)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_HttpMatrixAt100PerSecond(benchmark::State& state) { PacedLoop(state, "/api/v1/matrix"); }
BENCHMARK(BM_HttpMatrixAt100PerSecond)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_HttpMatrixFromOneSiteAt100PerSecond(benchmark::State& state) {
  PacedLoop(state, "/api/v1/matrix?from=s042");
}
BENCHMARK(BM_HttpMatrixFromOneSiteAt100PerSecond)->Unit(benchmark::kMillisecond)->Iterations(1);

// Resident memory the collector's state takes per path: RSS growth while the paths with five
// closed minutes each are built (windows, minute history, budgets), divided by the paths. The
// argument is the probe sites: 100 give 10,000 paths, 1,000 give 100,000 (issue 10 asks for both).
// Each size runs in its own process (bench/run: --benchmark_filter), so that memory freed by a
// previous benchmark and kept by malloc does not hide growth.
std::uint64_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

void BM_MemoryPerPath(benchmark::State& state) {
  for (auto _ : state) {
    const std::uint64_t before = ResidentBytes();
    auto collector = std::make_unique<Collector>(static_cast<int>(state.range(0)));
    const std::uint64_t after = ResidentBytes();
    state.counters["paths"] = static_cast<double>(collector->states->paths().size());
    state.counters["bytes_per_path"] = static_cast<double>(after - before) /
                                       static_cast<double>(collector->states->paths().size());
    benchmark::DoNotOptimize(collector);
  }
}
BENCHMARK(BM_MemoryPerPath)->Unit(benchmark::kMillisecond)->Iterations(1)->Arg(100)->Arg(1000);

// Closing one minute (judging it, budgets, breaches, snapshots) for all 10,000 paths.
void BM_CloseMinute(benchmark::State& state) {
  Collector collector(kSites);
  for (auto _ : state) {
    state.PauseTiming();
    const SystemTime start = collector.clock.SystemNow() - 20s;
    collector.clock.Advance(60s);
    for (const auto& path : collector.states->paths()) {
      stats::IntervalSummary summary;
      summary.start = start;
      summary.duration = 60s;
      summary.counts.sent = 60;
      summary.counts.received = 60;
      summary.rtt.Record(10ms);
      (void)collector.states->Apply(path.key, summary);
    }
    state.ResumeTiming();
    collector.states->Tick(collector.clock.SystemNow());
  }
}
BENCHMARK(BM_CloseMinute)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
