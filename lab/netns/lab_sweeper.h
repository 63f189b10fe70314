#pragma once

// Removes everything a lab made, whether it is running, half built, or left behind by a killed
// run: the emulator daemon (by the PID in its state directory, after checking /proc that the PID is
// still that daemon), every process still running inside the lab's namespaces, the namespaces
// <name>-* (which takes their interfaces, addresses, routes, firewall rules and qdiscs with them),
// and the state directory. Safe to run twice, and on a lab that does not exist.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace linkmon::lab {

struct SweepReport {
  bool stopped_emulator = false;
  std::vector<int> killed_processes;  // PIDs that were running inside the lab's namespaces
  std::vector<std::string> removed_namespaces;
};

struct SweepOptions {
  // The process doing the sweep (the emulator removing its own lab): never signalled.
  int self_pid = 0;
};

Result<SweepReport> SweepLab(std::string_view lab_name, const SweepOptions& options = {});

// The namespaces that exist now and belong to lab `lab_name` ("<name>-..."), sorted.
std::vector<std::string> LabNamespaces(std::string_view lab_name);

// Whether `pid` is an emulator daemon of lab `lab_name` (its command line says so).
bool IsEmulatorOf(int pid, std::string_view lab_name);

}  // namespace linkmon::lab
