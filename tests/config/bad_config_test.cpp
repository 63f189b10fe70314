// One small YAML file per mistake under tests/config/bad/, each ending in comment lines
//   # expect: FILE:LINE:COLUMN: MESSAGE
// that list every diagnostic the loader must report for it, exactly and in order.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/load.h"

namespace linkmon::config {
namespace {

const std::filesystem::path kBadDir =
    std::filesystem::path(LINKMON_SOURCE_DIR) / "tests/config/bad";

std::vector<std::string> BadFiles() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kBadDir)) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> Expectations(const std::filesystem::path& path) {
  const std::string kPrefix = "# expect: ";
  std::vector<std::string> expected;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(kPrefix)) expected.push_back(line.substr(kPrefix.size()));
  }
  return expected;
}

class BadConfigTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BadConfigTest, ReportsExactlyTheExpectedDiagnostics) {
  const std::filesystem::path path = kBadDir / GetParam();
  const std::vector<std::string> expected = Expectations(path);
  ASSERT_FALSE(expected.empty()) << path << " has no '# expect:' lines";

  ConfigResult result = LoadConfigFile(path);
  ASSERT_FALSE(result.has_value()) << path << " loaded without a problem";
  std::vector<std::string> actual;
  for (yaml::Diagnostic diagnostic : result.error()) {
    EXPECT_EQ(diagnostic.file, path.string());
    diagnostic.file = GetParam();  // expectations name the file without its directory
    actual.push_back(diagnostic.ToString());
  }
  EXPECT_THAT(actual, ::testing::ElementsAreArray(expected));
}

INSTANTIATE_TEST_SUITE_P(Files, BadConfigTest, ::testing::ValuesIn(BadFiles()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name =
                               std::filesystem::path(param_info.param).stem().string();
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(BadConfigFilesTest, CoverAtLeastThirtyMistakes) { EXPECT_GE(BadFiles().size(), 30u); }

}  // namespace
}  // namespace linkmon::config
