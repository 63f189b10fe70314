// linkmon-lab: an emulated multi-region WAN in network namespaces (lab/README.md).
//
//   linkmon-lab up TOPO [--foreground]
//   linkmon-lab down TOPO|NAME
//   linkmon-lab status TOPO [--json]
//   linkmon-lab exec TOPO SITE -- CMD...
//   linkmon-lab set TOPO FROM TO key=value...
//   linkmon-lab forward TOPO SITE LOCAL[:ADDRESS]:REMOTE|PORT...
//
// Exit codes: lab_commands.h.

#include <CLI/CLI.hpp>

#include "common/logging.h"
#include "lab/cli/lab_commands.h"
#include "lab/daemon/emulator_process.h"

int main(int argc, char** argv) {
  using namespace linkmon::lab;
  CLI::App app{"linkmon-lab: an emulated multi-region WAN in network namespaces"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off");
  app.set_version_flag("--version", "linkmon-lab 0.1.0");

  std::string topology, site, from, to, state_dir;
  std::vector<std::string> rest;
  bool json = false;
  UpOptions up_options;
  DaemonOptions daemon_options;

  auto* up = app.add_subcommand("up", "build the lab and start its emulator");
  up->add_option("topology", topology, "topology file")->required();
  up->add_flag("--foreground", up_options.foreground,
               "stay in the foreground as the emulator; Ctrl-C removes the lab");

  auto* down = app.add_subcommand("down", "stop the emulator and remove everything the lab made");
  down->add_option("topology", topology, "topology file, or the lab's name")->required();

  auto* status = app.add_subcommand("status", "sites, addresses and each direction's properties");
  status->add_option("topology", topology, "topology file")->required();
  status->add_flag("--json", json, "print JSON");

  auto* exec = app.add_subcommand("exec", "run a command inside a site's namespace");
  exec->add_option("topology", topology, "topology file")->required();
  exec->add_option("site", site, "site name")->required();
  exec->add_option("command", rest, "command and its arguments (after --)")->required();

  auto* set = app.add_subcommand("set", "change a direction of a running lab");
  set->add_option("topology", topology, "topology file")->required();
  set->add_option("from", from, "from site")->required();
  set->add_option("to", to, "to site")->required();
  set->add_option("settings", rest, "key=value: delay, jitter, loss, loss_burst, rate, ...")
      ->required();

  auto* forward = app.add_subcommand(
      "forward", "reach TCP services of a site from the host's 127.0.0.1 (until Ctrl-C)");
  forward->add_option("topology", topology, "topology file")->required();
  forward->add_option("site", site, "site name")->required();
  forward
      ->add_option("ports", rest, "LOCAL[:ADDRESS]:REMOTE or PORT (address: the site's 127.0.0.1)")
      ->required();

  auto* emulate = app.add_subcommand("emulate", "run a lab's emulator (started by up)");
  emulate->group("");  // internal
  emulate->add_option("state_dir", state_dir)->required();
  emulate->add_option("--ready-fd", daemon_options.ready_fd);

  CLI11_PARSE(app, argc, argv);
  const auto level = linkmon::ParseLogLevel(log_level);
  if (!level) {
    std::fprintf(stderr, "linkmon-lab: unknown log level '%s'\n", log_level.c_str());
    return 2;
  }
  linkmon::ConfigureLogging(*level);

  if (*up) return UpCommand(topology, up_options);
  if (*down) return DownCommand(topology);
  if (*status) return StatusCommand(topology, json);
  if (*exec) return ExecCommand(topology, site, rest);
  if (*set) return SetCommand(topology, from, to, rest);
  if (*forward) return ForwardCommand(topology, site, rest);
  if (*emulate) return RunEmulatorProcess(state_dir, daemon_options);
  return 2;
}
