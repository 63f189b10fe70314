#pragma once

// Builds a lab's namespaces, links, addresses, routes, firewall rules and shaping (everything but
// the emulator process), in this order:
//   1. the namespaces (<name>-wan and one per site);
//   2. sysctls inside them: no IPv6 duplicate address detection (addresses usable at once),
//      forwarding in <name>-wan, ping_group_range where a site asks for unprivileged ICMP;
//   3. per site: a veth pair created from inside the site's namespace with its peer placed
//      straight into <name>-wan, addresses and default routes;
//   4. <name>-wan's addresses, its FORWARD rules to NFQUEUE, its htb shaping.
// Nothing is created in, or changed about, the host's own namespace. On failure the caller removes
// what was made (lab_sweeper.h).

#include <functional>

#include "common/result.h"
#include "lab/topology/topology.h"

namespace linkmon::lab {

// `interrupted` is asked between steps; when it says yes the build stops with kUnavailable.
Status BuildLab(const Topology& topology, const std::function<bool()>& interrupted);

// Replaces the shaping of the WAN interface towards `to_site` with what `topology` now says
// (`linkmon-lab set ... rate=...`).
Status ReshapeSite(const Topology& topology, int to_site);

}  // namespace linkmon::lab
