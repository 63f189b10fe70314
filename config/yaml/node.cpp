#include "config/yaml/node.h"

#include <variant>

namespace linkmon::config::yaml {

// One of a scalar's text, a sequence's items or a mapping's entries: a file of 10,000 targets has
// ~50,000 nodes, and a string and two vectors in every node were ~40 bytes more per node than the
// one a node uses.
struct Node::Data {
  NodeKind kind = NodeKind::kNull;
  bool plain = true;
  Position position;
  std::variant<std::monostate, std::string, std::vector<Node>, std::vector<MappingEntry>> value;
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
  data->value = std::move(value);
  data->plain = plain;
  return Node(std::move(data));
}

Node Node::Sequence(Position position, std::vector<Node> items) {
  auto data = std::make_shared<Data>();
  data->kind = NodeKind::kSequence;
  data->position = std::move(position);
  data->value = std::move(items);
  return Node(std::move(data));
}

Node Node::Mapping(Position position, std::vector<MappingEntry> entries) {
  auto data = std::make_shared<Data>();
  data->kind = NodeKind::kMapping;
  data->position = std::move(position);
  data->value = std::move(entries);
  return Node(std::move(data));
}

NodeKind Node::kind() const { return data_ ? data_->kind : NodeKind::kNull; }
const Position& Node::position() const { return data_ ? data_->position : NoPosition(); }
const std::string& Node::scalar() const {
  const auto* text = data_ ? std::get_if<std::string>(&data_->value) : nullptr;
  return text ? *text : NoString();
}
bool Node::plain() const { return data_ ? data_->plain : true; }
const std::vector<Node>& Node::items() const {
  const auto* items = data_ ? std::get_if<std::vector<Node>>(&data_->value) : nullptr;
  return items ? *items : NoItems();
}
const std::vector<MappingEntry>& Node::entries() const {
  const auto* entries = data_ ? std::get_if<std::vector<MappingEntry>>(&data_->value) : nullptr;
  return entries ? *entries : NoEntries();
}

const Node* Node::Find(std::string_view key) const {
  for (const auto& entry : entries()) {
    if (entry.key.is_scalar() && entry.key.scalar() == key) return &entry.value;
  }
  return nullptr;
}

}  // namespace linkmon::config::yaml
