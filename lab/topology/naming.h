#pragma once

// How the lab names what it makes, and the addresses it gives. One place, so that `up`, `down`,
// `status` and the tests agree.
//
//   namespaces   <name>-<site> for each site, <name>-wan for the emulator's router in the middle
//   interfaces   <name>-s<i> in site i's namespace, its peer <name>-w<i> in <name>-wan
//                (at most 10 + 2 + 3 = 15 characters: the kernel's IFNAMSIZ limit)
//   IPv4         site i: 10.77.<i>.2/24 on <name>-s<i>, the WAN router 10.77.<i>.1
//   IPv6         site i: fd00:6c6d:0:<i>::2/64 (i in hex), the WAN router fd00:6c6d:0:<i>::1
//   NFQUEUE      direction k (Topology::directions[k]) uses queue number k in <name>-wan
//
// The addresses exist only inside the lab's namespaces (each lab has its own copies), so two labs
// use the same ones without meeting. fd00::/8 is IPv6's unique-local range; 10.0.0.0/8 private.

#include <string>
#include <string_view>

#include "lab/topology/topology.h"

namespace linkmon::lab {

inline constexpr std::size_t kMaxLabNameLength = 10;
inline constexpr int kMaxSites = 250;  // one /24 of 10.77.0.0/16 each, and "-w250" fits IFNAMSIZ
inline constexpr std::string_view kWanSuffix = "wan";

// True for 1-10 characters of [a-z0-9] starting with a letter.
bool IsValidLabName(std::string_view name);

std::string SiteNamespace(std::string_view lab, const Site& site);
std::string WanNamespace(std::string_view lab);
// Every namespace of lab `lab` starts with this ("qh3-").
std::string NamespacePrefix(std::string_view lab);

std::string SiteInterface(std::string_view lab, int site_index);
std::string WanInterface(std::string_view lab, int site_index);

std::string SiteIpv4(int site_index);     // "10.77.3.2"
std::string RouterIpv4(int site_index);   // "10.77.3.1"
std::string SiteIpv4Net(int site_index);  // "10.77.3.0/24"
std::string SiteIpv6(int site_index);     // "fd00:6c6d:0:3::2"
std::string RouterIpv6(int site_index);   // "fd00:6c6d:0:3::1"
std::string SiteIpv6Net(int site_index);  // "fd00:6c6d:0:3::/64"
inline constexpr int kIpv4PrefixLength = 24;
inline constexpr int kIpv6PrefixLength = 64;

}  // namespace linkmon::lab
