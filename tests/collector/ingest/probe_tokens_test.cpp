#include "collector/ingest/probe_tokens.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace linkmon::ingest {
namespace {

SiteName Site(const char* name) { return SiteName::Make(name).value(); }

ProbeTokens Tokens() {
  return ProbeTokens::FromTokens({{Site("xining"), "xining-secret-0123456789"},
                                  {Site("haidong"), "  haidong-secret-0123456789\n"}})
      .value();
}

TEST(ProbeTokensTest, FindsTheSiteOfAToken) {
  const ProbeTokens tokens = Tokens();
  EXPECT_EQ(tokens.Authenticate("Bearer xining-secret-0123456789"), Site("xining"));
  EXPECT_EQ(tokens.Authenticate("bearer haidong-secret-0123456789"), Site("haidong"));
  EXPECT_EQ(tokens.Authenticate("Bearer  haidong-secret-0123456789 "), Site("haidong"));
}

TEST(ProbeTokensTest, RefusesEverythingElse) {
  const ProbeTokens tokens = Tokens();
  for (const char* header :
       {"", "Bearer", "Bearer ", "Basic xining-secret-0123456789", "xining-secret-0123456789",
        "Bearer xining-secret-012345678", "Bearer xining-secret-01234567890",
        "Bearer XINING-SECRET-0123456789", "Bearer haidong-secret-0123456789x"}) {
    EXPECT_EQ(tokens.Authenticate(header), std::nullopt) << header;
  }
}

TEST(ProbeTokensTest, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("ab", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abcd", "abc"));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("ab\0", 3), "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(ProbeTokensTest, RefusesWeakOrSharedTokens) {
  auto short_token = ProbeTokens::FromTokens({{Site("xining"), "short"}});
  ASSERT_FALSE(short_token.has_value());
  EXPECT_EQ(short_token.error().message,
            "token of probe site 'xining' is shorter than 16 characters");
  auto shared = ProbeTokens::FromTokens(
      {{Site("xining"), "same-token-0123456789"}, {Site("haidong"), "same-token-0123456789"}});
  ASSERT_FALSE(shared.has_value());
  EXPECT_EQ(shared.error().message, "probe sites 'haidong' and 'xining' have the same token");
}

TEST(ProbeTokensTest, LoadsTokenFiles) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("linkmon-tokens-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "xining.token") << "xining-secret-0123456789\n";
  auto loaded = ProbeTokens::Load({{Site("xining"), (dir / "xining.token").string()}});
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_EQ(loaded->Authenticate("Bearer xining-secret-0123456789"), Site("xining"));

  auto missing = ProbeTokens::Load({{Site("xining"), (dir / "absent.token").string()}});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace linkmon::ingest
