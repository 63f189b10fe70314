// The collector daemon (collector/collector_daemon.h) for the crash test: loads the config named
// by argv[1] and runs until SIGINT/SIGTERM, or until the test kills it with SIGKILL.

#include <iostream>

#include "collector/collector_daemon.h"
#include "common/logging.h"
#include "config/daemon_cli.h"
#include "config/load.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " CONFIG\n";
    return linkmon::config::kExitConfigError;
  }
  linkmon::ConfigureLogging(spdlog::level::warn);
  auto config = linkmon::config::LoadConfigFile(argv[1]);
  if (!config) {
    for (const auto& d : config.error()) std::cerr << d.ToString() << '\n';
    return linkmon::config::kExitConfigError;
  }
  linkmon::config::DaemonOptions options;
  options.config_path = argv[1];
  return linkmon::collector::RunCollectorDaemon(options, *config);
}
