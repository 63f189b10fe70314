#include "collector/config_reload.h"

#include <spdlog/spdlog.h>

#include "common/logging.h"
#include "config/load.h"

namespace linkmon::collector {

std::vector<std::string> SettingsNeedingRestart(const config::CollectorSettings& running,
                                                const config::CollectorSettings& loaded) {
  std::vector<std::string> keys;
  if (!(running.listen == loaded.listen)) keys.emplace_back("listen");
  if (running.store_path != loaded.store_path) keys.emplace_back("store");
  if (running.retention != loaded.retention) keys.emplace_back("retention");
  if (running.windows != loaded.windows) keys.emplace_back("windows");
  const config::CollectorLimits& a = running.limits;
  const config::CollectorLimits& b = loaded.limits;
  if (a.max_body_bytes != b.max_body_bytes ||
      a.max_decompressed_bytes != b.max_decompressed_bytes || a.max_paths != b.max_paths ||
      a.max_connections != b.max_connections) {
    keys.emplace_back("limits");
  }
  if (running.tls.has_value() != loaded.tls.has_value()) {
    keys.emplace_back("tls");
  } else if (running.tls && running.tls->handshake_timeout != loaded.tls->handshake_timeout) {
    keys.emplace_back("tls.handshake_timeout");
  }
  return keys;
}

exporters::TlsServerFiles TlsServerFilesFrom(const config::CollectorTls& tls) {
  return {.certificate_chain_file = tls.certificate_file,
          .private_key_file = tls.private_key_file,
          .client_ca_file = tls.client_ca_file};
}

ConfigReload::ConfigReload(std::string config_path, config::Config running,
                           ingest::IngestService& ingest, sla::PathStates& states,
                           exporters::HttpServer& server)
    : config_path_(std::move(config_path)),
      running_(std::move(running)),
      ingest_(ingest),
      states_(states),
      server_(server) {}

bool ConfigReload::Reload() {
  spdlog::info("event=config_reload_started file={}", KvQuote(config_path_));
  auto loaded = config::LoadConfigFile(config_path_);
  if (!loaded) {
    for (const auto& diagnostic : loaded.error()) {
      spdlog::error("event=config_problem problem={}", KvQuote(diagnostic.ToString()));
    }
    spdlog::error("event=config_reload_refused file={} problems={} detail={}",
                  KvQuote(config_path_), loaded.error().size(),
                  KvQuote("the running config stays"));
    return false;
  }
  // The windows stay as started, and thresholds must name one of them: a class judged on a
  // window the daemon does not keep cannot be applied before a restart.
  const std::vector<std::string> restart =
      SettingsNeedingRestart(running_.collector, loaded->collector);
  if (running_.collector.windows != loaded->collector.windows) {
    spdlog::error("event=config_reload_refused file={} detail={}", KvQuote(config_path_),
                  KvQuote("collector.windows changed: restart the collector to change them"));
    return false;
  }
  // HTTP stays HTTP and HTTPS stays HTTPS until a restart (so does the handshake timeout): from
  // here on the file is read as if it kept them.
  if (running_.collector.tls.has_value() != loaded->collector.tls.has_value()) {
    loaded->collector.tls = running_.collector.tls;
  } else if (loaded->collector.tls) {
    loaded->collector.tls->handshake_timeout = running_.collector.tls->handshake_timeout;
  }
  // The TLS files first: reading them changes nothing, and a bad one must refuse the reload
  // before ingest or the states have changed.
  exporters::TlsContext tls;
  if (loaded->collector.tls) {
    auto context = exporters::MakeTlsServerContext(TlsServerFilesFrom(*loaded->collector.tls));
    if (!context) {
      spdlog::error("event=config_reload_refused file={} detail={}", KvQuote(config_path_),
                    KvQuote(context.error().message + "; the running certificate stays"));
      return false;
    }
    tls = std::move(*context);
  }
  if (auto tokens = ingest_.Reconfigure(*loaded); !tokens) {
    spdlog::error("event=config_reload_refused file={} detail={}", KvQuote(config_path_),
                  KvQuote(tokens.error().message));
    return false;
  }
  auto report = states_.Reconfigure(*loaded);
  if (!report) {
    // Not expected after validation; put ingest back in step with the states it feeds.
    (void)ingest_.Reconfigure(running_);
    spdlog::error("event=config_reload_refused file={} detail={}", KvQuote(config_path_),
                  KvQuote(report.error().message));
    return false;
  }
  if (tls) (void)server_.ReplaceTlsContext(std::move(tls));  // HTTPS on both sides: cannot fail
  if (!restart.empty()) {
    std::string keys;
    for (const std::string& key : restart) keys += (keys.empty() ? "" : ",") + key;
    spdlog::warn("event=config_reload_needs_restart keys={} detail={}", keys,
                 KvQuote("these collector settings keep their running values until a restart"));
    // Keep describing what runs: the daemon still uses the settings it started with.
    config::CollectorSettings started = running_.collector;
    started.token_files = loaded->collector.token_files;
    started.tls = loaded->collector.tls;  // the files as reloaded, the mode as started
    loaded->collector = std::move(started);
  }
  running_ = std::move(*loaded);
  spdlog::info(
      "event=config_reloaded file={} paths={} kept={} added={} removed={} reclassified={} "
      "open_breaches_dropped={} tls={}",
      KvQuote(config_path_), states_.paths().size(), report->kept, report->added, report->removed,
      report->reclassified, report->open_breaches_dropped,
      !running_.collector.tls                          ? "off"
      : running_.collector.tls->client_ca_file.empty() ? "reloaded"
                                                       : "reloaded_mutual");
  return true;
}

}  // namespace linkmon::collector
