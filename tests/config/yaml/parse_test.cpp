#include "config/yaml/parse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace linkmon::config::yaml {
namespace {

using ::testing::ElementsAre;

struct Parsed {
  std::optional<Node> root;
  std::vector<std::string> diagnostics;
};

Parsed Parse(std::string_view text, const ParseLimits& limits = {}) {
  Diagnostics diagnostics;
  auto root = ParseYaml(text, "test.yaml", diagnostics, limits);
  return Parsed{std::move(root), diagnostics.SortedStrings()};
}

TEST(ParseYamlTest, PositionsAreOneBased) {
  auto parsed = Parse("a: 1\nbb:\n  - x\n  - \"y\"\n");
  ASSERT_TRUE(parsed.root);
  EXPECT_TRUE(parsed.diagnostics.empty());
  const Node& root = *parsed.root;
  ASSERT_TRUE(root.is_mapping());
  ASSERT_EQ(root.entries().size(), 2u);
  EXPECT_EQ(root.entries()[0].key.position().line, 1);
  EXPECT_EQ(root.entries()[0].key.position().column, 1);
  EXPECT_EQ(root.entries()[0].value.position().column, 4);
  const Node* list = root.Find("bb");
  ASSERT_NE(list, nullptr);
  ASSERT_EQ(list->items().size(), 2u);
  EXPECT_EQ(list->items()[1].position().line, 4);
  EXPECT_EQ(list->items()[1].position().column, 5);
  EXPECT_EQ(*list->items()[1].position().file, "test.yaml");
}

TEST(ParseYamlTest, KnowsPlainFromQuotedScalars) {
  auto parsed = Parse("a: 20\nb: \"20\"\nc: '20'\n");
  ASSERT_TRUE(parsed.root);
  EXPECT_TRUE(parsed.root->Find("a")->plain());
  EXPECT_FALSE(parsed.root->Find("b")->plain());
  EXPECT_FALSE(parsed.root->Find("c")->plain());
  EXPECT_EQ(parsed.root->Find("c")->scalar(), "20");
}

TEST(ParseYamlTest, SyntaxErrorHasItsOneBasedPosition) {
  auto parsed = Parse("a: [1, 2\nb: 3\n");
  EXPECT_FALSE(parsed.root);
  EXPECT_THAT(parsed.diagnostics,
              ElementsAre("test.yaml:2:2: invalid YAML: end of sequence flow not found"));
}

TEST(ParseYamlTest, BadIndentationIsASyntaxError) {
  auto parsed = Parse("a: 1\n b: 2\n");
  EXPECT_FALSE(parsed.root);
  EXPECT_THAT(parsed.diagnostics, ElementsAre("test.yaml:2:3: invalid YAML: illegal map value"));
}

TEST(ParseYamlTest, DuplicateKeysAreReportedAndTheFirstKept) {
  auto parsed = Parse("a: 1\nb:\n  x: 1\n  x: 2\na: 3\n");
  ASSERT_TRUE(parsed.root);
  EXPECT_THAT(parsed.diagnostics,
              ElementsAre("test.yaml:4:3: duplicate key 'x' (first defined at line 3, column 3)",
                          "test.yaml:5:1: duplicate key 'a' (first defined at line 1, column 1)"));
  EXPECT_EQ(parsed.root->entries().size(), 2u);
  EXPECT_EQ(parsed.root->Find("a")->scalar(), "1");
  EXPECT_EQ(parsed.root->Find("b")->entries().size(), 1u);
}

TEST(ParseYamlTest, NonScalarKeysAreRefused) {
  auto parsed = Parse("? [1, 2]\n: 3\nok: 4\n");
  ASSERT_TRUE(parsed.root);
  EXPECT_THAT(parsed.diagnostics,
              ElementsAre("test.yaml:1:3: mapping keys must be scalars, got a sequence"));
  EXPECT_EQ(parsed.root->entries().size(), 1u);
}

TEST(ParseYamlTest, EmptyValuesPointAtTheirKeyOrDash) {
  // yaml-cpp marks an empty value at the next token; the tree points at the key or the dash.
  auto parsed = Parse("a:\nb: ~\nc:\n  - x\n  -\n  - null\n");
  ASSERT_TRUE(parsed.root);
  const Node* a = parsed.root->Find("a");
  EXPECT_TRUE(a->is_null());
  EXPECT_EQ(a->position().line, 1);
  EXPECT_EQ(a->position().column, 1);
  const Node* b = parsed.root->Find("b");
  EXPECT_TRUE(b->is_null());
  EXPECT_EQ(b->position().line, 2);
  EXPECT_EQ(b->position().column, 4);
  const auto& items = parsed.root->Find("c")->items();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_TRUE(items[1].is_null());
  EXPECT_EQ(items[1].position().line, 5);
  EXPECT_EQ(items[1].position().column, 3);
  EXPECT_TRUE(items[2].is_null());
  EXPECT_EQ(items[2].position().line, 6);
  EXPECT_EQ(items[2].position().column, 5);
}

TEST(ParseYamlTest, EmptyDocumentIsANullRoot) {
  auto parsed = Parse("# nothing but a comment\n");
  ASSERT_TRUE(parsed.root);
  EXPECT_TRUE(parsed.root->is_null());
  EXPECT_TRUE(parsed.diagnostics.empty());
}

TEST(ParseYamlTest, AliasesShareTheAnchoredNode) {
  auto parsed = Parse("base: &b [1, 2]\ncopy: *b\n");
  ASSERT_TRUE(parsed.root);
  EXPECT_TRUE(parsed.diagnostics.empty());
  const Node* copy = parsed.root->Find("copy");
  ASSERT_EQ(copy->items().size(), 2u);
  EXPECT_EQ(copy->items()[1].scalar(), "2");
  EXPECT_EQ(copy->position().line, 1);  // where the text is: the anchor
}

TEST(ParseYamlTest, AliasBombStopsAtTheNodeLimit) {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    text += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) text += std::string(i ? ", *" : "*") + static_cast<char>(c - 1);
    text += "]\n";
  }
  auto parsed = Parse(text);
  EXPECT_FALSE(parsed.root);
  ASSERT_EQ(parsed.diagnostics.size(), 1u);
  EXPECT_THAT(parsed.diagnostics[0], ::testing::HasSubstr("nodes once aliases are expanded"));
}

