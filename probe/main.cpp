// linkmon-probe: `linkmon-probe measure ...` runs one ad-hoc measurement
// (probe/probers/ measure_command.h); anything else is the daemon
// (probe/daemon/probe_daemon.h) after the command line and the config are
// checked (config/daemon_cli.h).

#include <spdlog/spdlog.h>

#include <exception>
#include <iostream>
#include <string_view>

#include "common/logging.h"
#include "config/daemon_cli.h"
#include "probe/daemon/probe_daemon.h"
#include "probe/probers/measure_command.h"

int main(int argc, char** argv) {
  using namespace linkmon::config;
  try {
    if (argc >= 2 && std::string_view(argv[1]) == "measure") {
      return linkmon::probers::RunMeasureCommand(argc - 1, argv + 1, std::cout, std::cerr);
    }
    DaemonStart start = StartDaemon(Daemon::kProbe, argc, argv, std::cout, std::cerr);
    if (!start.options) return start.exit_code;
    return linkmon::probe::RunProbeDaemon(*start.options, *start.config);
  } catch (const std::exception& error) {
    spdlog::critical("event=startup_failed error={}", linkmon::KvQuote(error.what()));
    return kExitRuntimeFailure;
  }
}
