// probes: per probing site, what it measures. Each target names a site, a hub group (one target
// per member) or a host address, with its methods, schedule and SLA class; defaults come from
// probe.target_defaults and the site's own target_defaults.

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <utility>

#include "config/schema/schema.h"

namespace linkmon::config::schema {

namespace {

using namespace std::chrono_literals;
using yaml::Diagnostics;
using yaml::MappingReader;
using yaml::Node;

// Smallest IP packet that carries an unauthenticated STAMP test packet (RFC 8762 §4.2.1: 44
// bytes) over UDP (8) and IPv4 (20) or IPv6 (40).
int MinStampPacketSize(const boost::asio::ip::address& address) {
  return address.is_v4() ? 20 + 8 + 44 : 40 + 8 + 44;
}

std::string MethodList(const std::vector<Method>& methods) {
  std::string out;
  for (Method method : methods) {
    if (!out.empty()) out += ", ";
    out += MethodName(method);
  }
  return out;
}

bool Has(const std::vector<Method>& methods, Method method) {
  return std::find(methods.begin(), methods.end(), method) != methods.end();
}

template <typename T>
const Node& NodeOr(const std::optional<Setting<T>>& setting, const Node& fallback) {
  return setting ? setting->node : fallback;
}

// One entry of a probe's `targets` list, read and checked; Expand() turns it into Targets.
class TargetReader {
 public:
  TargetReader(const ProbeSite& probe, const Node& item, std::string what, LoadContext& context,
               const Config& config)
      : probe_(probe), item_(item), what_(std::move(what)), context_(context), config_(config) {}

  // Reads the entry; returns the targets it stands for (none when it is broken).
  std::vector<Target> Read(const TargetSpec& defaults) {
    Diagnostics& diagnostics = context_.diagnostics;
    MappingReader map(item_, diagnostics, what_);
    if (!map.is_mapping()) return {};
    const Node* site = map.Find("site");
    const Node* hub_group = map.Find("hub_group");
    const Node* host = map.Find("host");
    const Node* name = map.Find("name");
    own_ = ReadTargetSpec(map, diagnostics);
    map.RejectUnknownKeys();
    spec_ = MergeTargetSpecs(defaults, own_);

    const int kinds = (site != nullptr) + (hub_group != nullptr) + (host != nullptr);
    if (kinds == 0) {
      diagnostics.Error(item_, what_ + ": say what to probe: one of site, hub_group or host");
      return {};
    }
    if (kinds > 1) {
      diagnostics.Error(item_, what_ + ": give only one of site, hub_group or host");
      return {};
    }
    if (name != nullptr && host == nullptr) {
      diagnostics.Error(*name,
                        "name: only host targets take a name; site targets are named after "
                        "their site");
    }
    // References are checked even when the settings are broken, so that one run reports both.
    const bool settings_ok = ResolveSettings();
    std::vector<Target> targets = site != nullptr        ? ExpandSite(*site)
                                  : hub_group != nullptr ? ExpandHubGroup(*hub_group)
                                                         : ExpandHost(*host, name);
    if (!settings_ok) return {};
    return targets;
  }

