#pragma once

// linkmon::yaml_reader: a schema-independent layer over yaml-cpp for reading config files that
// people write, reporting EVERY problem as "file:line:column: message" (1-based, as editors count)
// instead of stopping at the first. linkmon's config (config/config.h) and the lab's topology
// files are both read with it.
//
// The pieces, each in its own header:
//   parse.h          ParseYaml(text, file_name, diagnostics) / LoadYamlFile(path, diagnostics):
//                    YAML text -> Node tree. yaml-cpp syntax errors become diagnostics at their
//                    position; duplicate keys, non-scalar keys and tags are reported; limits on
//                    size, nesting and alias expansion keep hostile files harmless.
//   node.h           Node: immutable tree (null, scalar, sequence, mapping) with a Position on
//                    every node; mappings keep file order.
//   diagnostics.h    Diagnostic / Diagnostics: the collected problems, sorted by position.
//   mapping_reader.h MappingReader: reads a fixed-schema mapping key by key, reports missing
//                    required keys, wrong node types and unknown keys with "did you mean 'x'?".
//   values.h         typed scalar readers with bounds: StringValue, BoolValue, IntegerValue<T>,
//                    DurationValue, RatioValue, BandwidthValue, ByteSizeValue (units from
//                    common/units.h), NameValue<Tag> (common/ids.h), IpAddressValue,
//                    IpPrefixValue, SocketAddressValue, EnumValue<T>, and ReadSequence /
//                    SequenceValue for lists of any of them.
//   suggest.h        EditDistance / ClosestMatch / DidYouMean for misspelt names.
//
// A typical reader:
//
//   Diagnostics diagnostics;
//   std::optional<Node> root = LoadYamlFile(path, diagnostics);
//   if (!root) return diagnostics;                   // not YAML at all; positions say where
//   MappingReader top(*root, diagnostics, "topology");
//   std::chrono::nanoseconds delay{0};
//   top.Read("delay", delay, DurationValue{.max = std::chrono::seconds(10)});
//   if (const Node* links = top.Require("links")) {
//     for (const Node& link : links->items()) { MappingReader l(link, diagnostics, "link"); ... }
//   }
//   top.RejectUnknownKeys();
//   for (const auto& line : diagnostics.SortedStrings()) std::cerr << line << '\n';
//
// Nothing here throws: problems go to Diagnostics, values come back as std::optional.

#include "config/yaml/diagnostics.h"
#include "config/yaml/mapping_reader.h"
#include "config/yaml/node.h"
#include "config/yaml/parse.h"
#include "config/yaml/position.h"
#include "config/yaml/suggest.h"
#include "config/yaml/values.h"
