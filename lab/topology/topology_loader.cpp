#include "lab/topology/topology_loader.h"

#include <map>
#include <utility>

#include "config/yaml/yaml_reader.h"
#include "lab/topology/naming.h"

namespace linkmon::lab {

namespace {

using config::yaml::BandwidthValue;
using config::yaml::BoolValue;
using config::yaml::Diagnostics;
using config::yaml::DurationValue;
using config::yaml::EnumValue;
using config::yaml::ExpectScalar;
using config::yaml::IntegerValue;
using config::yaml::MappingReader;
using config::yaml::NameValue;
using config::yaml::Node;
using config::yaml::RatioValue;
using config::yaml::StringValue;

constexpr std::chrono::nanoseconds kMaxDuration = std::chrono::seconds(10);

// A plain decimal number ("4", "2.5") at least `min`.
struct DecimalValue {
  int min = 0;
  int max = 1'000'000;
  std::optional<double> operator()(const Node& node, Diagnostics& diagnostics,
                                   std::string_view what) const {
    if (!ExpectScalar(node, diagnostics, what, "a number")) return std::nullopt;
    auto value = ParseDecimal(node.scalar(), what);
    if (!value) {
      diagnostics.Error(node, value.error().message);
      return std::nullopt;
    }
    if (*value < min || *value > max) {
      diagnostics.Error(node, std::string(what) + ": " + node.scalar() + " is outside " +
                                  std::to_string(min) + " .. " + std::to_string(max));
      return std::nullopt;
    }
    return *value;
  }
};

std::optional<GilbertElliott> ReadGilbertElliott(const Node& node, Diagnostics& diagnostics,
                                                 const std::string& what) {
  MappingReader map(node, diagnostics, what);
  GilbertElliott channel;
  Ratio p{channel.p}, r{channel.r}, good{channel.loss_good}, bad{channel.loss_bad};
  bool ok = map.ReadRequired("p", p, RatioValue{});
  ok = map.ReadRequired("r", r, RatioValue{.min = Ratio{1e-9}}) && ok;
  map.Read("loss_good", good, RatioValue{});
  map.Read("loss_bad", bad, RatioValue{});
  map.RejectUnknownKeys();
  if (!ok) return std::nullopt;
  return GilbertElliott{.p = p.value, .r = r.value, .loss_good = good.value, .loss_bad = bad.value};
}

// Reads the link properties of one `links` item; `map` has the item's keys.
LinkProperties ReadLinkProperties(MappingReader& map, Diagnostics& diagnostics,
                                  const std::string& what) {
  LinkProperties properties;
  map.Read("delay", properties.delay, DurationValue{.max = kMaxDuration});
  map.Read("jitter", properties.jitter, DurationValue{.max = kMaxDuration});
  map.Read("jitter_distribution", properties.jitter_distribution,
           EnumValue<JitterDistribution>{{{"uniform", JitterDistribution::kUniform},
                                          {"normal", JitterDistribution::kNormal}}});
  map.Read("loss", properties.loss, RatioValue{});
  map.Read("loss_burst", properties.loss_burst, DecimalValue{.min = 1, .max = 1'000'000});
  if (const Node* ge = map.Find("gilbert_elliott")) {
    properties.gilbert_elliott = ReadGilbertElliott(*ge, diagnostics, what + ".gilbert_elliott");
  }
  map.Read("duplicate", properties.duplicate, RatioValue{});
  map.Read("reorder", properties.reorder, RatioValue{});
  map.Read("reorder_gap", properties.reorder_gap, DurationValue{.max = kMaxDuration});
  map.Read("rate", properties.rate, BandwidthValue{});
  map.Read("queue", properties.queue, DurationValue{.max = kMaxDuration});
  return properties;
}

class TopologyReader {
 public:
  explicit TopologyReader(Diagnostics& diagnostics) : diagnostics_(diagnostics) {}

