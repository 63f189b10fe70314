#include "config/yaml/parse.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace linkmon::config::yaml {

namespace {

// Thrown from inside the event handler to stop parsing at a limit; caught in ParseYaml.
struct ParseAbort {
  Position position;
  std::string message;
};

// Maps byte offsets to 1-based line and column.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  std::pair<int, int> LineAndColumn(std::size_t offset) const {
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    const std::size_t line = static_cast<std::size_t>(it - line_starts_.begin());  // 1-based
    return {static_cast<int>(line), static_cast<int>(offset - line_starts_[line - 1] + 1)};
  }

 private:
  std::vector<std::size_t> line_starts_;
};

// Builds the Node tree from yaml-cpp's parser events.
class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(std::string_view text, NodeFactory& nodes, Diagnostics& diagnostics,
              const ParseLimits& limits)
      : text_(text), lines_(text), nodes_(nodes), diagnostics_(diagnostics), limits_(limits) {}

  std::optional<Node> TakeRoot() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    CountNodes(1, mark);
    Complete(nodes_.Null(NullPosition(mark)), anchor, 1);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      // yaml-cpp refuses undefined anchors itself; an anchor still open is an alias inside its
      // own anchored node, a cycle.
      throw ParseAbort{ToPosition(mark), "an alias cannot refer to a node that contains it"};
    }
    CountNodes(it->second.size, mark);
    Complete(it->second.node, 0, 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    CountNodes(1, mark);
    CheckTag(mark, tag);
    const bool is_key =
        !stack_.empty() && stack_.back().kind == NodeKind::kMapping && !stack_.back().pending_key;
    const Position position = ToPosition(mark);
    Complete(is_key ? nodes_.Key(position, value, tag == "?")
                    : nodes_.Scalar(position, value, tag == "?"),
             anchor, 1);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, tag, anchor, NodeKind::kSequence);
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, tag, anchor, NodeKind::kMapping);
  }
  void OnMapEnd() override { Close(); }

 private:
  // Mappings with more entries than this find duplicate keys through a hash index; smaller ones
  // (nearly all: a target is a mapping of 2-5 keys) by comparing with each entry, which allocates
  // nothing.
  static constexpr std::size_t kIndexedMappingSize = 16;

  // A sequence or mapping whose end has not been seen yet. Its children wait at the end of
  // pending_items_ / pending_entries_ from `first_child` on, so that the container's vector is
  // made once, at its final size, when it closes.
  struct Frame {
    NodeKind kind;
    Position position;
    YAML::anchor_t anchor;
    std::size_t first_node;   // node count when it opened, to size it for aliases
    std::size_t first_child;  // index of its first child in pending_items_ / pending_entries_
    std::optional<Node> pending_key;  // a mapping's key waiting for its value
    bool skip_pending = false;        // the pending key was refused; drop its value
    // Key text -> index in pending_entries_, once the mapping has kIndexedMappingSize entries.
    std::unordered_map<std::string_view, std::size_t> key_index;
  };

  struct Anchored {
    Node node;
    std::size_t size;  // nodes in the subtree, counting its own aliases expanded
  };

  Position ToPosition(const YAML::Mark& mark) const {
    if (mark.line < 0 || mark.column < 0) return Position{&nodes_.file(), 0, 0};
    return Position{&nodes_.file(), mark.line + 1, mark.column + 1};
  }

  // yaml-cpp marks an empty value ("key:" or a bare "-") at the token that follows it, often on
  // the next line. Point at its key, or at its "-", instead.
  Position NullPosition(const YAML::Mark& mark) const {
    if (mark.pos >= 0 && IsExplicitNull(static_cast<std::size_t>(mark.pos))) {
      return ToPosition(mark);
    }
    if (!stack_.empty()) {
      const Frame& frame = stack_.back();
      if (frame.kind == NodeKind::kMapping && frame.pending_key) {
        return frame.pending_key->position();
      }
      if (frame.kind == NodeKind::kSequence && mark.pos > 0) {
        std::size_t offset = std::min(static_cast<std::size_t>(mark.pos), text_.size());
        while (offset > 0 && (text_[offset - 1] == ' ' || text_[offset - 1] == '\n' ||
                              text_[offset - 1] == '\r' || text_[offset - 1] == '\t')) {
          --offset;
        }
        if (offset > 0 && text_[offset - 1] == '-') {
          auto [line, column] = lines_.LineAndColumn(offset - 1);
          return Position{&nodes_.file(), line, column};
        }
      }
      return frame.position;
    }
    if (text_.empty()) return Position{&nodes_.file(), 1, 1};
    return ToPosition(mark);
  }

  bool IsExplicitNull(std::size_t offset) const {
    if (offset >= text_.size()) return false;
    std::string_view rest = text_.substr(offset);
    for (std::string_view literal : {"~", "null", "Null", "NULL"}) {
      if (rest.starts_with(literal)) {
        if (rest.size() == literal.size()) return true;
        char next = rest[literal.size()];
        return next == ' ' || next == '\n' || next == '\r' || next == '\t' || next == ',' ||
               next == ']' || next == '}' || next == '#';
      }
    }
    return false;
  }

  void CheckTag(const YAML::Mark& mark, const std::string& tag) {
    if (tag == "?" || tag == "!" || tag.empty()) return;
    diagnostics_.Error(ToPosition(mark), "YAML tags are not supported (found '" + tag + "')");
  }

  void CountNodes(std::size_t count, const YAML::Mark& mark) {
    node_count_ += count;
    if (node_count_ > limits_.max_nodes) {
      throw ParseAbort{ToPosition(mark), "document has more than " +
                                             std::to_string(limits_.max_nodes) +
                                             " nodes once aliases are expanded"};
    }
  }

  void Open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, NodeKind kind) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
      throw ParseAbort{ToPosition(mark),
                       "nesting is deeper than " + std::to_string(limits_.max_depth) + " levels"};
    }
    CheckTag(mark, tag);
    const std::size_t first = node_count_;
    CountNodes(1, mark);
    stack_.push_back(Frame{.kind = kind,
                           .position = ToPosition(mark),
                           .anchor = anchor,
                           .first_node = first,
                           .first_child = kind == NodeKind::kSequence ? pending_items_.size()
                                                                      : pending_entries_.size(),
                           .pending_key = std::nullopt,
                           .skip_pending = false,
                           .key_index = {}});
  }

  void Close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    Node node;
    if (frame.kind == NodeKind::kSequence) {
      node = nodes_.Sequence(frame.position, TakeTail(pending_items_, frame.first_child));
    } else {
      node = nodes_.Mapping(frame.position, TakeTail(pending_entries_, frame.first_child));
    }
    Complete(std::move(node), frame.anchor, node_count_ - frame.first_node);
  }

  // Moves `pending[first..]` into a vector of exactly that size.
  template <typename T>
  static std::vector<T> TakeTail(std::vector<T>& pending, std::size_t first) {
    const auto begin = pending.begin() + static_cast<std::ptrdiff_t>(first);
    std::vector<T> out(std::make_move_iterator(begin), std::make_move_iterator(pending.end()));
    pending.erase(begin, pending.end());
    return out;
  }

  // A node is finished: remember its anchor, then hand it to its parent.
  void Complete(Node node, YAML::anchor_t anchor, std::size_t size) {
    if (anchor != 0) anchors_[anchor] = Anchored{node, size};
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& parent = stack_.back();
    if (parent.kind == NodeKind::kSequence) {
      pending_items_.push_back(std::move(node));
      return;
    }
    if (!parent.pending_key) {
      AcceptKey(parent, std::move(node));
      return;
    }
    if (!parent.skip_pending) {
      pending_entries_.push_back(MappingEntry{std::move(*parent.pending_key), std::move(node)});
      IndexKey(parent, pending_entries_.size() - 1);
    }
    parent.pending_key.reset();
    parent.skip_pending = false;
  }

  void AcceptKey(Frame& mapping, Node key) {
    mapping.skip_pending = true;
    if (!key.is_scalar()) {
      diagnostics_.Error(
          key, "mapping keys must be scalars, got " + std::string(NodeKindName(key.kind())));
    } else if (const Node* first = FindKey(mapping, key.scalar())) {
      const Position at = first->position();
      diagnostics_.Error(key, "duplicate key '" + key.scalar() + "' (first defined at line " +
                                  std::to_string(at.line) + ", column " +
                                  std::to_string(at.column) + ")");
    } else {
      mapping.skip_pending = false;
    }
    mapping.pending_key = std::move(key);
  }

  // The key of an entry already in `mapping` with this text, or nullptr.
  const Node* FindKey(const Frame& mapping, std::string_view text) const {
    if (!mapping.key_index.empty()) {
      auto it = mapping.key_index.find(text);
      return it == mapping.key_index.end() ? nullptr : &pending_entries_[it->second].key;
    }
    for (std::size_t i = mapping.first_child; i < pending_entries_.size(); ++i) {
      if (pending_entries_[i].key.scalar() == text) return &pending_entries_[i].key;
    }
    return nullptr;
  }

  // Keeps the hash index of a large mapping up to date after entry `added` joined it. The views
  // point into the keys' records, which never move.
  void IndexKey(Frame& mapping, std::size_t added) {
    const std::size_t size = added + 1 - mapping.first_child;
    if (size < kIndexedMappingSize) return;
    const std::size_t from = size == kIndexedMappingSize ? mapping.first_child : added;
    for (std::size_t i = from; i <= added; ++i) {
      mapping.key_index.emplace(pending_entries_[i].key.scalar(), i);
    }
  }

  std::string_view text_;
  LineIndex lines_;
  NodeFactory& nodes_;
  Diagnostics& diagnostics_;
  const ParseLimits& limits_;
  std::vector<Frame> stack_;
  std::vector<Node> pending_items_;
  std::vector<MappingEntry> pending_entries_;
  std::unordered_map<YAML::anchor_t, Anchored> anchors_;
  std::size_t node_count_ = 0;
  std::optional<Node> root_;
};