 private:
  // Applies built-in defaults and checks the settings that do not depend on the target's address.
  bool ResolveSettings() {
    Diagnostics& diagnostics = context_.diagnostics;
    bool ok = true;
    base_.methods = spec_.methods ? spec_.methods->value : std::vector<Method>{Method::kIcmp};
    methods_node_ = NodeOr(spec_.methods, item_);
    base_.interval = spec_.interval ? spec_.interval->value : base_.interval;
    // Unset, the timeout is the interval up to 1s: a reply later than that is counted lost.
    base_.timeout = spec_.timeout ? spec_.timeout->value
                                  : std::min<std::chrono::nanoseconds>(1s, base_.interval);
    if (base_.timeout > base_.interval) {
      // As fping warns: once the next probe is out, a late reply blurs loss and reordering.
      diagnostics.Error(NodeOr(spec_.timeout, item_),
                        "timeout: " + yaml::FormatConfigDuration(base_.timeout) +
                            " is longer than interval (" +
                            yaml::FormatConfigDuration(base_.interval) +
                            "); a reply arriving after the next probe is ambiguous");
      ok = false;
    }
    if (spec_.packet_size) base_.packet_size = spec_.packet_size->value;
    if (spec_.dscp) base_.dscp = spec_.dscp->value;

    // Per-method settings written on this target for a method it does not use are a mistake;
    // in target_defaults they are just defaults for targets that do use it.
    auto check_unused = [&](const auto& setting, Method method) {
      if (setting && !Has(base_.methods, method)) {
        diagnostics.Error(setting->node, std::string(MethodName(method)) + ": '" +
                                             std::string(MethodName(method)) +
                                             "' is not in this target's methods (" +
                                             MethodList(base_.methods) + ")");
        ok = false;
      }
    };
    check_unused(own_.stamp, Method::kStamp);
    check_unused(own_.tcp, Method::kTcp);
    check_unused(own_.dns, Method::kDns);
    check_unused(own_.throughput, Method::kThroughput);
    check_unused(own_.passive, Method::kPassive);

    auto require = [&](const auto& setting, auto& out, Method method, std::string_view example) {
      if (!Has(base_.methods, method)) return;
      if (setting) {
        out = setting->value;
      } else {
        diagnostics.Error(methods_node_, what_ + ": method '" + std::string(MethodName(method)) +
                                             "' needs " + std::string(example));
        ok = false;
      }
    };
    require(spec_.tcp, base_.tcp, Method::kTcp, "tcp: {port: PORT}");
    require(spec_.dns, base_.dns, Method::kDns, "dns: {query: NAME}");
    require(spec_.passive, base_.passive, Method::kPassive, "passive: {interface: NAME}");
    if (Has(base_.methods, Method::kStamp)) {
      base_.stamp = spec_.stamp ? spec_.stamp->value : StampSettings{};
    }
    if (Has(base_.methods, Method::kThroughput)) {
      base_.throughput = spec_.throughput ? spec_.throughput->value : ThroughputSettings{};
      const auto& reflector = config_.probe.reflector;
      if (reflector && base_.throughput->rate > reflector->max_throughput) {
        diagnostics.Error(NodeOr(spec_.throughput, methods_node_),
                          "throughput: rate " + FormatBandwidth(base_.throughput->rate) +
                              " is above the reflectors' max_throughput (" +
                              FormatBandwidth(reflector->max_throughput) + ")");
        ok = false;
      }
    }
    return ResolveSlaClass() && ok;
  }

  bool ResolveSlaClass() {
    Diagnostics& diagnostics = context_.diagnostics;
    if (!spec_.sla_class) {
      diagnostics.Error(item_, what_ +
                                   ": no sla_class (set it here, in the probe's target_defaults "
                                   "or in probe.target_defaults)");
      return false;
    }
    const Node& at = spec_.sla_class->node;
    const SlaClass* sla = config_.FindSlaClass(spec_.sla_class->value);
    if (sla == nullptr) {
      diagnostics.Error(
          at, "sla_class: unknown SLA class '" + spec_.sla_class->value.str() + "'" +
                  yaml::DidYouMean(spec_.sla_class->value.str(), NamesOf(config_.sla_classes)));
      return false;
    }
    base_.sla_class = sla->name;
    if (sla->min_bandwidth) {
      const Bandwidth minimum = sla->min_bandwidth->limit;
      if (!base_.throughput && !Has(base_.methods, Method::kPassive)) {
        diagnostics.Error(at, "sla_class: class '" + sla->name.str() + "' sets min_bandwidth, " +
                                  "but no method of this target measures bandwidth (throughput " +
                                  "or passive)");
        return false;
      }
      if (base_.throughput && base_.throughput->rate < minimum) {
        diagnostics.Error(at, "sla_class: class '" + sla->name.str() + "' needs " +
                                  FormatBandwidth(minimum) + ", more than the throughput test " +
                                  "rate (" + FormatBandwidth(base_.throughput->rate) +
                                  ") can show");
        return false;
      }
    }
    return true;
  }

  // Address-dependent checks and the final Target for one destination.
  std::optional<Target> Make(TargetName name, std::optional<SiteName> site,
                             boost::asio::ip::address address, const Node& at) {
    Diagnostics& diagnostics = context_.diagnostics;
    bool ok = true;
    if (Has(base_.methods, Method::kStamp) || Has(base_.methods, Method::kThroughput)) {
      const Method needing =
          Has(base_.methods, Method::kStamp) ? Method::kStamp : Method::kThroughput;
      const Site* target_site = site ? config_.FindSite(*site) : nullptr;
      if (target_site == nullptr) {
        diagnostics.Error(methods_node_, "methods: '" + std::string(MethodName(needing)) +
                                             "' needs a linkmon reflector; a host target has "
                                             "none");
        ok = false;
      } else if (!target_site->reflector) {
        diagnostics.Error(at, "methods: '" + std::string(MethodName(needing)) +
                                  "' needs a linkmon reflector, but site '" + site->str() +
                                  "' has none (set reflector: true on the site)");
        ok = false;
      }
    }
    if (Has(base_.methods, Method::kStamp) && base_.packet_size < MinStampPacketSize(address)) {
      diagnostics.Error(NodeOr(spec_.packet_size, methods_node_),
                        "packet_size: " + std::to_string(base_.packet_size) +
                            " bytes cannot carry a STAMP test packet to " + address.to_string() +
                            " (at least " + std::to_string(MinStampPacketSize(address)) +
                            " bytes)");
      ok = false;
    }
    if (!ok) return std::nullopt;
    Target target = base_;
    target.name = std::move(name);
    target.site = std::move(site);
    target.address = address;
    return target;
  }

