#pragma once

// A parsed YAML document as an immutable tree that remembers where every node starts.
//
// Why not YAML::Node: yaml-cpp's nodes silently keep both copies of a duplicated key, cannot say
// whether a scalar was quoted, and carry 0-based marks (null values even carry the mark of the
// *next* token). This tree is built once from yaml-cpp's parser events (parse.cpp) with those
// problems settled: positions are 1-based, duplicate keys are reported and dropped, every mapping
// key is a scalar.
//
// Memory: a file of 10,000 targets has ~50,000 nodes, and the tree is alive while the Config is
// built from it, so its size is most of the config loader's peak. All nodes of one file live in
// one tree (node.cpp) that holds the file name once, and a node costs its text (scalars; a
// mapping key's text is held once per tree) or its children (sequences, mappings) plus 16 bytes.
// The tree is freed with the last Node handle that refers to any of its nodes: a Node copied out of
// the tree (or a child reached from it) stays valid after the root and the parser are gone. Copying
// a Node is cheap (a reference count), which is also how YAML aliases are represented without
// copying their subtree.
//
// Thread-safety: as std::shared_ptr; handles of one tree may be copied and dropped in any thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/yaml/position.h"

namespace linkmon::config::yaml {

enum class NodeKind { kNull, kScalar, kSequence, kMapping };

// "an empty value", "a scalar", "a sequence", "a mapping": for "expected X, got Y" messages.
std::string_view NodeKindName(NodeKind kind);

struct MappingEntry;
class NodeFactory;

namespace detail {
struct NodeRecord;  // one node's kind, position and value (node.cpp)
struct NodeTree;    // the records and file name of one parsed file (node.cpp)
}  // namespace detail

class Node {
 public:
  // A null node without position (what an absent document reads as).
  Node() = default;
  Node(const Node& other);
  Node(Node&& other) noexcept;
  Node& operator=(Node other) noexcept;
  ~Node();

  NodeKind kind() const;
  bool is_null() const { return kind() == NodeKind::kNull; }
  bool is_scalar() const { return kind() == NodeKind::kScalar; }
  bool is_sequence() const { return kind() == NodeKind::kSequence; }
  bool is_mapping() const { return kind() == NodeKind::kMapping; }

  // `file` points at the tree's file name, valid as long as this node (or any of its tree) is.
  Position position() const;

  // The scalar's text with quotes removed and escapes resolved; empty for other kinds.
  const std::string& scalar() const;
  // Written without quotes or block indicator (20, yes), as opposed to "20" or |.
  bool plain() const;

  // A sequence's items in file order; empty for other kinds.
  const std::vector<Node>& items() const;
  // A mapping's entries in file order; empty for other kinds.
  const std::vector<MappingEntry>& entries() const;
  // The value under a scalar key, or nullptr.
  const Node* Find(std::string_view key) const;

 private:
  friend class NodeFactory;
  using Record = detail::NodeRecord;

  // A handle that keeps its tree alive, or (kInTree) one stored inside the tree, as a parent's
  // item or entry, which must not: the tree would then own itself. References to handles in the
  // tree (items(), Find()) are valid while the parent is; every copy is a keeping handle.
  static constexpr std::uintptr_t kInTree = 1;

  Node(const Record* record, bool keeps_tree);
  const Record* record() const { return reinterpret_cast<const Record*>(bits_ & ~kInTree); }
  bool keeps_tree() const { return bits_ != 0 && (bits_ & kInTree) == 0; }
  void Release();

  // The record's address (8-byte aligned, so its lowest bit is free) | kInTree. 0: no record.
  std::uintptr_t bits_ = 0;
};

struct MappingEntry {
  Node key;
  Node value;
};

// Makes the nodes of one tree; the parser's side of Node. The nodes it makes outlive it. Positions
// given to it are those of its own file (file()); their `file` member is not stored per node.
class NodeFactory {
 public:
  explicit NodeFactory(std::string file_name);
  NodeFactory(const NodeFactory&) = delete;
  NodeFactory& operator=(const NodeFactory&) = delete;
  ~NodeFactory();

  // The tree's copy of the file name, valid while this factory or any node it made lives.
  const std::string& file() const;

  Node Null(const Position& position);
  Node Scalar(const Position& position, std::string value, bool plain);
  // A scalar that is a mapping key: the same as Scalar(), but its text is stored once per tree
  // however many mappings use it (a key record is 24 bytes, a scalar's 48).
  Node Key(const Position& position, std::string value, bool plain);
  // Items and entries must be nodes of this factory; their vectors are kept as passed (build them
  // at their final size: a config has tens of thousands of small mappings).
  Node Sequence(const Position& position, std::vector<Node> items);
  // Keys are expected to be scalars and unique (the parser guarantees it).
  Node Mapping(const Position& position, std::vector<MappingEntry> entries);

 private:
  // Turns a keeping handle of this tree into one stored inside it.
  void Adopt(Node& child) const;

  detail::NodeTree* tree_;
};

}  // namespace linkmon::config::yaml
