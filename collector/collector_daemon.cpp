#include "collector/collector_daemon.h"

#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <functional>
#include <memory>
#include <utility>

#include "collector/api/api_routes.h"
#include "collector/batch_feed.h"
#include "collector/config_reload.h"
#include "collector/history/history_store.h"
#include "collector/ingest/ingest_route.h"
#include "collector/ingest/ingest_service.h"
#include "collector/ingest/store_writer.h"
#include "collector/metrics/path_metrics_collector.h"
#include "collector/periodic_tasks.h"
#include "collector/sla/path_states.h"
#include "collector/state_rebuild.h"
#include "collector/store/summary_store.h"
#include "collector/web/web_routes.h"
#include "common/clock.h"
#include "common/logging.h"
#include "config/version.h"
#include "exporters/http/http_server.h"
#include "exporters/http/standard_routes.h"
#include "exporters/prometheus/build_info_collector.h"

namespace linkmon::collector {
namespace {

namespace http = boost::beast::http;

// The per-path families, absent until PathStates may be read (after the rebuild).
class ServingPathMetrics : public prometheus::Collectable {
 public:
  ServingPathMetrics(const sla::PathStates& states, const bool& serving)
      : collector_(states), serving_(serving) {}
  std::vector<prometheus::MetricFamily> Collect() const override {
    if (!serving_) return {};
    return collector_.Collect();
  }

