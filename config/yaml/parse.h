#pragma once

// Reads YAML text into a Node tree (node.h), turning every syntax problem into a diagnostic
// instead of an exception.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string_view>

#include "config/yaml/diagnostics.h"
#include "config/yaml/node.h"

namespace linkmon::config::yaml {

// Bounds that keep a hostile or broken file from exhausting memory, stack or time.
struct ParseLimits {
  std::size_t max_bytes = 16 * 1024 * 1024;
  // Nodes after expanding aliases: stops "billion laughs" documents (an alias of an alias of ...).
  std::size_t max_nodes = 1'000'000;
  // Nested sequences and mappings; config files need a handful, yaml-cpp recurses per level.
  int max_depth = 64;
};

// Parses one YAML document. Returns its root (a null node for an empty document), or nullopt when
// the text is not valid YAML or exceeds `limits`; in that case `diagnostics` says where and why.
// Problems that do not stop parsing (duplicate keys, non-scalar keys, tags) are added to
// `diagnostics` and the tree is still returned, without the offending entries.
std::optional<Node> ParseYaml(std::string_view text, std::string_view file_name,
                              Diagnostics& diagnostics, const ParseLimits& limits = {});

// Reads and parses a file. File errors ("cannot open") become whole-file diagnostics. Positions
// name the file as `path` is written.
std::optional<Node> LoadYamlFile(const std::filesystem::path& path, Diagnostics& diagnostics,
                                 const ParseLimits& limits = {});

}  // namespace linkmon::config::yaml
