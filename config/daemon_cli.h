#pragma once

// The command line both daemons share, and what they do before their own work starts:
//
//   linkmon-collector --config FILE [--check-config] [--log-level LEVEL]
//   linkmon-probe     --config FILE --site NAME [--check-config] [--log-level LEVEL]
//                     [--reflector-only] [--user NAME] [--clock auto|synchronized|unsynchronized]
//   either            --version | --help
//
// The probe reads the same file as the collector and every other probe; --site (or the
// LINKMON_SITE environment variable) says which `probes:` entry is its own. With --check-config,
// --site is optional: without it the whole file is checked; with it, also that the site has
// something to run (a `probes:` entry or reflector: true).
//
// --check-config prints each problem to stderr as "file:line:column: message", one per line, and
// exits with kExitConfigError; on a valid file it prints a one-line summary to stdout and exits 0.
// Exit codes are listed below and in config/README.md.

#include <spdlog/common.h>

#include <iosfwd>
#include <optional>
#include <string>

#include "common/ids.h"
#include "config/config.h"

namespace linkmon::config {

// Process exit codes of linkmon-probe and linkmon-collector.
inline constexpr int kExitOk = 0;              // ran and stopped cleanly; config valid; --help
inline constexpr int kExitRuntimeFailure = 1;  // failed while running (socket, disk, ...)
inline constexpr int kExitConfigError = 2;     // bad command line or invalid config

enum class Daemon { kProbe, kCollector };

// "linkmon-probe", "linkmon-collector".
std::string_view DaemonProgramName(Daemon daemon);

struct DaemonOptions {
  std::string config_path;
  bool check_config = false;
  spdlog::level::level_enum log_level = spdlog::level::info;
  std::optional<SiteName> site;  // the probe's own site; always empty for the collector
  // Probe only. Runs the site's STAMP reflector and nothing else (no probing, no upload).
  bool reflector_only = false;
  // Probe only. When started as root: the user to switch to once every socket is open.
  std::string user;
  // Probe only. Where the STAMP "clock synchronised" bit comes from: "auto" asks the kernel's NTP
  // state; "synchronized" is for ends sharing one clock (network namespaces of one host).
  std::string clock = "auto";
};

// The outcome of the command line: options to go on with, or an exit code to return now (after
// --help, --version or a usage error, whose message is already written to `out` or `err`).
struct CommandLine {
  std::optional<DaemonOptions> options;
  int exit_code = kExitOk;
};

CommandLine ParseDaemonCommandLine(Daemon daemon, int argc, const char* const* argv,
                                   std::ostream& out, std::ostream& err);

// What a daemon's main gets from StartDaemon: a checked config and the options, or an exit code.
struct DaemonStart {
  std::optional<DaemonOptions> options;
  std::optional<Config> config;  // set together with options
  int exit_code = kExitOk;       // meaningful when options is empty
};

// Parses the command line, configures logging, loads and checks the config (--check-config ends
// here with its exit code), and for the probe resolves --site. Diagnostics go to `err`.
DaemonStart StartDaemon(Daemon daemon, int argc, const char* const* argv, std::ostream& out,
                        std::ostream& err);

// "linkmon.yaml: ok: 24 sites, 3 hub groups, 7 SLA classes, 3 probes measuring 96 paths"
std::string ConfigSummary(const Config& config, const std::string& file,
                          const std::optional<SiteName>& site);

}  // namespace linkmon::config
