#include <gtest/gtest.h>

#include "lab/netns/lab_scripts.h"
#include "lab/topology/topology_loader.h"

namespace linkmon::lab {
namespace {

Topology Load() {
  config::yaml::Diagnostics diagnostics;
  auto topology = ParseTopology(
      "name: qh3\nsites: {xining: {}, beijing: {}}\nlinks:\n"
      "  - {from: xining, to: beijing, delay: 6ms, rate: 100Mbit, queue: 12ms}\n"
      "  - {from: beijing, to: xining, delay: 6ms}\n",
      "t.yaml", diagnostics);
  EXPECT_TRUE(topology.has_value());
  return *topology;
}

TEST(LabScriptsTest, NamespacesAndASiteWithItsVethCreatedInPlace) {
  const Topology topology = Load();
  EXPECT_EQ(NamespaceScript(topology),
            "netns add qh3-wan\nnetns add qh3-xining\nnetns add qh3-beijing\n");
  EXPECT_EQ(SiteScript(topology, topology.sites[1]),
            "link set lo up\n"
            "link add qh3-s2 mtu 1500 type veth peer name qh3-w2 mtu 1500 netns qh3-wan\n"
            "link set qh3-s2 up\n"
            "address add 10.77.2.2/24 dev qh3-s2\n"
            "address add fd00:6c6d:0:2::2/64 dev qh3-s2 nodad\n"
            "route add default via 10.77.2.1\n"
            "route add default via fd00:6c6d:0:2::1\n");
}

TEST(LabScriptsTest, EachDirectionItsOwnQueueAndNothingElseForwarded) {
  EXPECT_EQ(FirewallScript(Load()),
            "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
            "-A FORWARD -i qh3-w1 -o qh3-w2 -j NFQUEUE --queue-num 0\n"
            "-A FORWARD -i qh3-w2 -o qh3-w1 -j NFQUEUE --queue-num 1\n"
            "COMMIT\n");
}

TEST(LabScriptsTest, RateShapesOnTheWayIntoTheDestinationBySourcePrefix) {
  const Topology topology = Load();
  // 100 Mbit/s for 12 ms is 150,000 bytes: 100 packets of 1,500.
  EXPECT_EQ(ShapingScript(topology, 2),
            "qdisc add dev qh3-w2 root handle 1: stab overhead -14 htb default 0\n"
            "class add dev qh3-w2 parent 1: classid 1:1 htb rate 100000000bit ceil 100000000bit "
            "quantum 1514\n"
            "qdisc add dev qh3-w2 parent 1:1 handle 101: pfifo limit 100\n"
            "filter add dev qh3-w2 parent 1: protocol ip prio 1 u32 match ip src 10.77.1.0/24 "
            "flowid 1:1\n"
            "filter add dev qh3-w2 parent 1: protocol ipv6 prio 2 u32 match ip6 src "
            "fd00:6c6d:0:1::/64 flowid 1:1\n");
  EXPECT_EQ(ShapingScript(topology, 1), "") << "no rate into Xining: no qdisc";
}

TEST(LabScriptsTest, QueueLimitHasAFloor) {
  LinkProperties properties;
  properties.rate = Bandwidth{1'000'000};
  properties.queue = std::chrono::milliseconds(1);
  EXPECT_EQ(QueueLimitPackets(properties, 1500), 4);
}

}  // namespace
}  // namespace linkmon::lab