 private:
  metrics::PathMetricsCollector collector_;
  const bool& serving_;
};

sla::PathStatesOptions StatesOptionsFromConfig(const config::Config& config) {
  sla::PathStatesOptions options;
  options.windows = config.collector.windows;
  options.history = sla::PathStatesOptions::History::kOn;  // stored by the MinuteTicker
  return options;
}

// How far back stored verdicts are restored: the longest SLO period, so that every budget is the
// one of the last run (never more than the retention keeps).
std::chrono::nanoseconds VerdictHorizon(const config::Config& config) {
  std::chrono::nanoseconds longest{0};
  for (const auto& sla_class : config.sla_classes)
    longest = std::max(longest, sla_class.slo.period);
  return std::min(config.collector.retention, longest);
}

void LogFeed(const batch::Batch& batch, const FeedResult& fed) {
  if (fed.refused > 0) {
    spdlog::warn(
        "event=batch_not_in_windows probe={} sequence={} refused={} on_time={} late={} "
        "detail={}",
        batch.probe.str(), batch.sequence, fed.refused, fed.on_time, fed.late,
        KvQuote(fed.first_refusal));
  } else {
    spdlog::debug("event=batch_in_windows probe={} sequence={} on_time={} late={}",
                  batch.probe.str(), batch.sequence, fed.on_time, fed.late);
  }
}

// How far back the start-up rebuild replays stored minutes. Judging a replayed minute costs one
// minute close per path, each merging up to the longest window's minutes (about 150 ms per minute
// at 10,000 paths with full windows): judging the whole 35-day retention would take hours. So
// verdicts and breaches come from the history store (state_rebuild.h), and the replay of twice
// the longest window (at least an hour) refills the windows exactly; it judges only the minutes
// the history does not hold (the downtime).
std::chrono::nanoseconds RebuildHorizon(const config::CollectorSettings& settings) {
  const std::chrono::nanoseconds twice_longest =
      2 * *std::max_element(settings.windows.begin(), settings.windows.end());
  return std::min(settings.retention,
                  std::max<std::chrono::nanoseconds>(std::chrono::hours(1), twice_longest));
}

exporters::HttpResponse Rebuilding() {
  auto response =
      exporters::MakeJsonError(http::status::service_unavailable,
                               "the collector is rebuilding its state from its store; retry");
  response.set(http::field::retry_after, "1");
  return response;
}

}  // namespace

int RunCollectorDaemon(const config::DaemonOptions& options, const config::Config& config) {
  boost::asio::io_context io(1);
  RealClock clock;
  auto registry = std::make_shared<prometheus::Registry>();
  auto build_info = std::make_shared<exporters::BuildInfoCollector>(
      "linkmon-collector", std::string(config::LinkmonVersion()));
  const config::CollectorSettings& settings = config.collector;

  auto store = store::SummaryStore::Open(store::StoreOptions{.path = settings.store_path});
  if (!store) {
    spdlog::critical("event=store_open_failed path={} detail={}", KvQuote(settings.store_path),
                     KvQuote(store.error().message));
    return config::kExitRuntimeFailure;
  }
  // The SLA history, on its own connection to the same file (synchronous=NORMAL: history_store.h
  // says why that is enough).
  auto history =
      history::HistoryStore::Open(history::HistoryStoreOptions{.path = settings.store_path});
  if (!history) {
    spdlog::critical("event=store_open_failed path={} detail={}", KvQuote(settings.store_path),
                     KvQuote(history.error().message));
    return config::kExitRuntimeFailure;
  }
  // Batches are committed on the writer's own thread and connection (store_writer.h); `store`
  // above serves this thread's reads (the API) and the retention prune.
  auto writer = ingest::StoreWriter::Start(
      ingest::StoreWriterOptions{.store = {.path = settings.store_path}}, io.get_executor());
  if (!writer) {
    spdlog::critical("event=store_open_failed path={} detail={}", KvQuote(settings.store_path),
                     KvQuote(writer.error().message));
    return config::kExitRuntimeFailure;
  }
  auto ingest = ingest::IngestService::Create(config, **writer, clock, *registry,
                                              ingest::IngestOptionsFromConfig(config));
  if (!ingest) {
    spdlog::critical("event=ingest_setup_failed detail={}", KvQuote(ingest.error().message));
    return config::kExitRuntimeFailure;
  }
  auto states = sla::PathStates::Create(config, clock, StatesOptionsFromConfig(config));
  if (!states) {
    spdlog::critical("event=path_states_setup_failed detail={}", KvQuote(states.error().message));
    return config::kExitRuntimeFailure;
  }
  // False until the rebuild handed PathStates back to this thread (see collector_daemon.h).
  bool serving = false;
  (*ingest)->OnApplied(
      [&](const batch::Batch& batch) { LogFeed(batch, FeedBatch(**states, batch)); });

  exporters::HttpRouter router;
  router.AddExactDeferred(
      http::verb::post, std::string(ingest::kIngestPath), "ingest",
      [&](const exporters::HttpRequest& request, exporters::HttpResponder respond) {
        if (!serving) return respond(Rebuilding());
        (*ingest)->Handle(request, std::move(respond));
      });
  const api::AnswerRefresh refresh_answers = api::AddApiRoutes(
      router, **states, [&] { return serving; }, history->get(), store->get());
  web::AddWebRoutes(router);  // the live matrix page at /
  auto path_metrics = std::make_shared<ServingPathMetrics>(**states, serving);
  exporters::AddMetricsRoute(router, {registry, build_info, path_metrics});
  exporters::AddHealthRoutes(router, [&] {
    return serving ? std::string() : std::string("rebuilding state from the store");
  });

  exporters::HttpServerOptions server_options;
  server_options.listen =
      boost::asio::ip::tcp::endpoint(settings.listen.address, settings.listen.port);
  server_options.max_body_bytes = settings.limits.max_body_bytes;
  server_options.max_connections = settings.limits.max_connections;
  if (settings.tls) {
    auto tls = exporters::MakeTlsServerContext(TlsServerFilesFrom(*settings.tls));
    if (!tls) {
      spdlog::critical("event=tls_setup_failed detail={}", KvQuote(tls.error().message));
      return config::kExitRuntimeFailure;
    }
    server_options.tls = std::move(*tls);
    server_options.handshake_timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(settings.tls->handshake_timeout);
  }
  auto server = exporters::HttpServer::Start(io, server_options, std::move(router), *registry);
  if (!server) {
    spdlog::critical("event=listen_failed address={} detail={}", settings.listen.ToString(),
                     KvQuote(server.error().message));
    return config::kExitRuntimeFailure;
  }

  RetentionPruner pruner(io, **store, clock, settings.retention);
  pruner.Start();
  MinuteTicker ticker(io, **states, **history, clock, [&] { refresh_answers(); });
  ConfigReload reload(options.config_path, config, **ingest, **states, **server);
  boost::asio::signal_set stop_signals(io, SIGINT, SIGTERM);
  boost::asio::signal_set hangup(io, SIGHUP);
  int exit_code = config::kExitOk;
  bool stopping = false;
  // Uploads already queued are committed and answered before the server closes its connections;
  // new ones get 503 shutting_down meanwhile (store_writer.h). Nothing is acknowledged that is
  // not committed, so a stop, however abrupt, loses no acknowledged batch.
  auto stop = [&] {
    if (std::exchange(stopping, true)) return;
    pruner.Stop();
    ticker.Stop();
    stop_signals.cancel();
    hangup.cancel();
    (*writer)->Drain([&] {
      // The answers of the last group were posted just before; they go out first.
      boost::asio::post(io, [&] { (*server)->Stop(); });
    });
  };

  // SIGHUP before the rebuild finished waits for it: the reload touches PathStates.
  bool reload_pending = false;
  std::function<void()> wait_for_hangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      if (serving) {
        reload.Reload();
      } else {
        reload_pending = true;
      }
      wait_for_hangup();
    });
  };
  wait_for_hangup();

  const std::chrono::nanoseconds horizon = RebuildHorizon(settings);
  const std::chrono::nanoseconds verdict_horizon = VerdictHorizon(config);
  const auto ago = [&](std::chrono::nanoseconds span) {
    return clock.SystemNow() - std::chrono::duration_cast<SystemTime::duration>(span);
  };
  spdlog::info("event=state_rebuild_started horizon_seconds={} verdict_horizon_seconds={}",
               std::chrono::duration_cast<std::chrono::seconds>(horizon).count(),
               std::chrono::duration_cast<std::chrono::seconds>(verdict_horizon).count());
  const RebuildRange range{.replay_since = ago(horizon), .verdicts_since = ago(verdict_horizon)};
  StateRebuild rebuild(io, settings.store_path, **states, range, [&](RebuildOutcome done) {
    if (!done.report) {
      spdlog::critical("event=state_rebuild_failed detail={}",
                       KvQuote(done.report.error().message));
      exit_code = config::kExitRuntimeFailure;
      stop();
      return;
    }
    spdlog::info(
        "event=state_rebuilt verdict_changes_restored={} breaches_restored={} minutes_read={} "
        "applied={} skipped_unknown_path={} skipped_too_old={} paths={} seconds={:.3f}",
        done.verdict_changes_restored, done.breaches_restored, done.records_read,
        done.report->applied, done.report->skipped_unknown_path, done.report->skipped_too_old,
        (*states)->paths().size(), done.took.count());
    serving = true;
    ticker.Start();
    if (reload_pending) reload.Reload();
  });

  stop_signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("event=collector_stopping signal={}", signal);
    stop();
  });

  const auto endpoint = (*server)->local_endpoint();
  spdlog::info("event=collector_listening address={} port={} tls={} store={} paths={}",
               endpoint.address().to_string(), endpoint.port(),
               !settings.tls                          ? "off"
               : settings.tls->client_ca_file.empty() ? "on"
                                                      : "mutual",
               KvQuote(settings.store_path), (*states)->paths().size());
  rebuild.Start();
  io.run();
  spdlog::info("event=collector_stopped exit_code={}", exit_code);
  return exit_code;
}

}  // namespace linkmon::collector
