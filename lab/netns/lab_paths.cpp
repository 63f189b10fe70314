#include "lab/netns/lab_paths.h"

namespace linkmon::lab {

LabPaths LabPaths::For(std::string_view lab_name) {
  LabPaths paths;
  paths.dir = std::filesystem::path(kStateRoot) / std::string(lab_name);
  paths.topology = paths.dir / "topology.yaml";
  paths.pid_file = paths.dir / "emulator.pid";
  paths.control_socket = paths.dir / "control.sock";
  paths.log_file = paths.dir / "emulator.log";
  return paths;
}

}  // namespace linkmon::lab