  std::optional<Target> ForSite(const SiteName& site_name, const Node& at) {
    const Site* site = config_.FindSite(site_name);
    if (site->addresses.empty()) {
      context_.diagnostics.Error(at, "site '" + site_name.str() + "' has no addresses to probe");
      return std::nullopt;
    }
    return Make(*TargetName::Make(site_name.str()), site_name, site->addresses.front(), at);
  }

  std::vector<Target> ExpandSite(const Node& node) {
    Diagnostics& diagnostics = context_.diagnostics;
    auto site = yaml::NameValue<SiteTag>{}(node, diagnostics, "site");
    if (!site) return {};
    if (config_.FindSite(*site) == nullptr) {
      diagnostics.Error(node, "site: unknown site '" + site->str() + "'" +
                                  yaml::DidYouMean(site->str(), NamesOf(config_.sites)));
      return {};
    }
    if (*site == probe_.site) {
      diagnostics.Error(node, "site: a probe does not measure its own site '" + site->str() + "'");
      return {};
    }
    auto target = ForSite(*site, node);
    if (!target) return {};
    return {std::move(*target)};
  }

  std::vector<Target> ExpandHubGroup(const Node& node) {
    Diagnostics& diagnostics = context_.diagnostics;
    auto name = yaml::NameValue<HubGroupTag>{}(node, diagnostics, "hub_group");
    if (!name) return {};
    const HubGroup* group = config_.FindHubGroup(*name);
    if (group == nullptr) {
      diagnostics.Error(node, "hub_group: unknown hub group '" + name->str() + "'" +
                                  yaml::DidYouMean(name->str(), NamesOf(config_.hub_groups)));
      return {};
    }
    std::vector<Target> targets;
    for (const SiteName& member : group->sites) {
      if (member == probe_.site) continue;  // a probe inside the group measures the others
      if (auto target = ForSite(member, node)) {
        target->via_hub_group = group->name;
        targets.push_back(std::move(*target));
      }
    }
    return targets;
  }

  std::vector<Target> ExpandHost(const Node& host, const Node* name_node) {
    Diagnostics& diagnostics = context_.diagnostics;
    auto address = yaml::IpAddressValue{}(host, diagnostics, "host");
    if (name_node == nullptr) {
      diagnostics.Error(item_, what_ + ": missing required key 'name' (host targets need one)");
      return {};
    }
    auto name = yaml::NameValue<TargetTag>{}(*name_node, diagnostics, "name");
    if (!address || !name) return {};
    if (auto site = SiteName::Make(name->str()); site && config_.FindSite(*site) != nullptr) {
      diagnostics.Error(
          *name_node, "name: '" + name->str() + "' is a site's name; a host target needs its own");
      return {};
    }
    auto target = Make(*name, std::nullopt, *address, host);
    if (!target) return {};
    return {std::move(*target)};
  }

