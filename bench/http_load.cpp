// linkmon-bench-http-load: an open-loop HTTP/1.1 load generator for bench/run. It sends GET
// requests at a fixed total rate over keep-alive connections to 127.0.0.1:PORT, cycling through
// the request targets of a file (one per line, already URL-encoded), and prints one JSON object:
// requests, answers with status 200, answers whose body holds --expect, errors, and the latency
// quantiles of the answers.
//
// bench/run uses the same generator for every HTTP peer, so that rates and latencies compare:
// linkmon's /api/v1/matrix and /rank against Prometheus' /api/v1/query, and a Prometheus-style
// scraper of blackbox_exporter's /probe (one request per target per second).
//
// Pacing: request i is due at start + i / rate (absolute times, so a slow answer does not slow the
// rate); the connections take the requests in turn (i % connections), each one request at a time,
// as a scraper's workers do. Latency is from the request's write to the end of its answer, so it is
// the server's service time plus the loopback; requests sent more than 1 ms after their due time
// are counted as `late` (the generator or the server could not keep up). Bounded: --duration at
// most 120 s, --rate at most 20,000/s, --connections at most 512, every read has a deadline, and
// no request is sent later than twice the duration plus 5 s after the start: a server that cannot
// keep up leaves requests unsent (`skipped`), so the run ends in bounded time.
//
// Usage: linkmon-bench-http-load --port 9090 --targets FILE --rate 100 --duration 10
//        [--connections 4] [--expect 'probe_success 1'] [--timeout-ms 5000]

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

struct LoadOptions {
  std::uint16_t port = 0;
  std::vector<std::string> targets;
  double rate = 100;  // requests per second, all connections together
  std::chrono::milliseconds duration{10'000};
  int connections = 4;
  std::string expect;  // empty: no body check
  std::chrono::milliseconds timeout{5'000};
};

// What one connection saw; merged at the end.
struct ConnectionTally {
  std::uint64_t requests = 0;
  std::uint64_t ok = 0;
  std::uint64_t matched = 0;
  std::uint64_t errors = 0;
  std::uint64_t late = 0;
  std::uint64_t skipped = 0;
  std::uint64_t body_bytes = 0;
  std::vector<double> latencies_ms;
};

// One keep-alive connection; reconnects after an error (counted), never retries a request.
class Connection {
 public:
  explicit Connection(const LoadOptions& options) : options_(options), stream_(io_) {
    // Beast reads at most max(512, free capacity) bytes at a time, and a flat_buffer the parser
    // empties never grows: left at its first 512 bytes it took 102 recv calls for a 52 KB answer
    // (strace; 1 now), 0.01-0.02 ms of the latency of every answer of tens of KB, whichever
    // server sent it. 64 KiB is the most Beast's http::read asks for in one call.
    buffer_.reserve(64 * 1024);
  }

  void Run(int index, Clock::time_point start, std::uint64_t total, ConnectionTally& tally) {
    const auto spacing = std::chrono::duration<double>(1.0 / options_.rate);
    const auto give_up = start + 2 * options_.duration + std::chrono::seconds(5);
    for (std::uint64_t i = static_cast<std::uint64_t>(index); i < total;
         i += static_cast<std::uint64_t>(options_.connections)) {
      const auto due = start + std::chrono::duration_cast<Clock::duration>(spacing * double(i));
      std::this_thread::sleep_until(due);
      if (Clock::now() > give_up) {
        ++tally.skipped;
        continue;
      }
      const auto sent = Clock::now();
      if (sent - due > std::chrono::milliseconds(1)) ++tally.late;
      ++tally.requests;
      const std::string& target = options_.targets[i % options_.targets.size()];
      std::optional<http::response<http::string_body>> response = Get(target);
      if (!response) {
        ++tally.errors;
        continue;
      }
      tally.latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
      tally.body_bytes += response->body().size();
      if (response->result_int() == 200) ++tally.ok;
      if (!options_.expect.empty() && response->body().find(options_.expect) != std::string::npos) {
        ++tally.matched;
      }
    }
  }

 private:
  std::optional<http::response<http::string_body>> Get(const std::string& target) {
    boost::beast::error_code error;
    if (!connected_) {
      stream_.expires_after(options_.timeout);
      stream_.connect({boost::asio::ip::address_v4::loopback(), options_.port}, error);
      if (error) return std::nullopt;
      connected_ = true;
    }
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, "127.0.0.1");
    stream_.expires_after(options_.timeout);
    http::write(stream_, request, error);
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);  // a full matrix of 100,000 paths stays below
    if (!error) http::read(stream_, buffer_, parser, error);
    if (error) {
      stream_.close();
      buffer_.clear();
      connected_ = false;
      return std::nullopt;
    }
    return parser.release();
  }

