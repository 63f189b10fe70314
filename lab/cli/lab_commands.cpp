#include "lab/cli/lab_commands.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "config/yaml/diagnostics.h"
#include "lab/cli/status_report.h"
#include "lab/daemon/control_client.h"
#include "lab/forward/port_forwarder.h"
#include "lab/netns/lab_builder.h"
#include "lab/netns/lab_paths.h"
#include "lab/netns/lab_sweeper.h"
#include "lab/topology/naming.h"
#include "lab/topology/topology_loader.h"

namespace linkmon::lab {

namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitNotUp = 3;
constexpr int kExitInterrupted = 130;

std::optional<Topology> Load(const std::filesystem::path& file) {
  config::yaml::Diagnostics diagnostics;
  auto topology = LoadTopology(file, diagnostics);
  for (const auto& line : diagnostics.SortedStrings()) std::cerr << line << "\n";
  return topology;
}

// The lab a command argument names: a topology file, or (for down) a bare lab name.
struct LabTarget {
  std::string name;
  std::optional<Topology> topology;  // as the file says
};

std::optional<LabTarget> Resolve(const std::string& arg, bool allow_bare_name) {
  std::error_code error;
  if (allow_bare_name && IsValidLabName(arg) && !std::filesystem::exists(arg, error)) {
    return LabTarget{arg, std::nullopt};
  }
  auto topology = Load(arg);
  if (!topology) return std::nullopt;
  std::string name = topology->name;
  return LabTarget{std::move(name), std::move(topology)};
}

// What a running lab was built from: its saved copy, which `set` may not contradict.
std::optional<Topology> RunningTopology(const std::string& name) {
  const LabPaths paths = LabPaths::For(name);
  if (!std::filesystem::exists(paths.topology)) return std::nullopt;
  config::yaml::Diagnostics diagnostics;
  return LoadTopology(paths.topology, diagnostics);
}

std::string ExecutablePath() {
  std::error_code error;
  auto path = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string("linkmon-lab") : path.string();
}

sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

bool TerminationPending() {
  sigset_t pending;
  sigpending(&pending);
  return sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) ||
         sigismember(&pending, SIGHUP);
}

