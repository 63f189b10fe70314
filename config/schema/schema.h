#pragma once

// The readers of each top-level section of the config file (internal to linkmon::config; the
// public entry points are in config/load.h). Each reads its section into `config`, reporting every
// problem to `context.diagnostics`, and checks what can be checked there. Sections are read in
// dependency order, whatever their order in the file:
//   sites -> hub_groups -> collector -> sla_classes -> probe -> probes -> collector tokens
// so that each reader can resolve references to what came before (an SLA window must be one of
// the collector's windows, a target's class must exist, ...).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/schema/target_spec.h"
#include "config/yaml/yaml_reader.h"

namespace linkmon::config::schema {

struct LoadContext {
  yaml::Diagnostics& diagnostics;
  std::filesystem::path base_dir;  // relative file paths in the config resolve against it
};

void ReadSites(const yaml::Node& node, LoadContext& context, Config& config);
void ReadHubGroups(const yaml::Node& node, LoadContext& context, Config& config);
// Everything but `tokens`, which needs the probes (ReadCollectorTokens).
void ReadCollector(const yaml::Node& node, LoadContext& context, Config& config);
void ReadSlaClasses(const yaml::Node& node, LoadContext& context, Config& config);
// Also returns the file-wide target_defaults.
void ReadProbeSettings(const yaml::Node& node, LoadContext& context, Config& config,
                       TargetSpec& target_defaults);
void ReadProbes(const yaml::Node& node, LoadContext& context, const TargetSpec& target_defaults,
                Config& config);
// `collector_node` is the collector section (null when absent).
void ReadCollectorTokens(const yaml::Node& collector_node, LoadContext& context, Config& config);

// A file path: a non-empty string, made absolute against LoadContext::base_dir when relative.
struct PathValue {
  const std::filesystem::path* base_dir = nullptr;
  std::optional<std::string> operator()(const yaml::Node& node, yaml::Diagnostics& diagnostics,
                                        std::string_view what) const;
};

// A label value such as a region: the same rules as names (common/ids.h).
struct LabelValue {
  std::optional<std::string> operator()(const yaml::Node& node, yaml::Diagnostics& diagnostics,
                                        std::string_view what) const;
};

// "1m, 5m, 1h"
std::string FormatDurations(const std::vector<std::chrono::nanoseconds>& values);

template <typename T>
std::vector<std::string> NamesOf(const std::vector<T>& items) {
  std::vector<std::string> names;
  names.reserve(items.size());
  for (const auto& item : items) names.push_back(item.name.str());
  return names;
}

}  // namespace linkmon::config::schema