  const LoadOptions& options_;
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  return sorted[static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  LoadOptions options;
  std::string targets_file;
  double duration_seconds = 10;
  int timeout_ms = 5000;
  CLI::App app{"Open-loop HTTP load at a fixed rate against 127.0.0.1 (bench/run)"};
  app.add_option("--port", options.port, "server port on 127.0.0.1")->required();
  app.add_option("--targets", targets_file, "file of request targets, one per line")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--rate", options.rate, "requests per second in all")->check(CLI::Range(1, 20000));
  app.add_option("--duration", duration_seconds, "seconds")->check(CLI::Range(1, 120));
  app.add_option("--connections", options.connections, "keep-alive connections")
      ->check(CLI::Range(1, 512));
  app.add_option("--expect", options.expect, "count answers whose body holds this string");
  app.add_option("--timeout-ms", timeout_ms, "deadline of each request")
      ->check(CLI::Range(10, 60000));
  CLI11_PARSE(app, argc, argv);
  options.duration = std::chrono::milliseconds(static_cast<std::int64_t>(duration_seconds * 1000));
  options.timeout = std::chrono::milliseconds(timeout_ms);

  std::ifstream in(targets_file);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) options.targets.push_back(line);
  }
  if (options.targets.empty()) {
    std::fprintf(stderr, "linkmon-bench-http-load: %s holds no request targets\n",
                 targets_file.c_str());
    return 2;
  }

  const auto total = static_cast<std::uint64_t>(options.rate * duration_seconds);
  std::vector<ConnectionTally> tallies(static_cast<std::size_t>(options.connections));
  const auto start = Clock::now() + std::chrono::milliseconds(50);  // every thread is up by then
  {
    std::vector<std::jthread> threads;
    for (int c = 0; c < options.connections; ++c) {
      threads.emplace_back([&options, &tallies, c, start, total] {
        Connection connection(options);
        connection.Run(c, start, total, tallies[static_cast<std::size_t>(c)]);
      });
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  ConnectionTally all;
  for (ConnectionTally& t : tallies) {
    all.requests += t.requests;
    all.ok += t.ok;
    all.matched += t.matched;
    all.errors += t.errors;
    all.late += t.late;
    all.skipped += t.skipped;
    all.body_bytes += t.body_bytes;
    all.latencies_ms.insert(all.latencies_ms.end(), t.latencies_ms.begin(), t.latencies_ms.end());
  }
  std::sort(all.latencies_ms.begin(), all.latencies_ms.end());
  const double answers = static_cast<double>(all.latencies_ms.size());
  std::printf(
      "{\"requests\": %llu, \"ok\": %llu, \"matched\": %llu, \"errors\": %llu, \"late\": %llu, "
      "\"skipped\": %llu, "
      "\"seconds\": %.3f, \"rate_per_second\": %.1f, \"body_bytes_mean\": %.0f, "
      "\"latency_ms\": {\"p50\": %.4f, \"p90\": %.4f, \"p99\": %.4f, \"max\": %.4f}}\n",
      static_cast<unsigned long long>(all.requests), static_cast<unsigned long long>(all.ok),
      static_cast<unsigned long long>(all.matched), static_cast<unsigned long long>(all.errors),
      static_cast<unsigned long long>(all.late), static_cast<unsigned long long>(all.skipped),
      elapsed, static_cast<double>(all.requests) / elapsed,
      answers > 0 ? static_cast<double>(all.body_bytes) / answers : 0.0,
      Quantile(all.latencies_ms, 0.50), Quantile(all.latencies_ms, 0.90),
      Quantile(all.latencies_ms, 0.99), all.latencies_ms.empty() ? 0.0 : all.latencies_ms.back());
  return 0;
}
