#pragma once

// A lab topology as read from its YAML file (topology_loader.h): sites, and the directions of the
// links between them with their properties. Every namespace and interface the lab makes is named
// from `name` (naming.h), so two labs with different names run side by side.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "lab/topology/link_properties.h"

namespace linkmon::lab {

struct Site {
  SiteName name;
  // 1-based position in the file; names the site's interfaces and addresses (naming.h).
  int index = 0;
  // Sets net.ipv4.ping_group_range to "0 2147483647" in the site's namespace so that
  // unprivileged datagram ICMP sockets work; false leaves the kernel's default ("1 0": off).
  bool unprivileged_icmp = false;
};

// One direction of a link. A `between` link in the file becomes two directions.
struct Direction {
  int from = 0;  // Site::index
  int to = 0;    // Site::index
  LinkProperties properties;
};

struct EmulatorOptions {
  // SCHED_FIFO priority of the emulator process, so that a busy machine does not delay packet
  // releases; 0 leaves it under the normal scheduler.
  int realtime_priority = 20;
  // Releases due within this window of each other leave together, at the middle of the window:
  // each packet is off by at most half the window (on average by nothing), and a busy link costs
  // fewer wake-ups, the emulator's largest cost on a virtual machine. 0 wakes for every packet.
  std::chrono::nanoseconds release_window = std::chrono::microseconds(50);
};

struct Topology {
  // 1-10 characters of [a-z0-9], starting with a letter: no '-', so that "<name>-" never prefixes
  // another lab's names.
  std::string name;
  // Seeds every direction's random choices (jitter, loss, duplication, reordering), so that a run
  // is reproducible.
  std::uint64_t seed = 1;
  int mtu = 1500;
  EmulatorOptions emulator;
  std::vector<Site> sites;  // sites[i].index == i + 1
  std::vector<Direction> directions;

  const Site* FindSite(std::string_view site_name) const;
  const Site& SiteAt(int index) const { return sites.at(static_cast<std::size_t>(index - 1)); }
  // Position of the direction from -> to in `directions`, if the topology has it.
  std::optional<std::size_t> FindDirection(std::string_view from, std::string_view to) const;
};

}  // namespace linkmon::lab
