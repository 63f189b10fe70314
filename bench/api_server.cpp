// linkmon-bench-api-server: the collector's HTTP server with the scheduler API and the per-path
// /metrics over synthetic paths (bench/synthetic_paths.h: --sites x 100 targets, five closed
// minutes each), for bench/run's comparison with Prometheus: Prometheus scrapes /metrics of the
// same paths, and the same load generator asks both (linkmon-bench-http-load).
//
// The wall clock of the paths moves one second per real second (a timer on the server's thread),
// and then the answers clients are asking for are rendered again (api::AnswerRefresh), as the
// collector's MinuteTicker does right after each second begins; no minute closes (no new data
// arrives), as in bench/api_bench.cpp's paced benchmarks. The clock goes back to its start every
// 60 s, so the paths' data stays fresh however long a run lasts: a path whose data aged past the
// stale limit would make /rank's answer cheaper (nothing meets).
//
// Usage: linkmon-bench-api-server --port 9470 [--sites 100]. Prints "listening PORT" once it
// answers; stops on SIGINT or SIGTERM.

#include <prometheus/registry.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <functional>
#include <memory>

#include "bench/synthetic_paths.h"
#include "collector/api/api_routes.h"
#include "collector/metrics/path_metrics_collector.h"
#include "exporters/http/http_server.h"
#include "exporters/http/standard_routes.h"

int main(int argc, char** argv) {
  std::uint16_t port = 0;
  int sites = 100;
  CLI::App app{"The scheduler API and /metrics over synthetic paths (bench/run)"};
  app.add_option("--port", port, "port on 127.0.0.1")->required();
  app.add_option("--sites", sites, "probe sites of 100 targets each")->check(CLI::Range(1, 1000));
  CLI11_PARSE(app, argc, argv);

  linkmon::bench::SyntheticPaths paths(sites);
  boost::asio::io_context io;
  auto registry = std::make_shared<prometheus::Registry>();
  auto path_metrics = std::make_shared<linkmon::metrics::PathMetricsCollector>(*paths.states);
  linkmon::exporters::HttpRouter router;
  const linkmon::api::AnswerRefresh refresh_answers =
      linkmon::api::AddApiRoutes(router, *paths.states);
  linkmon::exporters::AddMetricsRoute(router, {registry, path_metrics});
  linkmon::exporters::HttpServerOptions options;
  options.listen = {boost::asio::ip::address_v4::loopback(), port};
  auto server = linkmon::exporters::HttpServer::Start(io, options, std::move(router), *registry);
  if (!server) {
    std::fprintf(stderr, "linkmon-bench-api-server: %s\n", server.error().message.c_str());
    return 1;
  }

  const linkmon::SystemTime base = paths.clock.SystemNow();
  int seconds = 0;
  boost::asio::steady_timer tick(io);
  std::function<void()> arm = [&] {
    tick.expires_after(std::chrono::seconds(1));
    tick.async_wait([&](boost::system::error_code error) {
      if (error) return;
      seconds = (seconds + 1) % 60;
      paths.clock.SetSystemTime(base + std::chrono::seconds(seconds));
      refresh_answers();
      arm();
    });
  };
  arm();
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
    tick.cancel();
    (*server)->Stop();
  });
  std::printf("listening %u paths=%zu\n", static_cast<unsigned>((*server)->local_endpoint().port()),
              paths.states->paths().size());
  std::fflush(stdout);
  io.run();
  return 0;
}
