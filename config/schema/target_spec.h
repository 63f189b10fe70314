#pragma once

// The per-target settings as written at one level of the file, before defaults are applied:
// built-in defaults <- probe.target_defaults <- probes.SITE.target_defaults <- the target itself.
// Each setting remembers the node it came from, so that a check made after merging (timeout
// longer than interval) points at the line that set the offending value.

#include <chrono>
#include <optional>
#include <vector>

#include "common/ids.h"
#include "config/config.h"
#include "config/yaml/yaml_reader.h"

namespace linkmon::config::schema {

template <typename T>
struct Setting {
  T value;
  yaml::Node node;
};

struct TargetSpec {
  std::optional<Setting<std::vector<Method>>> methods;
  std::optional<Setting<std::chrono::nanoseconds>> interval;
  std::optional<Setting<std::chrono::nanoseconds>> timeout;
  std::optional<Setting<int>> packet_size;
  std::optional<Setting<int>> dscp;
  std::optional<Setting<SlaClassName>> sla_class;
  std::optional<Setting<StampSettings>> stamp;
  std::optional<Setting<TcpSettings>> tcp;
  std::optional<Setting<DnsSettings>> dns;
  std::optional<Setting<ThroughputSettings>> throughput;
  std::optional<Setting<PassiveSettings>> passive;
};

// The keys ReadTargetSpec reads, for did-you-mean in target mappings.
inline constexpr const char* kTargetSettingKeys[] = {
    "methods", "interval", "timeout", "packet_size", "dscp",   "sla_class",
    "stamp",   "tcp",      "dns",     "throughput",  "passive"};

// Reads the settings keys above from `map` (the caller reads the other keys and rejects unknown
// ones). SLA class names are checked for syntax only here; existence is checked on merge.
TargetSpec ReadTargetSpec(yaml::MappingReader& map, yaml::Diagnostics& diagnostics);

// `over`'s settings where present, else `base`'s. Per-method blocks (tcp: {...}) replace whole.
TargetSpec MergeTargetSpecs(const TargetSpec& base, const TargetSpec& over);

}  // namespace linkmon::config::schema
