// linkmon-collector: parses the command line and the config (config/daemon_cli.h), then runs the
// daemon (collector_daemon.h) until SIGINT or SIGTERM.

#include <spdlog/spdlog.h>

#include <exception>
#include <iostream>

#include "collector/collector_daemon.h"
#include "common/logging.h"
#include "config/daemon_cli.h"

int main(int argc, char** argv) {
  using namespace linkmon::config;
  try {
    DaemonStart start = StartDaemon(Daemon::kCollector, argc, argv, std::cout, std::cerr);
    if (!start.options) return start.exit_code;
    return linkmon::collector::RunCollectorDaemon(*start.options, *start.config);
  } catch (const std::exception& error) {
    spdlog::critical("event=startup_failed error={}", linkmon::KvQuote(error.what()));
    return kExitRuntimeFailure;
  }
}