// Starts `linkmon-lab emulate DIR` as a daemon (own session, output to the lab's log, no
// descriptor of ours) and waits until it says it serves.
Status StartDaemon(const LabPaths& paths) {
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) {
    return MakeError(ErrorCode::kIo, std::string("pipe: ") + strerror(errno));
  }
  const std::string exe = ExecutablePath();
  const std::string dir = paths.dir.string();
  const std::string log = paths.log_file.string();
  const pid_t pid = fork();
  if (pid == 0) {
    setsid();
    const int null_fd = open("/dev/null", O_RDONLY);
    const int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (null_fd < 0 || log_fd < 0) _exit(127);
    dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    // Only the ready pipe survives exec: a test harness reading our output must see EOF when
    // `up` exits, not when the lab goes down.
    const int ready_fd = dup2(ready[1], 3);
    close_range(4, ~0U, 0);
    fcntl(ready_fd, F_SETFD, 0);
    const std::string fd_text = std::to_string(ready_fd);
    execl(exe.c_str(), exe.c_str(), "emulate", dir.c_str(), "--ready-fd", fd_text.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(ready[1]);
  if (pid < 0) {
    close(ready[0]);
    return MakeError(ErrorCode::kIo, std::string("fork: ") + strerror(errno));
  }
  std::string reply;
  char buffer[512];
  while (true) {
    pollfd poll_fd{ready[0], POLLIN, 0};
    if (poll(&poll_fd, 1, 10'000) <= 0) break;
    const ssize_t n = read(ready[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buffer, static_cast<std::size_t>(n));
  }
  close(ready[0]);
  if (reply != "ready\n") {
    while (!reply.empty() && reply.back() == '\n') reply.pop_back();
    return MakeError(
        ErrorCode::kUnavailable,
        "the emulator did not start" + (reply.empty() ? "" : ": " + reply) + " (see " + log + ")");
  }
  return {};
}

void PrintSweep(const std::string& name, const SweepReport& report, const char* what) {
  if (report.removed_namespaces.empty() && !report.stopped_emulator) return;
  std::cout << fmt::format("{} lab {}: emulator {}, {} namespace(s), {} process(es) inside\n", what,
                           name, report.stopped_emulator ? "stopped" : "not running",
                           report.removed_namespaces.size(), report.killed_processes.size());
}

}  // namespace

int UpCommand(const std::string& topology_arg, const UpOptions& options) {
  // From here on SIGINT/SIGTERM/SIGHUP wait until a step is complete, then undo everything.
  const sigset_t signals = TerminationSignals();
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  auto topology = Load(topology_arg);
  if (!topology) return kExitUsage;
  if (geteuid() != 0) {
    std::cerr << "linkmon-lab up: needs root (it creates network namespaces)\n";
    return kExitFailed;
  }
  const LabPaths paths = LabPaths::For(topology->name);

  // A lab of the same name left by a killed run goes first.
  auto stale = SweepLab(topology->name);
  if (!stale) {
    std::cerr << "linkmon-lab up: removing the stale lab failed: " << stale.error().message << "\n";
    return kExitFailed;
  }
  PrintSweep(topology->name, *stale, "removed stale");
  if (TerminationPending()) return kExitInterrupted;

  auto fail = [&](const std::string& message, int code) {
    std::cerr << "linkmon-lab up: " << message << "\n";
    (void)SweepLab(topology->name);
    return code;
  };

  std::error_code error;
  std::filesystem::create_directories(paths.dir, error);
  std::filesystem::copy_file(topology_arg, paths.topology,
                             std::filesystem::copy_options::overwrite_existing, error);
  if (error) return fail("cannot write " + paths.topology.string() + ": " + error.message(), 1);

  if (auto built = BuildLab(*topology, TerminationPending); !built) {
    return fail(built.error().message, TerminationPending() ? kExitInterrupted : kExitFailed);
  }
  if (options.foreground) {
    // This process becomes the emulator; the blocked signals stay blocked across exec and reach
    // its signalfd, which removes the lab.
    const std::string exe = ExecutablePath();
    const std::string dir = paths.dir.string();
    std::cout << fmt::format(
                     "lab {} is up; the emulator runs in the foreground (Ctrl-C ends "
                     "the lab)\n",
                     topology->name)
              << std::flush;
    execl(exe.c_str(), exe.c_str(), "emulate", dir.c_str(), static_cast<char*>(nullptr));
    return fail(std::string("exec: ") + strerror(errno), kExitFailed);
  }
  if (auto started = StartDaemon(paths); !started) {
    return fail(started.error().message, kExitFailed);
  }
  if (TerminationPending()) return fail("interrupted", kExitInterrupted);
  sigprocmask(SIG_UNBLOCK, &signals, nullptr);

  auto shown = ControlRequest(paths.control_socket, {{"command", "show"}});
  std::cout << FormatStatus(*topology, shown ? &*shown : nullptr);
  return 0;
}

int DownCommand(const std::string& topology_arg) {
  auto target = Resolve(topology_arg, /*allow_bare_name=*/true);
  if (!target) return kExitUsage;
  auto swept = SweepLab(target->name);
  if (!swept) {
    std::cerr << "linkmon-lab down: " << swept.error().message << "\n";
    return kExitFailed;
  }
  PrintSweep(target->name, *swept, "removed");
  if (swept->removed_namespaces.empty() && !swept->stopped_emulator) {
    std::cout << "lab " << target->name << " was not up\n";
  }
  return 0;
}

int StatusCommand(const std::string& topology_arg, bool json) {
  auto target = Resolve(topology_arg, /*allow_bare_name=*/false);
  if (!target) return kExitUsage;
  const LabPaths paths = LabPaths::For(target->name);
  const Topology topology = RunningTopology(target->name).value_or(*target->topology);
  auto shown = ControlRequest(paths.control_socket, {{"command", "show"}});
  const nlohmann::json* live = shown ? &*shown : nullptr;
  if (json) {
    std::cout << StatusJson(topology, live, LabNamespaces(topology.name)).dump(2) << "\n";
  } else {
    std::cout << FormatStatus(topology, live);
  }
  return live != nullptr ? 0 : kExitNotUp;
}

namespace {

// The namespace of a site of a running lab, or nullopt after saying why (as `command`).
std::optional<std::string> RunningSiteNamespace(const std::string& topology_arg,
                                                const std::string& site_name,
                                                const std::string& command, int& exit_code) {
  auto target = Resolve(topology_arg, /*allow_bare_name=*/false);
  exit_code = kExitUsage;
  if (!target) return std::nullopt;
  const Site* site = target->topology->FindSite(site_name);
  if (site == nullptr) {
    std::cerr << "linkmon-lab " << command << ": lab " << target->name << " has no site '"
              << site_name << "'\n";
    return std::nullopt;
  }
  std::string ns = SiteNamespace(target->name, *site);
  if (!std::filesystem::exists("/run/netns/" + ns)) {
    std::cerr << "linkmon-lab " << command << ": lab " << target->name
              << " is not up (no namespace " << ns << ")\n";
    exit_code = kExitNotUp;
    return std::nullopt;
  }
  return ns;
}

}  // namespace

int ExecCommand(const std::string& topology_arg, const std::string& site_name,
                const std::vector<std::string>& command) {
  if (command.empty()) {
    std::cerr << "linkmon-lab exec: no command (linkmon-lab exec TOPO SITE -- CMD...)\n";
    return kExitUsage;
  }
  int exit_code = kExitUsage;
  const auto ns = RunningSiteNamespace(topology_arg, site_name, "exec", exit_code);
  if (!ns) return exit_code;
  std::vector<std::string> argv = {"ip", "netns", "exec", *ns};
  argv.insert(argv.end(), command.begin(), command.end());
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  execvp("ip", args.data());
  std::cerr << "linkmon-lab exec: cannot run ip: " << strerror(errno) << "\n";
  return kExitFailed;
}

int SetCommand(const std::string& topology_arg, const std::string& from, const std::string& to,
               const std::vector<std::string>& settings) {
  auto target = Resolve(topology_arg, /*allow_bare_name=*/false);
  if (!target) return kExitUsage;
  nlohmann::json changes = nlohmann::json::object();
  for (const std::string& setting : settings) {
    const auto equals = setting.find('=');
    if (equals == std::string::npos || equals == 0) {
      std::cerr << "linkmon-lab set: '" << setting << "' is not key=value (e.g. delay=20ms)\n";
      return kExitUsage;
    }
    changes[setting.substr(0, equals)] = setting.substr(equals + 1);
  }
  const LabPaths paths = LabPaths::For(target->name);
  auto reply =
      ControlRequest(paths.control_socket,
                     {{"command", "set"}, {"from", from}, {"to", to}, {"settings", changes}});
  if (!reply) {
    std::cerr << "linkmon-lab set: " << reply.error().message << "\n";
    return reply.error().code == ErrorCode::kUnavailable ? kExitNotUp : kExitUsage;
  }
  std::cout << from << " -> " << to << ": " << reply->value("description", std::string()) << "\n";
  return 0;
}

int ForwardCommand(const std::string& topology_arg, const std::string& site_name,
                   const std::vector<std::string>& forwards) {
  int exit_code = kExitUsage;
  const auto ns = RunningSiteNamespace(topology_arg, site_name, "forward", exit_code);
  if (!ns) return exit_code;
  std::vector<ForwardRule> rules;
  for (const std::string& text : forwards) {
    auto rule = ParseForwardRule(text, boost::asio::ip::address_v4::loopback());
    if (!rule) {
      std::cerr << "linkmon-lab forward: " << rule.error().message << "\n";
      return kExitUsage;
    }
    rules.push_back(*rule);
  }
  boost::asio::io_context io(1);
  auto forwarder = PortForwarder::Start(io, *ns, rules);
  if (!forwarder) {
    std::cerr << "linkmon-lab forward: " << forwarder.error().message << "\n";
    return kExitFailed;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    (*forwarder)->Stop();
    io.stop();
  });
  for (const ForwardRule& rule : rules) {
    std::cout << "forwarding 127.0.0.1:" << rule.local_port << " -> " << *ns << " " << rule.remote
              << "\n";
  }
  std::cout << std::flush;
  io.run();
  return 0;
}

}  // namespace linkmon::lab
