#pragma once

// The `linkmon-lab emulate STATE_DIR` process that `up` starts: it tunes itself for precision
// (SCHED_FIFO with reset-on-fork, locked memory, 1 ns timer slack), starts the EmulatorDaemon,
// reports readiness to `up`, serves until SIGINT or SIGTERM, and then removes the whole lab.

#include <filesystem>

namespace linkmon::lab {

struct DaemonOptions {
  // Where "ready\n" (or "error: ...\n") is written once the emulator serves, then closed; -1: none.
  int ready_fd = -1;
};

// Returns the process exit code.
int RunEmulatorProcess(const std::filesystem::path& state_dir, const DaemonOptions& options);

}  // namespace linkmon::lab
