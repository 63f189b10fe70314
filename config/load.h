#pragma once

// Loading linkmon's config: YAML text -> a validated Config, or every problem found, each as
// "file:line:column: message" (1-based), in file order.
//
//   auto config = LoadConfigFile("/etc/linkmon/linkmon.yaml");
//   if (!config) {
//     for (const auto& d : config.error()) std::cerr << d.ToString() << '\n';
//     return kExitConfigError;
//   }
//
// Relative file paths in the config (token files, store, spool, keys) are resolved against the
// config file's directory, so a config and its secrets can move together.

#include <filesystem>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "config/config.h"
#include "config/yaml/diagnostics.h"

namespace linkmon::config {

using ConfigResult = tl::expected<Config, std::vector<yaml::Diagnostic>>;

ConfigResult LoadConfigFile(const std::filesystem::path& path);

// `file_name` names the text in diagnostics; its directory is the base for relative paths.
ConfigResult LoadConfigString(std::string_view text, std::string_view file_name);

}  // namespace linkmon::config
