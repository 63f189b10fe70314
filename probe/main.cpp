// linkmon-probe: parses the command line and the config (config/daemon_cli.h). The probe's
// schedule, probers, reflector and uploader arrive in later issues; until then a valid start says
// so and exits with kExitNotImplemented rather than pretending to measure.

#include <spdlog/spdlog.h>

#include <exception>
#include <iostream>

#include "common/logging.h"
#include "config/daemon_cli.h"

int main(int argc, char** argv) {
  using namespace linkmon::config;
  try {
    DaemonStart start = StartDaemon(Daemon::kProbe, argc, argv, std::cout, std::cerr);
    if (!start.options) return start.exit_code;
    const ProbeSite* probe = start.config->FindProbe(*start.options->site);
    spdlog::error(
        "event=not_implemented daemon=linkmon-probe site={} targets={} "
        "detail={}",
        start.options->site->str(), probe ? probe->targets.size() : 0,
        linkmon::KvQuote("config is valid; probing, reflector and upload are not "
                         "implemented in this build"));
    return kExitNotImplemented;
  } catch (const std::exception& error) {
    spdlog::critical("event=startup_failed error={}", linkmon::KvQuote(error.what()));
    return kExitRuntimeFailure;
  }
}
