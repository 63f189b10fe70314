#pragma once

// Reads one YAML mapping whose keys are fixed by a schema: the caller asks for each key it knows,
// then RejectUnknownKeys() reports every other key with a did-you-mean hint. Unknown keys are
// errors, never ignored: a misspelt "dscp" that silently falls back to a default is the kind of
// mistake that makes a lossy path look clean.
//
//   MappingReader map(node, diagnostics, "site 'xining'");
//   map.ReadRequired("region", site.region, StringValue{});
//   map.Read("addresses", site.addresses, SequenceValue<IpAddressValue>{});
//   map.RejectUnknownKeys();
//
// Messages read "<what>: <problem>" with the mapping's `what`, at the offending node:
//   "site 'xining': unknown key 'regoin'; did you mean 'region'?"
//   "site 'xining': missing required key 'region'"
//   "site 'xining': expected a mapping, got a sequence"
// Values are read by the readers of values.h, named by their key.
//
// For mappings whose keys are names chosen by the user ("sites: {xining: ..., haidong: ...}")
// iterate Node::entries() instead; the parser has already refused duplicate keys.

#include <string>
#include <string_view>
#include <vector>

#include "config/yaml/diagnostics.h"
#include "config/yaml/node.h"

namespace linkmon::config::yaml {

class MappingReader {
 public:
  // Reports "<what>: expected a mapping, got ..." when `node` is not a mapping; every lookup then
  // finds nothing. A null node (an empty section, "probe:") is refused too.
  MappingReader(const Node& node, Diagnostics& diagnostics, std::string what);

  // The same, but treats a null node as an empty mapping (a section that may be left empty).
  static MappingReader AllowingEmpty(const Node& node, Diagnostics& diagnostics, std::string what);

  // True for a mapping (or an allowed empty section): lookups are meaningful.
  bool is_mapping() const { return is_mapping_; }
  const Node& node() const { return node_; }
  const std::string& what() const { return what_; }

  // Declares `key` as part of the schema without reading it (for did-you-mean and so that it is
  // not reported as unknown).
  void Allow(std::string_view key);

  // The value under `key`, or nullptr when absent. Declares `key`.
  const Node* Find(std::string_view key);
  // Like Find, and reports "<what>: missing required key '<key>'" at the mapping when absent.
  const Node* Require(std::string_view key);

  // Reads an optional key with `reader` (values.h) into `out`; `out` keeps its default when the
  // key is absent or its value is refused. Returns true when a value was stored.
  template <typename T, typename Reader>
  bool Read(std::string_view key, T& out, const Reader& reader) {
    const Node* value = Find(key);
    return value != nullptr && Store(*value, key, out, reader);
  }

  // Like Read, and reports a missing key.
  template <typename T, typename Reader>
  bool ReadRequired(std::string_view key, T& out, const Reader& reader) {
    const Node* value = Require(key);
    return value != nullptr && Store(*value, key, out, reader);
  }

  // Reports every key not declared by Allow/Find/Require/Read. Call once, after reading.
  void RejectUnknownKeys();

 private:
  MappingReader(const Node& node, Diagnostics& diagnostics, std::string what, bool allow_null);

  template <typename T, typename Reader>
  bool Store(const Node& value, std::string_view key, T& out, const Reader& reader) {
    auto parsed = reader(value, diagnostics_, key);
    if (!parsed) return false;
    out = std::move(*parsed);
    return true;
  }

  Node node_;
  Diagnostics& diagnostics_;
  std::string what_;
  bool is_mapping_ = false;
  std::vector<std::string> known_keys_;
};

}  // namespace linkmon::config::yaml
