#include "config/load.h"

#include "config/schema/schema.h"
#include "config/yaml/yaml_reader.h"

namespace linkmon::config {

namespace {

using yaml::Diagnostics;
using yaml::MappingReader;
using yaml::Node;

constexpr int kSupportedVersion = 1;

// A site with reflector: true needs the reflector settings that every probe shares.
void CheckReflectorSites(const Node& root, const Config& config, Diagnostics& diagnostics) {
  if (config.probe.reflector) return;
  const Node* sites = root.Find("sites");
  for (const Site& site : config.sites) {
    if (!site.reflector) continue;
    const Node* site_node = sites ? sites->Find(site.name.str()) : nullptr;
    const Node* at = site_node ? site_node->Find("reflector") : nullptr;
    diagnostics.Error(at ? *at : root,
                      "reflector: site '" + site.name.str() +
                          "' runs a reflector, but there is no probe.reflector section (listen "
                          "address, allowed sources)");
  }
}

// Probes upload to the collector: one configured probe makes collector_url necessary.
void CheckCollectorUrl(const Node& root, const Config& config, Diagnostics& diagnostics) {
  if (config.probes.empty() || config.probe.collector_url) return;
  const Node* probe = root.Find("probe");
  if (probe != nullptr && probe->Find("collector_url") != nullptr) return;  // reported as bad
  diagnostics.Error(probe && probe->is_mapping() ? *probe : *root.Find("probes"),
                    "probe: missing required key 'collector_url' (where probes upload)");
}

Config ReadConfig(const Node& root, schema::LoadContext& context) {
  Diagnostics& diagnostics = context.diagnostics;
  Config config;
  MappingReader top(root, diagnostics, "config");
  if (!top.is_mapping()) return config;
  if (const Node* version = top.Find("version")) {
    auto value = yaml::IntegerValue<int>{}(*version, diagnostics, "version");
    if (value && *value != kSupportedVersion) {
      diagnostics.Error(*version, "version: this build reads config version " +
                                      std::to_string(kSupportedVersion) + ", not " +
                                      std::to_string(*value));
    }
  }

  // Dependency order (schema/schema.h), whatever the order in the file.
  if (const Node* sites = top.Require("sites")) schema::ReadSites(*sites, context, config);
  if (const Node* groups = top.Find("hub_groups")) schema::ReadHubGroups(*groups, context, config);
  const Node* collector = top.Find("collector");
  const Node collector_node = collector ? *collector : Node();
  schema::ReadCollector(collector_node, context, config);
  if (const Node* classes = top.Require("sla_classes")) {
    schema::ReadSlaClasses(*classes, context, config);
  }
  schema::TargetSpec target_defaults;
  const Node* probe = top.Find("probe");
  schema::ReadProbeSettings(probe ? *probe : Node(), context, config, target_defaults);
  if (const Node* probes = top.Find("probes")) {
    schema::ReadProbes(*probes, context, target_defaults, config);
  }
  schema::ReadCollectorTokens(collector_node, context, config);
  top.RejectUnknownKeys();

  CheckReflectorSites(root, config, diagnostics);
  CheckCollectorUrl(root, config, diagnostics);
  return config;
}

ConfigResult Finish(const std::optional<Node>& root, Diagnostics& diagnostics,
                    std::filesystem::path base_dir) {
  Config config;
  if (root) {
    schema::LoadContext context{.diagnostics = diagnostics, .base_dir = std::move(base_dir)};
    config = ReadConfig(*root, context);
  }
  if (!diagnostics.empty()) return tl::unexpected(diagnostics.Sorted());
  return config;
}

}  // namespace

ConfigResult LoadConfigFile(const std::filesystem::path& path) {
  Diagnostics diagnostics;
  auto root = yaml::LoadYamlFile(path, diagnostics);
  std::error_code error;
  auto absolute = std::filesystem::absolute(path, error);
  return Finish(root, diagnostics, (error ? path : absolute).parent_path());
}

ConfigResult LoadConfigString(std::string_view text, std::string_view file_name) {
  Diagnostics diagnostics;
  auto root = yaml::ParseYaml(text, file_name, diagnostics);
  return Finish(root, diagnostics, std::filesystem::path(file_name).parent_path());
}

}  // namespace linkmon::config
