#include "lab/topology/topology.h"

namespace linkmon::lab {

const Site* Topology::FindSite(std::string_view site_name) const {
  for (const Site& site : sites) {
    if (site.name.str() == site_name) return &site;
  }
  return nullptr;
}

std::optional<std::size_t> Topology::FindDirection(std::string_view from,
                                                   std::string_view to) const {
  const Site* from_site = FindSite(from);
  const Site* to_site = FindSite(to);
  if (from_site == nullptr || to_site == nullptr) return std::nullopt;
  for (std::size_t i = 0; i < directions.size(); ++i) {
    if (directions[i].from == from_site->index && directions[i].to == to_site->index) return i;
  }
  return std::nullopt;
}

}  // namespace linkmon::lab
