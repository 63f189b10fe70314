#include "lab/cli/status_report.h"

#include <fmt/format.h>

#include "lab/topology/naming.h"

namespace linkmon::lab {

namespace {

nlohmann::json Sites(const Topology& topology) {
  nlohmann::json sites = nlohmann::json::array();
  for (const Site& site : topology.sites) {
    sites.push_back({{"name", site.name.str()},
                     {"index", site.index},
                     {"namespace", SiteNamespace(topology.name, site)},
                     {"interface", SiteInterface(topology.name, site.index)},
                     {"ipv4", SiteIpv4(site.index)},
                     {"ipv6", SiteIpv6(site.index)},
                     {"gateway_ipv4", RouterIpv4(site.index)},
                     {"gateway_ipv6", RouterIpv6(site.index)},
                     {"unprivileged_icmp", site.unprivileged_icmp}});
  }
  return sites;
}

// The directions as configured, for a lab that is not up.
nlohmann::json ConfiguredDirections(const Topology& topology) {
  nlohmann::json directions = nlohmann::json::array();
  for (std::size_t k = 0; k < topology.directions.size(); ++k) {
    const Direction& d = topology.directions[k];
    directions.push_back({{"from", topology.SiteAt(d.from).name.str()},
                          {"to", topology.SiteAt(d.to).name.str()},
                          {"queue", k},
                          {"properties", ToJson(d.properties)},
                          {"description", Describe(d.properties)}});
  }
  return directions;
}

}  // namespace

nlohmann::json StatusJson(const Topology& topology, const nlohmann::json* live,
                          const std::vector<std::string>& namespaces) {
  nlohmann::json out = {{"lab", topology.name},
                        {"up", live != nullptr},
                        {"namespaces", namespaces},
                        {"wan_namespace", WanNamespace(topology.name)},
                        {"sites", Sites(topology)}};
  if (live != nullptr) {
    out["emulator_pid"] = live->value("pid", 0);
    out["wake_lead_ns"] = live->value("wake_lead_ns", 0);
    out["overruns"] = live->value("overruns", 0);
    out["loop"] = live->value("loop", nlohmann::json::object());
    out["directions"] = live->value("directions", nlohmann::json::array());
  } else {
    out["directions"] = ConfiguredDirections(topology);
  }
  return out;
}

std::string FormatStatus(const Topology& topology, const nlohmann::json* live) {
  std::string out;
  if (live != nullptr) {
    out += fmt::format("lab {}: up, emulator pid {}, wake lead {}us\n", topology.name,
                       live->value("pid", 0), live->value("wake_lead_ns", 0) / 1000);
  } else {
    out += fmt::format("lab {}: not up\n", topology.name);
  }
  out += fmt::format("  {:<12} {:<20} {:<12} {}\n", "SITE", "NAMESPACE", "IPV4", "IPV6");
  for (const Site& site : topology.sites) {
    out +=
        fmt::format("  {:<12} {:<20} {:<12} {}\n", site.name.str(),
                    SiteNamespace(topology.name, site), SiteIpv4(site.index), SiteIpv6(site.index));
  }
  const nlohmann::json directions = live != nullptr
                                        ? live->value("directions", nlohmann::json::array())
                                        : ConfiguredDirections(topology);
  out += fmt::format("  {:<24} {:<10} {:<10} {}\n", "DIRECTION", "PACKETS", "LOST", "PROPERTIES");
  for (const auto& d : directions) {
    const nlohmann::json counters = d.value("counters", nlohmann::json::object());
    out += fmt::format("  {:<24} {:<10} {:<10} {}\n",
                       d.value("from", std::string()) + " -> " + d.value("to", std::string()),
                       counters.value("received", 0), counters.value("lost", 0),
                       d.value("description", std::string()));
  }
  return out;
}

}  // namespace linkmon::lab
