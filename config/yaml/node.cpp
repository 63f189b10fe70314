#include "config/yaml/node.h"

namespace linkmon::config::yaml {

struct Node::Data {
  NodeKind kind = NodeKind::kNull;
  Position position;
  std::string scalar;
  bool plain = true;
  std::vector<Node> items;
  std::vector<MappingEntry> entries;
};

namespace {

// What accessors return for a default-constructed node, which has no Data.
const Position& NoPosition() {
  static const Position kNone;
  return kNone;
}
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

Node Node::Null(Position position) {
  auto data = std::make_shared<Data>();
  data->kind = NodeKind::kNull;
  data->position = std::move(position);
  return Node(std::move(data));
}

Node Node::Scalar(Position position, std::string value, bool plain) {
  auto data = std::make_shared<Data>();
  data->kind = NodeKind::kScalar;
  data->position = std::move(position);
  data->scalar = std::move(value);
  data->plain = plain;
  return Node(std::move(data));
}

Node Node::Sequence(Position position, std::vector<Node> items) {
  auto data = std::make_shared<Data>();
  data->kind = NodeKind::kSequence;
  data->position = std::move(position);
  data->items = std::move(items);
  return Node(std::move(data));
}

Node Node::Mapping(Position position, std::vector<MappingEntry> entries) {
  auto data = std::make_shared<Data>();
  data->kind = NodeKind::kMapping;
  data->position = std::move(position);
  data->entries = std::move(entries);
  return Node(std::move(data));
}

NodeKind Node::kind() const { return data_ ? data_->kind : NodeKind::kNull; }
const Position& Node::position() const { return data_ ? data_->position : NoPosition(); }
const std::string& Node::scalar() const { return data_ ? data_->scalar : NoString(); }
bool Node::plain() const { return data_ ? data_->plain : true; }
const std::vector<Node>& Node::items() const { return data_ ? data_->items : NoItems(); }
const std::vector<MappingEntry>& Node::entries() const {
  return data_ ? data_->entries : NoEntries();
}

const Node* Node::Find(std::string_view key) const {
  for (const auto& entry : entries()) {
    if (entry.key.is_scalar() && entry.key.scalar() == key) return &entry.value;
  }
  return nullptr;
}

}  // namespace linkmon::config::yaml
