#include "config/yaml/mapping_reader.h"

#include <algorithm>

#include "config/yaml/suggest.h"

namespace linkmon::config::yaml {

MappingReader::MappingReader(const Node& node, Diagnostics& diagnostics, std::string what)
    : MappingReader(node, diagnostics, std::move(what), /*allow_null=*/false) {}

MappingReader MappingReader::AllowingEmpty(const Node& node, Diagnostics& diagnostics,
                                           std::string what) {
  return MappingReader(node, diagnostics, std::move(what), /*allow_null=*/true);
}

MappingReader::MappingReader(const Node& node, Diagnostics& diagnostics, std::string what,
                             bool allow_null)
    : node_(node), diagnostics_(diagnostics), what_(std::move(what)) {
  is_mapping_ = node.is_mapping() || (allow_null && node.is_null());
  if (!is_mapping_) {
    diagnostics_.Error(
        node, what_ + ": expected a mapping, got " + std::string(NodeKindName(node.kind())));
  }
}

void MappingReader::Allow(std::string_view key) {
  if (std::find(known_keys_.begin(), known_keys_.end(), key) == known_keys_.end()) {
    known_keys_.emplace_back(key);
  }
}

const Node* MappingReader::Find(std::string_view key) {
  Allow(key);
  if (!is_mapping_) return nullptr;
  return node_.Find(key);
}

const Node* MappingReader::Require(std::string_view key) {
  const Node* value = Find(key);
  if (value == nullptr && is_mapping_) {
    diagnostics_.Error(node_, what_ + ": missing required key '" + std::string(key) + "'");
  }
  return value;
}

void MappingReader::RejectUnknownKeys() {
  if (!is_mapping_) return;
  for (const auto& entry : node_.entries()) {
    const std::string& key = entry.key.scalar();
    if (std::find(known_keys_.begin(), known_keys_.end(), key) != known_keys_.end()) continue;
    std::string hint = DidYouMean(key, known_keys_);
    if (hint.empty()) hint = "; expected one of: " + JoinNames(known_keys_);
    diagnostics_.Error(entry.key, what_ + ": unknown key '" + key + "'" + hint);
  }
}

}  // namespace linkmon::config::yaml
