// linkmon-probe: `linkmon-probe measure ...` runs one ad-hoc measurement (probe/probers/
// measure_command.h; --method throughput: probe/bandwidth/throughput_command.h), `linkmon-probe
// passive ...` one passive capture (probe/passive/passive_command.h); anything else is the daemon
// (probe/daemon/probe_daemon.h) after the command line and the config are checked
// (config/daemon_cli.h).

#include <spdlog/spdlog.h>

#include <exception>
#include <iostream>
#include <string_view>
#include <utility>

#include "common/logging.h"
#include "config/daemon_cli.h"
#include "probe/bandwidth/throughput_command.h"
#include "probe/daemon/probe_daemon.h"
#include "probe/passive/passive_command.h"
#include "probe/probers/measure_command.h"

namespace {

// `measure --method throughput` is a bandwidth test (probe/bandwidth), every other method a
// latency measurement (probe/probers).
bool MeasuresThroughput(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--method=throughput") return true;
    if (arg == "--method" && i + 1 < argc && std::string_view(argv[i + 1]) == "throughput") {
      return true;
    }
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace linkmon::config;
  try {
    const std::string_view command = argc >= 2 ? argv[1] : "";
    if (command == "measure") {
      if (MeasuresThroughput(argc, argv)) {
        return linkmon::bandwidth::RunThroughputCommand(argc - 1, argv + 1, std::cout, std::cerr);
      }
      return linkmon::probers::RunMeasureCommand(argc - 1, argv + 1, std::cout, std::cerr);
    }
    if (command == "passive") {
      return linkmon::passive::RunPassiveCommand(argc - 1, argv + 1, std::cout, std::cerr);
    }
    DaemonStart start = StartDaemon(Daemon::kProbe, argc, argv, std::cout, std::cerr);
    if (!start.options) return start.exit_code;
    return linkmon::probe::RunProbeDaemon(*start.options, std::move(*start.config));
  } catch (const std::exception& error) {
    spdlog::critical("event=startup_failed error={}", linkmon::KvQuote(error.what()));
    return kExitRuntimeFailure;
  }
}
