#include "lab/netns/lab_scripts.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "lab/topology/naming.h"

namespace linkmon::lab {

namespace {

// The veth's Ethernet header, which htb would otherwise count as part of the rate.
constexpr int kEthernetHeaderBytes = 14;

}  // namespace

std::string NamespaceScript(const Topology& topology) {
  std::string out = fmt::format("netns add {}\n", WanNamespace(topology.name));
  for (const Site& site : topology.sites) {
    out += fmt::format("netns add {}\n", SiteNamespace(topology.name, site));
  }
  return out;
}

std::string SiteScript(const Topology& topology, const Site& site) {
  const std::string veth = SiteInterface(topology.name, site.index);
  std::string out = "link set lo up\n";
  out += fmt::format("link add {} mtu {} type veth peer name {} mtu {} netns {}\n", veth,
                     topology.mtu, WanInterface(topology.name, site.index), topology.mtu,
                     WanNamespace(topology.name));
  // Up before the addresses: an IPv6 address added to a down interface joins its solicited-node
  // multicast group late, and neighbour solicitations for it go unanswered for a second.
  out += fmt::format("link set {} up\n", veth);
  out += fmt::format("address add {}/{} dev {}\n", SiteIpv4(site.index), kIpv4PrefixLength, veth);
  out += fmt::format("address add {}/{} dev {} nodad\n", SiteIpv6(site.index), kIpv6PrefixLength,
                     veth);
  out += fmt::format("route add default via {}\n", RouterIpv4(site.index));
  out += fmt::format("route add default via {}\n", RouterIpv6(site.index));
  return out;
}

std::string WanScript(const Topology& topology) {
  std::string out = "link set lo up\n";
  for (const Site& site : topology.sites) {
    const std::string veth = WanInterface(topology.name, site.index);
    out += fmt::format("link set {} up\n", veth);
    out +=
        fmt::format("address add {}/{} dev {}\n", RouterIpv4(site.index), kIpv4PrefixLength, veth);
    out += fmt::format("address add {}/{} dev {} nodad\n", RouterIpv6(site.index),
                       kIpv6PrefixLength, veth);
  }
  return out;
}

std::string FirewallScript(const Topology& topology) {
  std::string out = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n";
  for (std::size_t k = 0; k < topology.directions.size(); ++k) {
    const Direction& direction = topology.directions[k];
    out += fmt::format("-A FORWARD -i {} -o {} -j NFQUEUE --queue-num {}\n",
                       WanInterface(topology.name, direction.from),
                       WanInterface(topology.name, direction.to), k);
  }
  out += "COMMIT\n";
  return out;
}

int QueueLimitPackets(const LinkProperties& properties, int mtu) {
  if (!properties.rate) return 4;
  const double bytes = static_cast<double>(properties.rate->bits_per_second) / 8.0 *
                       std::chrono::duration<double>(properties.queue).count();
  return std::max(4, static_cast<int>(std::ceil(bytes / mtu)));
}

std::string ShapingScript(const Topology& topology, int to_site) {
  const std::string dev = WanInterface(topology.name, to_site);
  std::string classes;
  for (const Direction& direction : topology.directions) {
    if (direction.to != to_site || !direction.properties.rate) continue;
    const int from = direction.from;
    classes += fmt::format(
        "class add dev {} parent 1: classid 1:{:x} htb rate {}bit ceil {}bit quantum {}\n", dev,
        from, direction.properties.rate->bits_per_second,
        direction.properties.rate->bits_per_second, topology.mtu + kEthernetHeaderBytes);
    classes +=
        fmt::format("qdisc add dev {} parent 1:{:x} handle {:x}: pfifo limit {}\n", dev, from,
                    from + 0x100, QueueLimitPackets(direction.properties, topology.mtu));
    classes += fmt::format(
        "filter add dev {} parent 1: protocol ip prio 1 u32 match ip src {} flowid 1:{:x}\n", dev,
        SiteIpv4Net(from), from);
    classes += fmt::format(
        "filter add dev {} parent 1: protocol ipv6 prio 2 u32 match ip6 src {} flowid 1:{:x}\n",
        dev, SiteIpv6Net(from), from);
  }
  if (classes.empty()) return "";
  // Unclassified packets (the router's own, such as neighbour discovery) go out unshaped.
  return fmt::format("qdisc add dev {} root handle 1: stab overhead -{} htb default 0\n", dev,
                     kEthernetHeaderBytes) +
         classes;
}

}  // namespace linkmon::lab
