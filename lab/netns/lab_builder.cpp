#include "lab/netns/lab_builder.h"

#include <string>
#include <vector>

#include "lab/netns/command.h"
#include "lab/netns/lab_scripts.h"
#include "lab/netns/netns_scope.h"
#include "lab/topology/naming.h"

namespace linkmon::lab {

namespace {

// Kernel defaults for a new namespace, except where the lab needs otherwise.
Status ConfigureNamespace(const std::string& ns,
                          const std::vector<std::pair<std::string, std::string>>& sysctls) {
  auto scope = NetnsScope::Enter(ns);
  if (!scope) return tl::unexpected(scope.error());
  for (const auto& [name, value] : sysctls) {
    if (auto written = WriteSysctl(name, value); !written) {
      return MakeError(written.error().code, ns + ": " + written.error().message);
    }
  }
  return {};
}

Status RunIn(const std::string& ns, const std::string& tool, const std::string& script) {
  if (script.empty()) return {};
  auto ran = RunCommand({tool, "-n", ns, "-batch", "-"}, script);
  if (!ran) return tl::unexpected(ran.error());
  return {};
}

Status LoadFirewall(const std::string& ns, const std::string& rules) {
  for (const char* tool : {"iptables-restore", "ip6tables-restore"}) {
    auto ran = RunCommand({"ip", "netns", "exec", ns, tool}, rules);
    if (!ran) return tl::unexpected(ran.error());
  }
  return {};
}

}  // namespace

Status BuildLab(const Topology& topology, const std::function<bool()>& interrupted) {
  const std::string wan = WanNamespace(topology.name);
  auto step = [&](Status status) -> Status {
    if (!status) return status;
    if (interrupted()) return MakeError(ErrorCode::kUnavailable, "interrupted");
    return {};
  };

  if (auto ran = RunCommand({"ip", "-batch", "-"}, NamespaceScript(topology)); !ran) {
    return tl::unexpected(ran.error());
  }
  if (interrupted()) return MakeError(ErrorCode::kUnavailable, "interrupted");

  const std::vector<std::pair<std::string, std::string>> no_dad = {
      {"net.ipv6.conf.all.accept_dad", "0"},
      {"net.ipv6.conf.default.accept_dad", "0"},
      {"net.ipv6.conf.all.accept_ra", "0"},
      {"net.ipv6.conf.default.accept_ra", "0"},
  };
  auto wan_sysctls = no_dad;
  // "default" as well as "all": the router's interfaces are created after this, and an IPv6
  // interface without forwarding answers neighbour solicitations as a host, not a router.
  wan_sysctls.insert(wan_sysctls.end(), {{"net.ipv4.ip_forward", "1"},
                                         {"net.ipv6.conf.all.forwarding", "1"},
                                         {"net.ipv6.conf.default.forwarding", "1"},
                                         {"net.ipv4.conf.all.send_redirects", "0"},
                                         {"net.ipv4.conf.default.send_redirects", "0"}});
  if (auto s = step(ConfigureNamespace(wan, wan_sysctls)); !s) return s;

  for (const Site& site : topology.sites) {
    const std::string ns = SiteNamespace(topology.name, site);
    auto sysctls = no_dad;
    if (site.unprivileged_icmp) sysctls.emplace_back("net.ipv4.ping_group_range", "0 2147483647");
    if (auto s = step(ConfigureNamespace(ns, sysctls)); !s) return s;
    if (auto s = step(RunIn(ns, "ip", SiteScript(topology, site))); !s) return s;
  }
  if (auto s = step(RunIn(wan, "ip", WanScript(topology))); !s) return s;
  if (auto s = step(LoadFirewall(wan, FirewallScript(topology))); !s) return s;
  for (const Site& site : topology.sites) {
    if (auto s = step(RunIn(wan, "tc", ShapingScript(topology, site.index))); !s) return s;
  }
  return {};
}

Status ReshapeSite(const Topology& topology, int to_site) {
  const std::string wan = WanNamespace(topology.name);
  // No root qdisc yet is fine: the link may never have had a rate.
  (void)RunCommand(
      {"tc", "-n", wan, "qdisc", "del", "dev", WanInterface(topology.name, to_site), "root"});
  return RunIn(wan, "tc", ShapingScript(topology, to_site));
}

}  // namespace linkmon::lab