  std::optional<Topology> Read(const Node& root) {
    MappingReader top(root, diagnostics_, "topology");
    ReadName(top);
    std::int64_t seed = 1;
    if (top.Read("seed", seed, IntegerValue<std::int64_t>{.min = 0})) {
      topology_.seed = static_cast<std::uint64_t>(seed);
    }
    top.Read("mtu", topology_.mtu, IntegerValue<int>{.min = 1280, .max = 9000});
    bool unprivileged_icmp = false;
    top.Read("unprivileged_icmp", unprivileged_icmp, BoolValue{});
    if (const Node* emulator = top.Find("emulator")) {
      MappingReader map(*emulator, diagnostics_, "emulator");
      map.Read("realtime_priority", topology_.emulator.realtime_priority,
               IntegerValue<int>{.min = 0, .max = 99});
      map.Read("release_window", topology_.emulator.release_window,
               DurationValue{.max = std::chrono::milliseconds(1)});
      map.RejectUnknownKeys();
    }
    if (const Node* sites = top.Require("sites")) ReadSites(*sites, unprivileged_icmp);
    if (const Node* links = top.Find("links")) ReadLinks(*links);
    top.RejectUnknownKeys();
    CheckWayBack();
    // Problems the parser reported (a duplicated key) count too: the file is not what it says.
    if (!diagnostics_.empty()) return std::nullopt;
    return std::move(topology_);
  }

 private:
  void ReadName(MappingReader& top) {
    const Node* node = top.Require("name");
    if (node == nullptr) return;
    auto name = StringValue{}(*node, diagnostics_, "name");
    if (!name) return;
    if (!IsValidLabName(*name)) {
      diagnostics_.Error(*node, "name: '" + *name +
                                    "' must be 1-10 characters of a-z and 0-9, starting with a "
                                    "letter (it prefixes every namespace and interface name, and "
                                    "interface names are limited to 15 characters)");
      return;
    }
    topology_.name = *name;
  }

  void ReadSites(const Node& sites, bool default_unprivileged_icmp) {
    MappingReader check(sites, diagnostics_, "sites");
    if (!check.is_mapping()) return;
    for (const auto& entry : sites.entries()) {
      auto name = NameValue<SiteTag>{}(entry.key, diagnostics_, "sites");
      if (!name) continue;
      if (name->str() == kWanSuffix) {
        diagnostics_.Error(entry.key, "sites: 'wan' is reserved for the lab's router namespace");
        continue;
      }
      if (topology_.sites.size() == kMaxSites) {
        diagnostics_.Error(entry.key, "sites: at most 250 sites fit the lab's address plan");
        break;
      }
      Site site{.name = *name,
                .index = static_cast<int>(topology_.sites.size()) + 1,
                .unprivileged_icmp = default_unprivileged_icmp};
      MappingReader map =
          MappingReader::AllowingEmpty(entry.value, diagnostics_, "site '" + name->str() + "'");
      map.Read("unprivileged_icmp", site.unprivileged_icmp, BoolValue{});
      map.RejectUnknownKeys();
      topology_.sites.push_back(std::move(site));
    }
    if (sites.entries().empty()) diagnostics_.Error(sites, "sites: a lab needs at least one site");
  }

  // The index of the site `node` names, or 0 after reporting an unknown one.
  int SiteIndex(const Node& node, const std::string& what) {
    if (!ExpectScalar(node, diagnostics_, what, "a site name")) return 0;
    if (const Site* site = topology_.FindSite(node.scalar())) return site->index;
    std::vector<std::string> names;
    for (const Site& site : topology_.sites) names.push_back(site.name.str());
    diagnostics_.Error(node, what + ": unknown site '" + node.scalar() + "'" +
                                 config::yaml::DidYouMean(node.scalar(), names));
    return 0;
  }

