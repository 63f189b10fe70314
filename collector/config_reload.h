#pragma once

// ConfigReload: what SIGHUP does. The config file is read again with the loader the command line
// uses (config/load.h); a file with problems is refused, each problem logged as
// "file:line:col: message" (event=config_reload_refused), and the running config stays. A valid
// one is applied without losing state:
//   - ingest re-reads the token files and takes the new probes and paths (IngestService::
//     Reconfigure); an unreadable token file refuses the whole reload, nothing changed;
//   - PathStates takes the new paths and thresholds (PathStates::Reconfigure): windows, verdicts,
//     budgets and breaches of paths still configured are kept;
//   - with collector.tls, the certificate, key and client CA files are read again, so rotated
//     certificates (new files or new contents at the same paths) serve every connection accepted
//     after the reload; open connections keep the certificate they started with. A file that
//     cannot be read or parsed refuses the whole reload, nothing changed, the old certificate
//     still served. Turning mutual TLS on or off applies at once (ingest binds certificates to
//     probes from then on).
// collector.listen, store, retention, windows, limits, and switching between HTTP and HTTPS
// (adding or removing collector.tls) or changing tls.handshake_timeout are bound when the daemon
// starts: a change there is logged (event=config_reload_needs_restart keys=...) and takes effect
// at the next start; everything else of the new file applies at once.
//
// Not thread-safe: runs on the collector's io_context thread (the signal handler).

#include <string>
#include <vector>

#include "collector/ingest/ingest_service.h"
#include "collector/sla/path_states.h"
#include "config/config.h"
#include "exporters/http/http_server.h"
#include "exporters/http/tls_context.h"

namespace linkmon::collector {

class ConfigReload {
 public:
  // `server` gets the new TLS context when the collector serves HTTPS.
  ConfigReload(std::string config_path, config::Config running, ingest::IngestService& ingest,
               sla::PathStates& states, exporters::HttpServer& server);

  // Reads, checks and applies the file; true when the new config now runs. Logs either way.
  bool Reload();

  const config::Config& running() const { return running_; }

 private:
  std::string config_path_;
  config::Config running_;
  ingest::IngestService& ingest_;
  sla::PathStates& states_;
  exporters::HttpServer& server_;
};

// The files of collector.tls, as exporters::MakeTlsServerContext takes them.
exporters::TlsServerFiles TlsServerFilesFrom(const config::CollectorTls& tls);

// The collector settings that differ and need a restart ("listen", "store", "tls", ...).
std::vector<std::string> SettingsNeedingRestart(const config::CollectorSettings& running,
                                                const config::CollectorSettings& loaded);

}  // namespace linkmon::collector
