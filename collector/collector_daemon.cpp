#include "collector/collector_daemon.h"

#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <memory>

#include "collector/ingest/ingest_route.h"
#include "collector/ingest/ingest_service.h"
#include "collector/store/summary_store.h"
#include "common/clock.h"
#include "common/logging.h"
#include "config/daemon_cli.h"
#include "config/version.h"
#include "exporters/http/http_server.h"
#include "exporters/http/standard_routes.h"
#include "exporters/prometheus/build_info_collector.h"

namespace linkmon::collector {
namespace {

constexpr std::chrono::hours kPruneEvery{1};

// Deletes what is older than the retention now and every kPruneEvery after.
class RetentionPruner {
 public:
  RetentionPruner(boost::asio::io_context& io, store::SummaryStore& store, const Clock& clock,
                  std::chrono::nanoseconds retention)
      : timer_(io), store_(store), clock_(clock), retention_(retention) {}

  void Start() { Prune(); }
  void Stop() { timer_.cancel(); }

 private:
  void Prune() {
    const SystemTime before =
        clock_.SystemNow() - std::chrono::duration_cast<SystemTime::duration>(retention_);
    if (auto pruned = store_.Prune(before)) {
      spdlog::info("event=store_pruned minutes_deleted={} batches_deleted={}",
                   pruned->minutes_deleted, pruned->batches_deleted);
    } else {
      spdlog::error("event=store_prune_failed detail={}", KvQuote(pruned.error().message));
    }
    timer_.expires_after(kPruneEvery);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) Prune();
    });
  }

  boost::asio::steady_timer timer_;
  store::SummaryStore& store_;
  const Clock& clock_;
  std::chrono::nanoseconds retention_;
};

}  // namespace

int RunCollectorDaemon(const config::Config& config) {
  boost::asio::io_context io(1);
  RealClock clock;
  auto registry = std::make_shared<prometheus::Registry>();
  auto build_info = std::make_shared<exporters::BuildInfoCollector>(
      "linkmon-collector", std::string(config::LinkmonVersion()));

  auto store = store::SummaryStore::Open(store::StoreOptions{.path = config.collector.store_path});
  if (!store) {
    spdlog::critical("event=store_open_failed path={} detail={}",
                     KvQuote(config.collector.store_path), KvQuote(store.error().message));
    return config::kExitRuntimeFailure;
  }
  auto ingest = ingest::IngestService::Create(config, **store, clock, *registry,
                                              ingest::IngestOptionsFromConfig(config));
  if (!ingest) {
    spdlog::critical("event=ingest_setup_failed detail={}", KvQuote(ingest.error().message));
    return config::kExitRuntimeFailure;
  }

  exporters::HttpRouter router;
  ingest::AddIngestRoute(router, **ingest);
  exporters::AddMetricsRoute(router, {registry, build_info});
  exporters::AddHealthRoutes(router, [] { return std::string(); });  // ready once serving

  const config::CollectorSettings& settings = config.collector;
  exporters::HttpServerOptions options;
  options.listen = boost::asio::ip::tcp::endpoint(settings.listen.address, settings.listen.port);
  options.max_body_bytes = settings.limits.max_body_bytes;
  options.max_connections = settings.limits.max_connections;
  auto server = exporters::HttpServer::Start(io, options, std::move(router), *registry);
  if (!server) {
    spdlog::critical("event=listen_failed address={} detail={}", settings.listen.ToString(),
                     KvQuote(server.error().message));
    return config::kExitRuntimeFailure;
  }

  RetentionPruner pruner(io, **store, clock, settings.retention);
  pruner.Start();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("event=collector_stopping signal={}", signal);
    pruner.Stop();
    (*server)->Stop();
  });

  const auto endpoint = (*server)->local_endpoint();
  spdlog::info("event=collector_listening address={} port={} store={}",
               endpoint.address().to_string(), endpoint.port(), KvQuote(settings.store_path));
  io.run();
  spdlog::info("event=collector_stopped");
  return config::kExitOk;
}

}  // namespace linkmon::collector
