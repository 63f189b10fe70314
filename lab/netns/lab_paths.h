#pragma once

// Where a running lab keeps its state: /run/linkmon-lab/<name>/ (tmpfs, gone after a reboot, as
// are the namespaces it describes).
//
//   topology.yaml   the topology `up` built, so that status, set and down need not trust that the
//                   user's file is unchanged
//   emulator.pid    the emulator daemon, for `down` (checked against /proc before any signal)
//   control.sock    the emulator's control socket (`set`, `status`)
//   emulator.log    the daemon's log lines

#include <filesystem>
#include <string>
#include <string_view>

namespace linkmon::lab {

inline constexpr std::string_view kStateRoot = "/run/linkmon-lab";

struct LabPaths {
  std::filesystem::path dir;
  std::filesystem::path topology;
  std::filesystem::path pid_file;
  std::filesystem::path control_socket;
  std::filesystem::path log_file;

  static LabPaths For(std::string_view lab_name);
};

}  // namespace linkmon::lab