// Thrown by SecondDocumentProbe where a second document starts.
struct SecondDocument {
  YAML::Mark mark;
};

// Sees whether a second document follows the first; stops at its start.
class SecondDocumentProbe : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { throw SecondDocument{mark}; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

std::optional<Node> ParseYaml(std::string_view text, std::string_view file_name,
                              Diagnostics& diagnostics, const ParseLimits& limits) {
  // Outlives every position made here, also those of the errors caught below.
  NodeFactory nodes{std::string(file_name)};
  const std::string* file = &nodes.file();
  if (text.size() > limits.max_bytes) {
    diagnostics.FileError(
        *file, "file is larger than the limit of " + std::to_string(limits.max_bytes) + " bytes");
    return std::nullopt;
  }
  std::istringstream stream{std::string(text)};
  try {
    YAML::Parser parser(stream);
    TreeBuilder builder(text, nodes, diagnostics, limits);
    if (!parser.HandleNextDocument(builder)) return nodes.Null(Position{file, 1, 1});
    std::optional<Node> root = builder.TakeRoot();
    if (!root) root = nodes.Null(Position{file, 1, 1});
    try {
      SecondDocumentProbe probe;
      parser.HandleNextDocument(probe);
    } catch (const SecondDocument& second) {
      diagnostics.Error(Position{file, second.mark.line + 1, second.mark.column + 1},
                        "a config file holds one YAML document; found a second one here");
      return std::nullopt;
    }
    return root;
  } catch (const ParseAbort& abort) {
    diagnostics.Error(abort.position, abort.message);
  } catch (const YAML::Exception& error) {
    Position position{file, 0, 0};
    if (error.mark.line >= 0 && error.mark.column >= 0) {
      position = Position{file, error.mark.line + 1, error.mark.column + 1};
    }
    diagnostics.Error(position, "invalid YAML: " + error.msg);
  }
  return std::nullopt;
}

std::optional<Node> LoadYamlFile(const std::filesystem::path& path, Diagnostics& diagnostics,
                                 const ParseLimits& limits) {
  const std::string name = path.string();
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    diagnostics.FileError(name, "cannot read: is a directory");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diagnostics.FileError(name, std::string("cannot open: ") + std::strerror(errno));
    return std::nullopt;
  }
  std::string text;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > limits.max_bytes) {
      diagnostics.FileError(
          name, "file is larger than the limit of " + std::to_string(limits.max_bytes) + " bytes");
      return std::nullopt;
    }
  }
  if (in.bad()) {
    diagnostics.FileError(name, std::string("cannot read: ") + std::strerror(errno));
    return std::nullopt;
  }
  return ParseYaml(text, name, diagnostics, limits);
}

}  // namespace linkmon::config::yaml
