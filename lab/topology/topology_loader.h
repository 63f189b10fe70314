#pragma once

// Reads a lab topology file (lab/README.md documents every key):
//
//   name: qh3                 # prefix for every namespace and interface the lab makes
//   seed: 7                   # optional, default 1: seeds jitter, loss, duplication, reordering
//   mtu: 1500                 # optional
//   unprivileged_icmp: false  # optional, default for every site
//   emulator: {realtime_priority: 20}
//   sites:
//     xining:   {}
//     beijing:  {unprivileged_icmp: true}
//   links:
//     - {between: [xining, beijing], delay: 6ms, jitter: 0.2ms, loss: 0.1%, rate: 1Gbit}
//     - {from: xining, to: shanghai, delay: 10ms, loss: 1%}      # one direction only
//     - {from: shanghai, to: xining, delay: 10.5ms}
//
// Every problem is reported as "file:line:column: message" through config/yaml's Diagnostics,
// all of them in one pass: unknown keys (with did-you-mean), unknown sites, a direction given
// twice, a direction without a way back, values out of range.

#include <filesystem>
#include <optional>
#include <string_view>

#include "config/yaml/diagnostics.h"
#include "lab/topology/topology.h"

namespace linkmon::lab {

// The topology in `text`, or nullopt with at least one diagnostic.
std::optional<Topology> ParseTopology(std::string_view text, std::string_view file_name,
                                      config::yaml::Diagnostics& diagnostics);

std::optional<Topology> LoadTopology(const std::filesystem::path& path,
                                     config::yaml::Diagnostics& diagnostics);

}  // namespace linkmon::lab
