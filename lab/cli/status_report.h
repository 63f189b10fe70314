#pragma once

// What `linkmon-lab status` (and the end of `up`) prints: the sites with their namespaces and
// addresses, and each direction's properties, live from the emulator when the lab is up (so a
// `set` shows) or as the topology file says when it is not.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lab/topology/topology.h"

namespace linkmon::lab {

// `live` is the emulator's "show" reply, or nullptr when the lab is not up.
nlohmann::json StatusJson(const Topology& topology, const nlohmann::json* live,
                          const std::vector<std::string>& namespaces);

std::string FormatStatus(const Topology& topology, const nlohmann::json* live);

}  // namespace linkmon::lab
