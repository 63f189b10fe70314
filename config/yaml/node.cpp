#include "config/yaml/node.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <deque>
#include <unordered_set>
#include <utility>

namespace linkmon::config::yaml {

namespace detail {

// What every node has. 16 bytes: the tree (for the file name and the reference count) and the
// position, kind and plain flag packed into two words; the kind says which record this is.
struct NodeRecord {
  // Bit-field widths: lines and columns saturate past 2^30 - 1 (a 16 MiB file, ParseLimits'
  // default, has at most 2^24 of either).
  static constexpr std::uint32_t kMaxPosition = (1u << 30) - 1;
  static std::uint32_t Saturated(int value) {
    return static_cast<std::uint32_t>(std::clamp(value, 0, static_cast<int>(kMaxPosition)));
  }

  NodeRecord(NodeTree* owner, const Position& position, NodeKind node_kind, bool is_plain)
      : tree(owner),
        line(Saturated(position.line) & kMaxPosition),
        kind(static_cast<std::uint32_t>(node_kind) & 3u),
        column(Saturated(position.column) & kMaxPosition),
        shared_text(0),
        plain(is_plain ? 1u : 0u) {}

  NodeTree* tree;
  std::uint32_t line : 30;
  std::uint32_t kind : 2;
  std::uint32_t column : 30;
  std::uint32_t shared_text : 1;  // a scalar whose text is shared: a KeyRecord, not a ScalarRecord
  std::uint32_t plain : 1;
};
static_assert(alignof(NodeRecord) > 1, "Node keeps a flag in the lowest bit of a record's address");

// The three shapes a node's value takes, each in its own record type so that a scalar does not
// carry a vector's room, nor a container a string's (a std::variant would be 40 bytes for all).
struct ScalarRecord : NodeRecord {
  ScalarRecord(NodeTree* owner, const Position& position, std::string value, bool is_plain)
      : NodeRecord(owner, position, NodeKind::kScalar, is_plain), text(std::move(value)) {}
  std::string text;
};
// A mapping key: its text is kept once per tree, as keys repeat ("host", "name" of every target).
struct KeyRecord : NodeRecord {
  KeyRecord(NodeTree* owner, const Position& position, const std::string* key, bool is_plain)
      : NodeRecord(owner, position, NodeKind::kScalar, is_plain), text(key) {
    shared_text = 1;
  }
  const std::string* text;
};
struct SequenceRecord : NodeRecord {
  SequenceRecord(NodeTree* owner, const Position& position, std::vector<Node> children)
      : NodeRecord(owner, position, NodeKind::kSequence, true), items(std::move(children)) {}
  std::vector<Node> items;
};
struct MappingRecord : NodeRecord {
  MappingRecord(NodeTree* owner, const Position& position, std::vector<MappingEntry> children)
      : NodeRecord(owner, position, NodeKind::kMapping, true), entries(std::move(children)) {}
  std::vector<MappingEntry> entries;
};

// Records are never moved once made (handles hold their addresses): deques keep them in blocks,
// with no allocation per node. Freed when the last keeping handle (or the factory) lets go.
struct NodeTree {
  explicit NodeTree(std::string file_name) : file(std::move(file_name)) {}

