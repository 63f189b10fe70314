// sites: and hub_groups: — the places linkmon knows, and named sets of them.

#include <algorithm>
#include <map>

#include "config/schema/schema.h"

namespace linkmon::config::schema {

namespace {

using yaml::Diagnostics;
using yaml::MappingReader;
using yaml::Node;

std::string PositionText(const yaml::Position& position) {
  return "line " + std::to_string(position.line) + ", column " + std::to_string(position.column);
}

// A site and, for each of its addresses, the node that wrote it.
struct ReadSiteResult {
  Site site;
  std::vector<Node> address_nodes;
};

ReadSiteResult ReadSite(const SiteName& name, const Node& node, LoadContext& context) {
  Diagnostics& diagnostics = context.diagnostics;
  MappingReader map(node, diagnostics, "site '" + name.str() + "'");
  Site site{.name = name, .region = {}, .description = {}, .addresses = {}, .reflector = false};
  std::vector<Node> address_nodes;
  map.ReadRequired("region", site.region, LabelValue{});
  map.Read("description", site.description, yaml::StringValue{.allow_empty = true});
  map.Read("reflector", site.reflector, yaml::BoolValue{});
  if (const Node* addresses = map.Find("addresses")) {
    if (yaml::ReadSequence(*addresses, diagnostics, "addresses", yaml::IpAddressValue{})) {
      for (std::size_t i = 0; i < addresses->items().size(); ++i) {
        const Node& item = addresses->items()[i];
        boost::system::error_code error;
        auto address = boost::asio::ip::make_address(item.scalar(), error);
        if (error) continue;  // reported by ReadSequence
        if (std::find(site.addresses.begin(), site.addresses.end(), address) !=
            site.addresses.end()) {
          diagnostics.Error(item, "addresses[" + std::to_string(i) + "]: " + address.to_string() +
                                      " is listed twice");
          continue;
        }
        site.addresses.push_back(address);
        address_nodes.push_back(item);
      }
    }
  }
  map.RejectUnknownKeys();
  return ReadSiteResult{std::move(site), std::move(address_nodes)};
}

}  // namespace

void ReadSites(const Node& node, LoadContext& context, Config& config) {
  Diagnostics& diagnostics = context.diagnostics;
  MappingReader sites(node, diagnostics, "sites");
  if (!sites.is_mapping()) return;
  if (node.entries().empty()) {
    diagnostics.Error(node, "sites: define at least one site");
    return;
  }
  // Two sites with one address would make every measurement of one look like the other's.
  std::map<boost::asio::ip::address, std::pair<std::string, yaml::Position>> owners;
  for (const auto& entry : node.entries()) {
    auto name = yaml::NameValue<SiteTag>{}(entry.key, diagnostics, "sites");
    if (!name) continue;
    // A site with mistakes is still registered under its name, so that references to it do not
    // add "unknown site" to the real problem.
    auto read = ReadSite(*name, entry.value, context);
    for (std::size_t i = 0; i < read.site.addresses.size(); ++i) {
      const auto& address = read.site.addresses[i];
      const Node& at = read.address_nodes[i];
      auto [it, inserted] = owners.emplace(address, std::make_pair(name->str(), at.position()));
      if (!inserted) {
        diagnostics.Error(at, "site '" + name->str() + "': address " + address.to_string() +
                                  " already belongs to site '" + it->second.first + "' (" +
                                  PositionText(it->second.second) + ")");
      }
    }
    config.sites.push_back(std::move(read.site));
  }
}

void ReadHubGroups(const Node& node, LoadContext& context, Config& config) {
  Diagnostics& diagnostics = context.diagnostics;
  MappingReader groups(node, diagnostics, "hub_groups");
  if (!groups.is_mapping()) return;
  const std::vector<std::string> site_names = NamesOf(config.sites);
  for (const auto& entry : node.entries()) {
    auto name = yaml::NameValue<HubGroupTag>{}(entry.key, diagnostics, "hub_groups");
    if (!name) continue;
    const std::string what = "hub group '" + name->str() + "'";
    HubGroup group{.name = *name, .sites = {}};
    if (!entry.value.is_sequence()) {
      diagnostics.Error(entry.value, what + ": expected a sequence of site names, got " +
                                         std::string(yaml::NodeKindName(entry.value.kind())));
    } else if (entry.value.items().empty()) {
      diagnostics.Error(entry.value, what + ": lists no sites");
    }
    for (const Node& item : entry.value.items()) {
      auto site = yaml::NameValue<SiteTag>{}(item, diagnostics, what);
      if (!site) continue;
      if (config.FindSite(*site) == nullptr) {
        diagnostics.Error(item, what + ": unknown site '" + site->str() + "'" +
                                    yaml::DidYouMean(site->str(), site_names));
        continue;
      }
      if (std::find(group.sites.begin(), group.sites.end(), *site) != group.sites.end()) {
        diagnostics.Error(item, what + ": site '" + site->str() + "' is listed twice");
        continue;
      }
      group.sites.push_back(*site);
    }
    config.hub_groups.push_back(std::move(group));
  }
}

}  // namespace linkmon::config::schema