  const ProbeSite& probe_;
  const Node& item_;
  std::string what_;
  LoadContext& context_;
  const Config& config_;
  TargetSpec own_;
  TargetSpec spec_;
  // Filled in by ResolveSettings; name, site and address by Make.
  Target base_{.name = *TargetName::Make("unset"),
               .site = {},
               .via_hub_group = {},
               .address = {},
               .methods = {},
               .sla_class = *SlaClassName::Make("unset"),
               .stamp = {},
               .tcp = {},
               .dns = {},
               .throughput = {},
               .passive = {}};
  Node methods_node_;
};

// A path (target, method) measured twice by one probe would be counted twice. Found by sorting
// the probe's paths rather than through a map of every path: a probe of 10,000 targets had a
// 1 MB map alive beside the YAML tree and the Targets, at the config loader's peak.
void CheckDuplicatePaths(const ProbeSite& probe, const std::vector<const Node*>& target_nodes,
                         Diagnostics& diagnostics) {
  // One path: the target's index and its method's index in Target::methods.
  struct PathRef {
    std::uint32_t target;
    std::uint32_t method;
  };
  const auto method_of = [&](const PathRef& path) {
    return probe.targets[path.target].methods[path.method];
  };
  std::vector<PathRef> paths;
  for (std::size_t i = 0; i < probe.targets.size(); ++i) {
    for (std::size_t m = 0; m < probe.targets[i].methods.size(); ++m) {
      paths.push_back(PathRef{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(m)});
    }
  }
  // Equal paths end up next to each other, the first configured first.
  std::sort(paths.begin(), paths.end(), [&](const PathRef& a, const PathRef& b) {
    const std::string& name_a = probe.targets[a.target].name.str();
    const std::string& name_b = probe.targets[b.target].name.str();
    return std::forward_as_tuple(name_a, method_of(a), a.target) <
           std::forward_as_tuple(name_b, method_of(b), b.target);
  });
  // Each repeat with the first of its path, reported in file order as before.
  std::vector<std::pair<PathRef, PathRef>> repeats;
  for (std::size_t run = 0; run < paths.size();) {
    std::size_t end = run + 1;
    const Target& first = probe.targets[paths[run].target];
    while (end < paths.size() && probe.targets[paths[end].target].name == first.name &&
           method_of(paths[end]) == method_of(paths[run])) {
      repeats.emplace_back(paths[end], paths[run]);
      ++end;
    }
    run = end;
  }
  std::sort(repeats.begin(), repeats.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.target, a.first.method) < std::tie(b.first.target, b.first.method);
  });
  for (const auto& [repeat, first] : repeats) {
    const Target& target = probe.targets[repeat.target];
    const yaml::Position seen = target_nodes[first.target]->position();
    const PathKey key{probe.site, target.name, method_of(repeat)};
    diagnostics.Error(*target_nodes[repeat.target],
                      "path " + key.ToString() + " is already configured at line " +
                          std::to_string(seen.line) + ", column " + std::to_string(seen.column));
  }
}

}  // namespace

void ReadProbes(const Node& node, LoadContext& context, const TargetSpec& target_defaults,
                Config& config) {
  Diagnostics& diagnostics = context.diagnostics;
  MappingReader probes(node, diagnostics, "probes");
  if (!probes.is_mapping()) return;
  for (const auto& entry : node.entries()) {
    auto site = yaml::NameValue<SiteTag>{}(entry.key, diagnostics, "probes");
    if (!site) continue;
    if (config.FindSite(*site) == nullptr) {
      diagnostics.Error(entry.key, "probes: '" + site->str() + "' is not a site" +
                                       yaml::DidYouMean(site->str(), NamesOf(config.sites)));
      continue;
    }
    ProbeSite probe{.site = *site, .targets = {}};
    const std::string what = "probe '" + site->str() + "'";
    MappingReader map(entry.value, diagnostics, what);
    TargetSpec defaults = target_defaults;
    if (const Node* own_defaults = map.Find("target_defaults")) {
      MappingReader defaults_map(*own_defaults, diagnostics, "target_defaults");
      defaults = MergeTargetSpecs(target_defaults, ReadTargetSpec(defaults_map, diagnostics));
      defaults_map.RejectUnknownKeys();
    }
    std::vector<const Node*> target_nodes;
    if (const Node* targets = map.Require("targets")) {
      if (!targets->is_sequence()) {
        diagnostics.Error(*targets, "targets: expected a sequence, got " +
                                        std::string(yaml::NodeKindName(targets->kind())));
      } else if (targets->items().empty()) {
        diagnostics.Error(*targets, what + ": targets is empty; list at least one target");
      }
      // One Target per entry at least (a hub group gives more): without this the vector's last
      // doubling held both copies at once, 10 MB at 10,000 targets, and kept 60 % spare.
      probe.targets.reserve(targets->items().size());
      for (std::size_t i = 0; i < targets->items().size(); ++i) {
        const Node& item = targets->items()[i];
        TargetReader reader(probe, item, what + " targets[" + std::to_string(i) + "]", context,
                            config);
        for (Target& target : reader.Read(defaults)) {
          probe.targets.push_back(std::move(target));
          target_nodes.push_back(&item);
        }
      }
    }
    map.RejectUnknownKeys();
    CheckDuplicatePaths(probe, target_nodes, diagnostics);
    config.probes.push_back(std::move(probe));
  }
}

}  // namespace linkmon::config::schema
