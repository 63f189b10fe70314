#include "config/daemon_cli.h"

#include <CLI/CLI.hpp>
#include <ostream>

#include "common/logging.h"
#include "config/load.h"
#include "config/version.h"
#include "config/yaml/suggest.h"

namespace linkmon::config {

namespace {

std::string Plural(std::size_t count, std::string_view one, std::string_view many) {
  return std::to_string(count) + " " + std::string(count == 1 ? one : many);
}

std::size_t CountPaths(const ProbeSite& probe) {
  std::size_t paths = 0;
  for (const Target& target : probe.targets) paths += target.methods.size();
  return paths;
}

// After a valid load: the probe's --site must name a site with something to run.
bool CheckProbeSite(const Config& config, const DaemonOptions& options, std::ostream& err) {
  if (!options.site) return true;
  const SiteName& site = *options.site;
  const Site* found = config.FindSite(site);
  if (found == nullptr) {
    std::vector<std::string> names;
    for (const Site& s : config.sites) names.push_back(s.name.str());
    err << "--site: '" << site.str() << "' is not a site in " << options.config_path
        << yaml::DidYouMean(site.str(), names) << '\n';
    return false;
  }
  if (config.FindProbe(site) == nullptr && !found->reflector) {
    err << "--site: site '" << site.str() << "' has no entry under 'probes:' and runs no "
        << "reflector; a probe there would have nothing to do\n";
    return false;
  }
  if (options.reflector_only && !found->reflector) {
    err << "--reflector-only: site '" << site.str() << "' does not run a reflector (set "
        << "'reflector: true' on the site)\n";
    return false;
  }
  return true;
}

}  // namespace

std::string_view DaemonProgramName(Daemon daemon) {
  return daemon == Daemon::kProbe ? "linkmon-probe" : "linkmon-collector";
}

CommandLine ParseDaemonCommandLine(Daemon daemon, int argc, const char* const* argv,
                                   std::ostream& out, std::ostream& err) {
  const std::string program(DaemonProgramName(daemon));
  CLI::App app{daemon == Daemon::kProbe
                   ? "linkmon probe: measures latency, loss, jitter and bandwidth to the targets "
                     "of its site and uploads interval summaries to the collector."
                   : "linkmon collector: aggregates probe summaries into windows, judges them "
                     "against SLA classes, and serves metrics, the API and the web page.",
               program};
  app.set_version_flag("--version", program + " " + std::string(LinkmonVersion()),
                       "Print the version and exit");

  DaemonOptions options;
  std::string log_level = "info";
  std::string site;
  app.add_option("--config", options.config_path, "YAML config file (see config/README.md)")
      ->required()
      ->type_name("FILE");
  app.add_flag("--check-config", options.check_config,
               "Check the config, print every problem as file:line:column: message, and exit "
               "(0: valid, 2: problems)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->type_name("LEVEL")
      ->capture_default_str();
  if (daemon == Daemon::kProbe) {
    app.add_option("--site", site,
                   "This probe's site: which entry under 'probes:' to run (required unless "
                   "--check-config)")
        ->type_name("NAME")
        ->envname("LINKMON_SITE");
    app.add_flag("--reflector-only", options.reflector_only,
                 "Run only the site's STAMP reflector: no probing, no upload");
    app.add_option("--user", options.user,
                   "When started as root: switch to this user once every socket is open")
        ->type_name("NAME");
    app.add_option("--clock", options.clock,
                   "STAMP clock-synchronised bit: auto (the kernel's NTP state), synchronized "
                   "(ends sharing one clock, as network namespaces of one host) or "
                   "unsynchronized")
        ->type_name("SOURCE")
        ->check(CLI::IsMember({"auto", "synchronized", "unsynchronized"}))
        ->capture_default_str();
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    app.exit(e, out, err);
    return CommandLine{std::nullopt, kExitOk};
  } catch (const CLI::CallForAllHelp& e) {
    app.exit(e, out, err);
    return CommandLine{std::nullopt, kExitOk};
  } catch (const CLI::CallForVersion& e) {
    app.exit(e, out, err);
    return CommandLine{std::nullopt, kExitOk};
  } catch (const CLI::ParseError& e) {
    app.exit(e, out, err);
    return CommandLine{std::nullopt, kExitConfigError};
  }

  auto usage_error = [&](const std::string& message) {
    err << message << "\nRun with --help for more information.\n";
    return CommandLine{std::nullopt, kExitConfigError};
  };
  auto level = ParseLogLevel(log_level);
  if (!level) {
    return usage_error("--log-level: '" + log_level +
                       "' is not one of trace, debug, info, warn, error, off");
  }
  options.log_level = *level;
  if (daemon == Daemon::kProbe) {
    if (!site.empty()) {
      auto name = SiteName::Make(site);
      if (!name) return usage_error("--site: " + name.error().message);
      options.site = *name;
    } else if (!options.check_config) {
      return usage_error("--site is required: it names the entry under 'probes:' this probe runs");
    }
  }
  return CommandLine{std::move(options), kExitOk};
}

DaemonStart StartDaemon(Daemon daemon, int argc, const char* const* argv, std::ostream& out,
                        std::ostream& err) {
  CommandLine command_line = ParseDaemonCommandLine(daemon, argc, argv, out, err);
  if (!command_line.options) return DaemonStart{std::nullopt, std::nullopt, command_line.exit_code};
  DaemonOptions& options = *command_line.options;
  ConfigureLogging(options.log_level);

  ConfigResult config = LoadConfigFile(options.config_path);
  if (!config) {
    for (const auto& diagnostic : config.error()) err << diagnostic.ToString() << '\n';
    if (!options.check_config) {
      spdlog::error("event=config_invalid file={} problems={}", KvQuote(options.config_path),
                    config.error().size());
    }
    return DaemonStart{std::nullopt, std::nullopt, kExitConfigError};
  }
  if (!CheckProbeSite(*config, options, err)) {
    return DaemonStart{std::nullopt, std::nullopt, kExitConfigError};
  }
  if (options.check_config) {
    out << ConfigSummary(*config, options.config_path, options.site) << '\n';
    return DaemonStart{std::nullopt, std::nullopt, kExitOk};
  }
  return DaemonStart{std::move(options), std::move(*config), kExitOk};
}

std::string ConfigSummary(const Config& config, const std::string& file,
                          const std::optional<SiteName>& site) {
  std::size_t paths = 0;
  for (const ProbeSite& probe : config.probes) paths += CountPaths(probe);
  std::string summary = file + ": ok: " + Plural(config.sites.size(), "site", "sites") + ", " +
                        Plural(config.hub_groups.size(), "hub group", "hub groups") + ", " +
                        Plural(config.sla_classes.size(), "SLA class", "SLA classes") + ", " +
                        Plural(config.probes.size(), "probe site", "probe sites") + " measuring " +
                        Plural(paths, "path", "paths");
  if (site) {
    if (const ProbeSite* probe = config.FindProbe(*site)) {
      summary += "; probe '" + site->str() +
                 "': " + Plural(probe->targets.size(), "target", "targets") + ", " +
                 Plural(CountPaths(*probe), "path", "paths");
    } else {
      summary += "; site '" + site->str() + "': reflector only";
    }
  }
  return summary;
}

}  // namespace linkmon::config
