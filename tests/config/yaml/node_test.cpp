#include "config/yaml/node.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/yaml/parse.h"

namespace linkmon::config::yaml {
namespace {

// The tree is freed with its last handle, not with its root or factory: a node kept from a parsed
// file must still name the file, its position and its children.
TEST(NodeTest, ANodeKeptFromATreeOutlivesTheRootAndTheParser) {
  Node kept;
  Node scalar_kept;
  {
    Diagnostics diagnostics;
    std::optional<Node> root =
        ParseYaml("a:\n  list: [x, \"y\"]\n  n: 5\n", "kept.yaml", diagnostics);
    ASSERT_TRUE(root);
    kept = *root->Find("a");
    scalar_kept = *kept.Find("n");
  }  // the root, the parser and its factory are gone here
  ASSERT_TRUE(kept.is_mapping());
  const Node* list = kept.Find("list");
  ASSERT_NE(list, nullptr);
  ASSERT_EQ(list->items().size(), 2u);
  EXPECT_EQ(list->items()[1].scalar(), "y");
  EXPECT_FALSE(list->items()[1].plain());
  const Position at = list->items()[1].position();
  ASSERT_NE(at.file, nullptr);
  EXPECT_EQ(*at.file, "kept.yaml");
  EXPECT_EQ(at.line, 2);
  EXPECT_EQ(at.column, 13);  // the opening quote
  EXPECT_EQ(scalar_kept.scalar(), "5");
  EXPECT_EQ(*scalar_kept.position().file, "kept.yaml");
  EXPECT_EQ(scalar_kept.position().line, 3);
}

TEST(NodeTest, CopiesOfAChildInsideTheTreeKeepTheTree) {
  std::vector<Node> copies;
  {
    NodeFactory nodes("f.yaml");
    std::vector<Node> items;
    items.push_back(nodes.Scalar(Position{&nodes.file(), 1, 2}, "one", true));
    items.push_back(nodes.Null(Position{&nodes.file(), 2, 3}));
    Node sequence = nodes.Sequence(Position{&nodes.file(), 1, 1}, std::move(items));
    copies.push_back(sequence.items()[0]);  // a copy of a handle stored in the tree
    // Moving from a handle stored in the tree copies it: the tree keeps its own.
    copies.push_back(std::move(const_cast<Node&>(sequence.items()[1])));
    EXPECT_TRUE(sequence.items()[1].is_null());
    EXPECT_EQ(sequence.items()[1].position().line, 2);
    EXPECT_EQ(sequence.items().size(), 2u);
  }
  EXPECT_EQ(copies[0].scalar(), "one");
  EXPECT_EQ(*copies[0].position().file, "f.yaml");
  EXPECT_EQ(copies[0].position().column, 2);
  EXPECT_TRUE(copies[1].is_null());
  EXPECT_EQ(copies[1].position().line, 2);
}

TEST(NodeTest, ADefaultNodeIsANullWithoutPosition) {
  Node node;
  EXPECT_TRUE(node.is_null());
  EXPECT_EQ(node.position().file, nullptr);
  EXPECT_EQ(node.position().line, 0);
  EXPECT_TRUE(node.scalar().empty());
  EXPECT_TRUE(node.items().empty());
  EXPECT_TRUE(node.entries().empty());
  EXPECT_EQ(node.Find("x"), nullptr);
}

TEST(NodeTest, AssigningReleasesTheOldTreeAndKeepsTheNew) {
  Node node;
  {
    NodeFactory first("first.yaml");
    node = first.Scalar(Position{&first.file(), 1, 1}, "a", true);
  }
  {
    NodeFactory second("second.yaml");
    node = second.Scalar(Position{&second.file(), 4, 5}, "b", false);
  }
  Node self_assigned = node;
  const Node& same = self_assigned;  // through a reference: compilers refuse a literal x = x
  self_assigned = same;
  EXPECT_EQ(self_assigned.scalar(), "b");
  EXPECT_EQ(*node.position().file, "second.yaml");
}

// Keys share their text in the tree, each keeps its own position.
TEST(NodeTest, RepeatedKeysKeepTheirOwnPositions) {
  Diagnostics diagnostics;
  std::optional<Node> root =
      ParseYaml("- {host: a, name: b}\n- {name: c, host: d}\n", "keys.yaml", diagnostics);
  ASSERT_TRUE(root);
  const auto& second = root->items()[1].entries();
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[1].key.scalar(), "host");
  EXPECT_TRUE(second[1].key.plain());
  EXPECT_EQ(second[1].key.position().line, 2);
  EXPECT_EQ(second[1].key.position().column, 13);
  EXPECT_EQ(root->items()[0].entries()[0].key.position().column, 4);
  EXPECT_EQ(root->items()[1].Find("host")->scalar(), "d");
  EXPECT_EQ(root->items()[0].Find("name")->scalar(), "b");
}

// Mappings past a handful of keys find duplicates through an index; both ways say the same.
TEST(NodeTest, DuplicateKeysInALargeMappingAreFoundAsInASmallOne) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "k" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  text += "k3: again\nk39: again\n";
  Diagnostics diagnostics;
  std::optional<Node> root = ParseYaml(text, "big.yaml", diagnostics);
  ASSERT_TRUE(root);
  EXPECT_EQ(diagnostics.SortedStrings(),
            (std::vector<std::string>{
                "big.yaml:41:1: duplicate key 'k3' (first defined at line 4, column 1)",
                "big.yaml:42:1: duplicate key 'k39' (first defined at line 40, column 1)"}));
  ASSERT_EQ(root->entries().size(), 40u);
  EXPECT_EQ(root->Find("k3")->scalar(), "3");
  EXPECT_EQ(root->Find("k39")->scalar(), "39");
}

}  // namespace
}  // namespace linkmon::config::yaml
