// linkmon-collector: parses the command line and the config (config/daemon_cli.h). Ingest,
// windows, SLA evaluation and the API arrive in later issues; until then a valid start says so
// and exits with kExitNotImplemented rather than pretending to collect.

#include <spdlog/spdlog.h>

#include <exception>
#include <iostream>

#include "common/logging.h"
#include "config/daemon_cli.h"

int main(int argc, char** argv) {
  using namespace linkmon::config;
  try {
    DaemonStart start = StartDaemon(Daemon::kCollector, argc, argv, std::cout, std::cerr);
    if (!start.options) return start.exit_code;
    spdlog::error("event=not_implemented daemon=linkmon-collector listen={} detail={}",
                  start.config->collector.listen.ToString(),
                  linkmon::KvQuote("config is valid; ingest, windows, SLA evaluation and the API "
                                   "are not implemented in this build"));
    return kExitNotImplemented;
  } catch (const std::exception& error) {
    spdlog::critical("event=startup_failed error={}", linkmon::KvQuote(error.what()));
    return kExitRuntimeFailure;
  }
}