  std::atomic<std::size_t> handles{1};  // the factory's reference
  const std::string file;
  std::deque<NodeRecord> nulls;
  std::deque<ScalarRecord> scalars;
  std::unordered_set<std::string> key_texts;  // node-based: the strings never move
  std::deque<KeyRecord> keys;
  std::deque<SequenceRecord> sequences;
  std::deque<MappingRecord> mappings;
};

}  // namespace detail

namespace {

using detail::KeyRecord;
using detail::MappingRecord;
using detail::NodeTree;
using detail::ScalarRecord;
using detail::SequenceRecord;

void Retain(NodeTree* tree) { tree->handles.fetch_add(1, std::memory_order_relaxed); }

void Unretain(NodeTree* tree) {
  if (tree->handles.fetch_sub(1, std::memory_order_acq_rel) == 1) delete tree;
}

// What accessors return for a node of another kind, or a default-constructed node.
const std::string& NoString() {
  static const std::string kEmpty;
  return kEmpty;
}
const std::vector<Node>& NoItems() {
  static const std::vector<Node> kEmpty;
  return kEmpty;
}
const std::vector<MappingEntry>& NoEntries() {
  static const std::vector<MappingEntry> kEmpty;
  return kEmpty;
}

}  // namespace

std::string_view NodeKindName(NodeKind kind) {
  switch (kind) {
    case NodeKind::kNull:
      return "an empty value";
    case NodeKind::kScalar:
      return "a scalar";
    case NodeKind::kSequence:
      return "a sequence";
    case NodeKind::kMapping:
      return "a mapping";
  }
  return "an unknown node";
}

Node::Node(const Record* record, bool keeps_tree)
    : bits_(reinterpret_cast<std::uintptr_t>(record) | (keeps_tree ? 0 : kInTree)) {
  if (record != nullptr && keeps_tree) Retain(record->tree);
}

Node::Node(const Node& other) : Node(other.record(), /*keeps_tree=*/true) {}

Node::Node(Node&& other) noexcept {
  if (other.keeps_tree()) {
    bits_ = std::exchange(other.bits_, 0);
  } else if (other.bits_ != 0) {
    // A handle inside the tree is only reachable as const; moving it is copying it.
    bits_ = reinterpret_cast<std::uintptr_t>(other.record());
    Retain(other.record()->tree);
  }
}

Node& Node::operator=(Node other) noexcept {
  std::swap(bits_, other.bits_);
  return *this;
}

Node::~Node() { Release(); }

void Node::Release() {
  if (keeps_tree()) Unretain(record()->tree);
  bits_ = 0;
}

NodeKind Node::kind() const {
  return bits_ != 0 ? static_cast<NodeKind>(record()->kind) : NodeKind::kNull;
}

Position Node::position() const {
  if (bits_ == 0) return Position{};
  const Record* r = record();
  return Position{.file = &r->tree->file,
                  .line = static_cast<int>(r->line),
                  .column = static_cast<int>(r->column)};
}

const std::string& Node::scalar() const {
  if (kind() != NodeKind::kScalar) return NoString();
  if (record()->shared_text != 0) return *static_cast<const KeyRecord*>(record())->text;
  return static_cast<const ScalarRecord*>(record())->text;
}

bool Node::plain() const { return bits_ == 0 || record()->plain != 0; }

const std::vector<Node>& Node::items() const {
  if (kind() != NodeKind::kSequence) return NoItems();
  return static_cast<const SequenceRecord*>(record())->items;
}

const std::vector<MappingEntry>& Node::entries() const {
  if (kind() != NodeKind::kMapping) return NoEntries();
  return static_cast<const MappingRecord*>(record())->entries;
}

const Node* Node::Find(std::string_view key) const {
  for (const auto& entry : entries()) {
    if (entry.key.is_scalar() && entry.key.scalar() == key) return &entry.value;
  }
  return nullptr;
}

NodeFactory::NodeFactory(std::string file_name) : tree_(new NodeTree(std::move(file_name))) {}

NodeFactory::~NodeFactory() { Unretain(tree_); }

const std::string& NodeFactory::file() const { return tree_->file; }

Node NodeFactory::Null(const Position& position) {
  return Node(&tree_->nulls.emplace_back(tree_, position, NodeKind::kNull, true), true);
}

Node NodeFactory::Scalar(const Position& position, std::string value, bool plain) {
  return Node(&tree_->scalars.emplace_back(tree_, position, std::move(value), plain), true);
}

Node NodeFactory::Key(const Position& position, std::string value, bool plain) {
  const std::string* text = &*tree_->key_texts.insert(std::move(value)).first;
  return Node(&tree_->keys.emplace_back(tree_, position, text, plain), true);
}

Node NodeFactory::Sequence(const Position& position, std::vector<Node> items) {
  for (Node& item : items) Adopt(item);
  return Node(&tree_->sequences.emplace_back(tree_, position, std::move(items)), true);
}

Node NodeFactory::Mapping(const Position& position, std::vector<MappingEntry> entries) {
  for (MappingEntry& entry : entries) {
    Adopt(entry.key);
    Adopt(entry.value);
  }
  return Node(&tree_->mappings.emplace_back(tree_, position, std::move(entries)), true);
}

void NodeFactory::Adopt(Node& child) const {
  if (child.bits_ == 0) return;  // a default Node: nothing to hold
  assert(child.record()->tree == tree_ && "a tree holds only its own nodes");
  if (child.keeps_tree()) {
    child.bits_ |= Node::kInTree;
    Unretain(tree_);  // never the last reference: this factory holds one
  }
}

}  // namespace linkmon::config::yaml
