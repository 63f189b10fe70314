#include "probe/daemon/site_paths.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace linkmon::probe {
namespace {

SiteName Site(const char* name) { return *SiteName::Make(name); }

TEST(ExpandSitePathTest, ReplacesEveryPlaceholder) {
  EXPECT_EQ(ExpandSitePath("/etc/linkmon/{site}.token", Site("xining")),
            "/etc/linkmon/xining.token");
  EXPECT_EQ(ExpandSitePath("/var/{site}/{site}.db", Site("haidong")), "/var/haidong/haidong.db");
  EXPECT_EQ(ExpandSitePath("/etc/linkmon/probe.token", Site("xining")), "/etc/linkmon/probe.token");
  EXPECT_EQ(ExpandSitePath("{site", Site("xining")), "{site");
}

class ReadTokenFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("linkmon-token-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& content, mode_t mode) {
    const std::string path = dir_ / "probe.token";
    std::ofstream(path, std::ios::trunc) << content;
    ::chmod(path.c_str(), mode);
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(ReadTokenFileTest, ReadsTheTokenLessSurroundingWhiteSpace) {
  auto token = ReadTokenFile(Write("  0123456789abcdef0123\n", 0600));
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(*token, "0123456789abcdef0123");
}

TEST_F(ReadTokenFileTest, RefusesAFileOthersCanRead) {
  const std::string path = Write("0123456789abcdef0123\n", 0644);
  auto token = ReadTokenFile(path);
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().message,
            "token file '" + path + "' is readable or writable by group or others; chmod 600 it");
}

TEST_F(ReadTokenFileTest, RefusesAShortTokenAMissingFileAndADirectory) {
  EXPECT_FALSE(ReadTokenFile(Write("short\n", 0600)));
  auto missing = ReadTokenFile((dir_ / "absent.token").string());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("No such file or directory"), std::string::npos);
  ::chmod(dir_.c_str(), 0700);
  EXPECT_FALSE(ReadTokenFile(dir_.string()));
}

}  // namespace
}  // namespace linkmon::probe
