#include "lab/daemon/emulator_process.h"

#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/logging.h"
#include "config/yaml/diagnostics.h"
#include "lab/daemon/emulator_daemon.h"
#include "lab/netns/lab_sweeper.h"
#include "lab/topology/topology_loader.h"

namespace linkmon::lab {

namespace {

// AddressSanitizer maps terabytes of shadow memory; locking it all would exhaust the machine.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

// Scheduling for precision; each step is best effort (an unprivileged test run still works, less
// precisely) and says so in the log.
void TuneForPrecision(int realtime_priority) {
  if (prctl(PR_SET_TIMERSLACK, 1UL) != 0) {
    spdlog::warn("event=timer_slack_unchanged error={}", KvQuote(std::strerror(errno)));
  }
  if (!kAddressSanitizer && mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
    spdlog::warn("event=mlockall_failed error={}", KvQuote(std::strerror(errno)));
  }
  if (realtime_priority > 0) {
    sched_param param{};
    param.sched_priority = realtime_priority;
    // Children (tc for `set rate`, ip for the teardown) go back to the normal scheduler.
    if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &param) != 0) {
      spdlog::warn("event=realtime_refused priority={} error={}", realtime_priority,
                   KvQuote(std::strerror(errno)));
    }
  }
}

}  // namespace

int RunEmulatorProcess(const std::filesystem::path& state_dir, const DaemonOptions& options) {
  auto report = [&](const std::string& line) {
    if (options.ready_fd < 0) return;
    (void)!write(options.ready_fd, line.data(), line.size());
    close(options.ready_fd);
  };
  config::yaml::Diagnostics diagnostics;
  auto topology = LoadTopology(state_dir / "topology.yaml", diagnostics);
  if (!topology) {
    for (const auto& line : diagnostics.SortedStrings()) spdlog::error("event=topology {}", line);
    report("error: cannot read " + (state_dir / "topology.yaml").string() + "\n");
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  RealClock clock;
  int exit_code = 0;
  {
    TuneForPrecision(topology->emulator.realtime_priority);
    auto daemon = EmulatorDaemon::Start(*topology, clock);
    if (!daemon) {
      spdlog::error("event=emulator_start_failed error={}", KvQuote(daemon.error().message));
      report("error: " + daemon.error().message + "\n");
      exit_code = 1;
    } else {
      spdlog::info("event=emulator_ready lab={} directions={} pid={}", topology->name,
                   topology->directions.size(), getpid());
      report("ready\n");
      if (auto ran = (*daemon)->Run(); !ran) {
        spdlog::error("event=emulator_failed error={}", KvQuote(ran.error().message));
        exit_code = 1;
      }
    }
  }
  // Whatever ended the emulator, the lab goes with it: a lab without its emulator drops every
  // packet between sites, which would pass for an outage.
  auto swept = SweepLab(topology->name, {.self_pid = getpid()});
  if (!swept) {
    spdlog::error("event=lab_removal_failed lab={} error={}", topology->name,
                  KvQuote(swept.error().message));
    return 1;
  }
  spdlog::info("event=lab_removed lab={} namespaces={}", topology->name,
               swept->removed_namespaces.size());
  return exit_code;
}

}  // namespace linkmon::lab