TEST(ParseYamlTest, DeepNestingStopsAtTheDepthLimit) {
  auto parsed = Parse(std::string(100, '[') + std::string(100, ']'), ParseLimits{.max_depth = 10});
  EXPECT_FALSE(parsed.root);
  EXPECT_THAT(parsed.diagnostics, ElementsAre("test.yaml:1:11: nesting is deeper than 10 levels"));
}

TEST(ParseYamlTest, OversizedTextIsRefusedBeforeParsing) {
  auto parsed = Parse("a: 12345\n", ParseLimits{.max_bytes = 4});
  EXPECT_FALSE(parsed.root);
  EXPECT_THAT(parsed.diagnostics,
              ElementsAre("test.yaml: file is larger than the limit of 4 bytes"));
}

TEST(ParseYamlTest, SecondDocumentIsRefused) {
  auto parsed = Parse("a: 1\n---\nb: 2\n");
  EXPECT_FALSE(parsed.root);
  EXPECT_THAT(parsed.diagnostics,
              ElementsAre("test.yaml:2:1: a config file holds one YAML document; found a second "
                          "one here"));
}

TEST(ParseYamlTest, TagsAreRefused) {
  auto parsed = Parse("a: !foo x\n");
  ASSERT_TRUE(parsed.root);
  EXPECT_THAT(parsed.diagnostics,
              ElementsAre("test.yaml:1:4: YAML tags are not supported (found '!foo')"));
}

TEST(LoadYamlFileTest, ReadsAFileAndNamesItInPositions) {
  const auto path = std::filesystem::temp_directory_path() / "linkmon_parse_test.yaml";
  {
    std::ofstream out(path);
    out << "a: [1,\n";
  }
  Diagnostics diagnostics;
  auto root = LoadYamlFile(path, diagnostics);
  std::filesystem::remove(path);
  EXPECT_FALSE(root);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics.Sorted()[0].file, path.string());
  EXPECT_EQ(diagnostics.Sorted()[0].line, 2);
}

TEST(LoadYamlFileTest, MissingFileIsAWholeFileDiagnostic) {
  Diagnostics diagnostics;
  EXPECT_FALSE(LoadYamlFile("/nonexistent/linkmon.yaml", diagnostics));
  EXPECT_THAT(diagnostics.SortedStrings(),
              ElementsAre("/nonexistent/linkmon.yaml: cannot open: No such file or directory"));
}

TEST(LoadYamlFileTest, DirectoryIsRefused) {
  Diagnostics diagnostics;
  EXPECT_FALSE(LoadYamlFile("/", diagnostics));
  EXPECT_THAT(diagnostics.SortedStrings(), ElementsAre("/: cannot read: is a directory"));
}

}  // namespace
}  // namespace linkmon::config::yaml
