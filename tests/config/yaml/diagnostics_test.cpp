#include "config/yaml/diagnostics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace linkmon::config::yaml {
namespace {

using ::testing::ElementsAre;

TEST(DiagnosticsTest, SortsByPositionAndDropsRepeats) {
  const std::string file = "a.yaml";
  Diagnostics diagnostics;
  diagnostics.Error(Position{&file, 7, 3}, "late");
  diagnostics.Error(Position{&file, 2, 9}, "early, second column");
  diagnostics.Error(Position{&file, 2, 1}, "early");
  diagnostics.Error(Position{&file, 7, 3}, "late");  // reached twice through an alias
  diagnostics.Error(Position{&file, 7, 3}, "late, other message");
  EXPECT_THAT(diagnostics.SortedStrings(),
              ElementsAre("a.yaml:2:1: early", "a.yaml:2:9: early, second column",
                          "a.yaml:7:3: late", "a.yaml:7:3: late, other message"));
}

TEST(DiagnosticsTest, WholeFileProblemsHaveNoPosition) {
  Diagnostics diagnostics;
  diagnostics.FileError("b.yaml", "cannot open: Permission denied");
  EXPECT_THAT(diagnostics.SortedStrings(), ElementsAre("b.yaml: cannot open: Permission denied"));
}

TEST(DiagnosticsTest, StopsKeepingAfterTheLimitAndSaysHowManyMore) {
  const std::string file = "c.yaml";
  Diagnostics diagnostics;
  for (int i = 0; i < static_cast<int>(Diagnostics::kMaxDiagnostics) + 5; ++i) {
    diagnostics.Error(Position{&file, i + 1, 1}, "bad");
  }
  auto sorted = diagnostics.SortedStrings();
  ASSERT_EQ(sorted.size(), Diagnostics::kMaxDiagnostics + 1);
  EXPECT_EQ(sorted.back(), "c.yaml: 5 more problems not shown");
}

}  // namespace
}  // namespace linkmon::config::yaml
