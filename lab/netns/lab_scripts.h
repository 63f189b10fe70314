#pragma once

// The batches of commands that give a lab its shape, as text for `ip -batch`, `tc -batch` and
// iptables-restore: pure functions of the topology, so tests can read them and `set` can rebuild
// one interface's shaping the same way `up` built it.
//
// Inside <name>-wan every direction from site a to site b is one forwarding path, in through
// <name>-w<a> and out through <name>-w<b>:
//   - the FORWARD chain sends it to NFQUEUE queue k (its position in Topology::directions), where
//     the emulator holds each packet for its delay or drops it; pairs without a link are dropped;
//   - with a rate, an htb class on <name>-w<b> (packets matched by their source site's prefix)
//     shapes it, with a drop-tail pfifo of `queue` worth of packets at that rate. A stab with
//     overhead -14 makes htb count IP bytes: the veth's Ethernet header is not part of a WAN
//     circuit's rate.

#include <string>

#include "lab/topology/topology.h"

namespace linkmon::lab {

// `ip -batch` for the host side: the namespaces and the veth pairs, each end created directly in
// its namespace, so no interface ever appears in the host's namespace.
std::string NamespaceScript(const Topology& topology);

// `ip -n <name>-<site> -batch`: the site's addresses and default routes via the WAN router.
std::string SiteScript(const Topology& topology, const Site& site);

// `ip -n <name>-wan -batch`: the router's side of every site's link.
std::string WanScript(const Topology& topology);

// iptables-restore / ip6tables-restore input for <name>-wan (the same rules serve both).
std::string FirewallScript(const Topology& topology);

// `tc -batch` lines shaping the directions into site `to_site` (empty when none has a rate).
std::string ShapingScript(const Topology& topology, int to_site);

// Packets the bottleneck queue of `properties` holds: `queue` worth at `rate`, at least 4.
int QueueLimitPackets(const LinkProperties& properties, int mtu);

}  // namespace linkmon::lab
