#include "lab/netns/lab_sweeper.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "lab/netns/command.h"
#include "lab/netns/lab_paths.h"
#include "lab/topology/naming.h"

namespace linkmon::lab {

namespace {

using std::chrono::milliseconds;

bool Alive(int pid) { return kill(pid, 0) == 0 || errno == EPERM; }

// Sends SIGTERM, then SIGKILL if the process is still there after `grace`.
void Stop(int pid, milliseconds grace) {
  if (kill(pid, SIGTERM) != 0) return;
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (Alive(pid) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  if (Alive(pid)) {
    kill(pid, SIGKILL);
    for (int i = 0; i < 100 && Alive(pid); ++i) std::this_thread::sleep_for(milliseconds(10));
  }
}

std::vector<int> NamespacePids(const std::string& ns) {
  std::vector<int> pids;
  auto listed = RunCommand({"ip", "netns", "pids", ns}, {}, std::chrono::seconds(10));
  if (!listed) return pids;
  std::istringstream in(*listed);
  int pid = 0;
  while (in >> pid) pids.push_back(pid);
  return pids;
}

}  // namespace

std::vector<std::string> LabNamespaces(std::string_view lab_name) {
  std::vector<std::string> found;
  const std::string prefix = NamespacePrefix(lab_name);
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns", error)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix)) found.push_back(name);
  }
  std::sort(found.begin(), found.end());
  return found;
}

bool IsEmulatorOf(int pid, std::string_view lab_name) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/cmdline");
  std::string cmdline((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  std::string arg;
  std::istringstream in(cmdline);
  while (std::getline(in, arg, '\0')) args.push_back(arg);
  const std::string state_dir = LabPaths::For(lab_name).dir.string();
  return args.size() >= 3 && args[0].find("linkmon-lab") != std::string::npos &&
         std::find(args.begin(), args.end(), "emulate") != args.end() &&
         std::find(args.begin(), args.end(), state_dir) != args.end();
}

Result<SweepReport> SweepLab(std::string_view lab_name, const SweepOptions& options) {
  if (!IsValidLabName(lab_name)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "'" + std::string(lab_name) + "' is not a lab name");
  }
  SweepReport report;
  const LabPaths paths = LabPaths::For(lab_name);
  // Listed first: the emulator, stopped below, removes its lab itself.
  const std::vector<std::string> existing = LabNamespaces(lab_name);

  int pid = 0;
  if (std::ifstream pid_file(paths.pid_file); pid_file >> pid) {
    if (pid > 1 && pid != options.self_pid && IsEmulatorOf(pid, lab_name)) {
      Stop(pid, milliseconds(5000));
      report.stopped_emulator = true;
    }
  }

  // Processes started inside the lab (an irtt server, a probe) would keep a namespace alive after
  // its name is gone; they belong to the lab and end with it.
  std::vector<std::string> namespaces = LabNamespaces(lab_name);
  for (const std::string& ns : namespaces) {
    for (int inside : NamespacePids(ns)) {
      if (inside == options.self_pid || inside <= 1) continue;
      Stop(inside, milliseconds(2000));
      report.killed_processes.push_back(inside);
    }
  }

  std::string script;
  for (const std::string& ns : namespaces) script += "netns delete " + ns + "\n";
  Status deleted;
  if (!script.empty()) {
    // -force: one namespace that cannot be deleted does not keep the others.
    if (auto ran = RunCommand({"ip", "-force", "-batch", "-"}, script); !ran) {
      deleted = tl::unexpected(ran.error());
    }
  }
  for (const std::string& ns : existing) {
    if (!std::filesystem::exists("/run/netns/" + ns)) report.removed_namespaces.push_back(ns);
  }

  std::error_code error;
  std::filesystem::remove_all(paths.dir, error);
  if (!deleted) return tl::unexpected(deleted.error());
  if (error) {
    return MakeError(ErrorCode::kIo, "removing " + paths.dir.string() + ": " + error.message());
  }
  return report;
}

}  // namespace linkmon::lab
