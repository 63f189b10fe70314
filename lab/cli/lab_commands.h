#pragma once

// The linkmon-lab commands (main.cpp parses the command line and calls one of these). Each
// returns the process exit code:
//   0 done; 1 the system refused (not root, a tool failed, the emulator did not start);
//   2 bad usage or a bad topology file; 3 `status`/`set` on a lab that is not up;
//   130 `up` interrupted by SIGINT/SIGTERM/SIGHUP (everything it made is removed again).

#include <filesystem>
#include <string>
#include <vector>

namespace linkmon::lab {

struct UpOptions {
  // Stay in the foreground as the emulator until SIGINT/SIGTERM, then remove the lab.
  bool foreground = false;
};

int UpCommand(const std::string& topology_arg, const UpOptions& options);
// `topology_arg` may also be a bare lab name, for a lab whose file is gone.
int DownCommand(const std::string& topology_arg);
int StatusCommand(const std::string& topology_arg, bool json);
// Replaces the process with `ip netns exec <name>-<site> command...`.
int ExecCommand(const std::string& topology_arg, const std::string& site,
                const std::vector<std::string>& command);
// Listens on the host's 127.0.0.1 and forwards each connection into the site's namespace
// (lab/forward/port_forwarder.h) until SIGINT/SIGTERM. forwards: "LOCAL[:ADDRESS]:REMOTE" or
// "PORT"; the default address is the namespace's own 127.0.0.1.
int ForwardCommand(const std::string& topology_arg, const std::string& site,
                   const std::vector<std::string>& forwards);
// settings: "delay=20ms", "loss=1%", ...
int SetCommand(const std::string& topology_arg, const std::string& from, const std::string& to,
               const std::vector<std::string>& settings);

}  // namespace linkmon::lab