  void ReadLinks(const Node& links) {
    if (!links.is_sequence()) {
      diagnostics_.Error(links, "links: expected a sequence, got " +
                                    std::string(config::yaml::NodeKindName(links.kind())));
      return;
    }
    for (std::size_t i = 0; i < links.items().size(); ++i) {
      const Node& item = links.items()[i];
      const std::string what = "links[" + std::to_string(i) + "]";
      MappingReader map(item, diagnostics_, what);
      if (!map.is_mapping()) continue;
      std::vector<std::pair<int, int>> pairs;
      const Node* between = map.Find("between");
      const Node* from = map.Find("from");
      const Node* to = map.Find("to");
      if (between != nullptr && (from != nullptr || to != nullptr)) {
        diagnostics_.Error(item, what + ": give either 'between' or 'from' and 'to', not both");
      } else if (between != nullptr) {
        if (!between->is_sequence() || between->items().size() != 2) {
          diagnostics_.Error(*between, what + ".between: expected two sites, as [a, b]");
        } else {
          int a = SiteIndex(between->items()[0], what + ".between[0]");
          int b = SiteIndex(between->items()[1], what + ".between[1]");
          if (a != 0 && b != 0) pairs = {{a, b}, {b, a}};
        }
      } else if (from != nullptr || to != nullptr) {
        if (from == nullptr || to == nullptr) {
          diagnostics_.Error(item, what + ": a one-way link needs both 'from' and 'to'");
        } else {
          int a = SiteIndex(*from, what + ".from");
          int b = SiteIndex(*to, what + ".to");
          if (a != 0 && b != 0) pairs = {{a, b}};
        }
      } else {
        diagnostics_.Error(item, what + ": give 'between: [a, b]' or 'from' and 'to'");
      }
      const std::size_t errors_before = diagnostics_.size();
      LinkProperties properties = ReadLinkProperties(map, diagnostics_, what);
      map.RejectUnknownKeys();
      if (diagnostics_.size() == errors_before) {
        if (auto valid = Validate(properties); !valid) {
          diagnostics_.Error(item, what + ": " + valid.error().message);
        }
      }
      for (auto [a, b] : pairs) AddDirection(item, what, a, b, properties);
    }
  }

  void AddDirection(const Node& item, const std::string& what, int from, int to,
                    const LinkProperties& properties) {
    const std::string label =
        topology_.SiteAt(from).name.str() + "->" + topology_.SiteAt(to).name.str();
    if (from == to) {
      diagnostics_.Error(item, what + ": a link from a site to itself (" + label + ")");
      return;
    }
    if (auto it = given_at_.find({from, to}); it != given_at_.end()) {
      diagnostics_.Error(item,
                         what + ": direction " + label + " is already given by " + it->second.what);
      return;
    }
    given_at_.emplace(std::make_pair(from, to), GivenAt{item, what});
    topology_.directions.push_back(Direction{.from = from, .to = to, .properties = properties});
  }

  // Packets need a way back: a one-way link whose reverse is missing would let requests through and
  // lose every reply, which looks like 100% loss rather than a mistake in the file.
  void CheckWayBack() {
    for (const auto& [pair, given] : given_at_) {
      if (given_at_.contains({pair.second, pair.first})) continue;
      const std::string from = topology_.SiteAt(pair.first).name.str();
      const std::string to = topology_.SiteAt(pair.second).name.str();
      diagnostics_.Error(given.node, given.what + ": no link back from " + to + " to " + from +
                                         ", so replies could not return; add {from: " + to +
                                         ", to: " + from + "} or use 'between'");
    }
  }

  struct GivenAt {
    Node node;
    std::string what;
  };

  Diagnostics& diagnostics_;
  Topology topology_;
  std::map<std::pair<int, int>, GivenAt> given_at_;
};

}  // namespace

std::optional<Topology> ParseTopology(std::string_view text, std::string_view file_name,
                                      Diagnostics& diagnostics) {
  std::optional<Node> root = config::yaml::ParseYaml(text, file_name, diagnostics);
  if (!root) return std::nullopt;
  return TopologyReader(diagnostics).Read(*root);
}

std::optional<Topology> LoadTopology(const std::filesystem::path& path, Diagnostics& diagnostics) {
  std::optional<Node> root = config::yaml::LoadYamlFile(path, diagnostics);
  if (!root) return std::nullopt;
  return TopologyReader(diagnostics).Read(*root);
}

}  // namespace linkmon::lab
