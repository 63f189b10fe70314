#include "config/config.h"

#include <algorithm>

namespace linkmon::config {

namespace {

template <typename T, typename Key, typename Projection>
const T* FindBy(const std::vector<T>& items, const Key& key, Projection projection) {
  auto it = std::find_if(items.begin(), items.end(),
                         [&](const T& item) { return projection(item) == key; });
  return it == items.end() ? nullptr : &*it;
}

}  // namespace

const Site* Config::FindSite(const SiteName& name) const {
  return FindBy(sites, name, [](const Site& site) { return site.name; });
}

const HubGroup* Config::FindHubGroup(const HubGroupName& name) const {
  return FindBy(hub_groups, name, [](const HubGroup& group) { return group.name; });
}

const SlaClass* Config::FindSlaClass(const SlaClassName& name) const {
  return FindBy(sla_classes, name, [](const SlaClass& sla) { return sla.name; });
}

const ProbeSite* Config::FindProbe(const SiteName& site) const {
  return FindBy(probes, site, [](const ProbeSite& probe_site) { return probe_site.site; });
}

}  // namespace linkmon::config
