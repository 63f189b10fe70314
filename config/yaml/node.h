#pragma once

// A parsed YAML document as an immutable tree that remembers where every node starts.
//
// Why not YAML::Node: yaml-cpp's nodes silently keep both copies of a duplicated key, cannot say
// whether a scalar was quoted, and carry 0-based marks (null values even carry the mark of the
// *next* token). This tree is built once from yaml-cpp's parser events (parse.cpp) with those
// problems settled: positions are 1-based, duplicate keys are reported and dropped, every mapping
// key is a scalar. Copying a Node is cheap (shared, immutable data), which is also how YAML aliases
// are represented without copying their subtree.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/yaml/position.h"

namespace linkmon::config::yaml {

enum class NodeKind { kNull, kScalar, kSequence, kMapping };

// "an empty value", "a scalar", "a sequence", "a mapping": for "expected X, got Y" messages.
std::string_view NodeKindName(NodeKind kind);

struct MappingEntry;

class Node {
 public:
  // A null node without position (what an absent document reads as).
  Node() = default;

  static Node Null(Position position);
  // `plain`: written without quotes or block indicator (20, yes), as opposed to "20" or |.
  static Node Scalar(Position position, std::string value, bool plain);
  static Node Sequence(Position position, std::vector<Node> items);
  // Keys are expected to be scalars and unique (the parser guarantees it).
  static Node Mapping(Position position, std::vector<MappingEntry> entries);

  NodeKind kind() const;
  bool is_null() const { return kind() == NodeKind::kNull; }
  bool is_scalar() const { return kind() == NodeKind::kScalar; }
  bool is_sequence() const { return kind() == NodeKind::kSequence; }
  bool is_mapping() const { return kind() == NodeKind::kMapping; }

  const Position& position() const;

  // The scalar's text with quotes removed and escapes resolved; empty for other kinds.
  const std::string& scalar() const;
  bool plain() const;

  // A sequence's items in file order; empty for other kinds.
  const std::vector<Node>& items() const;
  // A mapping's entries in file order; empty for other kinds.
  const std::vector<MappingEntry>& entries() const;
  // The value under a scalar key, or nullptr.
  const Node* Find(std::string_view key) const;

 private:
  struct Data;
  explicit Node(std::shared_ptr<const Data> data) : data_(std::move(data)) {}

  std::shared_ptr<const Data> data_;
};

struct MappingEntry {
  Node key;
  Node value;
};

}  // namespace linkmon::config::yaml
