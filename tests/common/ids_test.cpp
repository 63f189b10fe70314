#include "common/ids.h"

#include <unordered_set>

#include <gtest/gtest.h>

namespace linkmon {
namespace {

TEST(NameTest, AcceptsLowercaseNamesWithDigitsDashesAndUnderscores) {
  for (const char* good : {"xining", "haidong-2", "gansu_ningxia", "8hubs", "a"}) {
    EXPECT_TRUE(SiteName::Make(good).has_value()) << good;
  }
  EXPECT_TRUE(SiteName::Make(std::string(63, 'a')).has_value());
}

TEST(NameTest, RefusesNamesThatWouldBreakLabelsOrUrls) {
  for (const char* bad : {"", "Xining", "xi ning", "-lead", "_lead", "a/b", "a.b", "名字", "a\n"}) {
    auto name = SiteName::Make(bad);
    ASSERT_FALSE(name.has_value()) << bad;
    EXPECT_EQ(name.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_FALSE(SiteName::Make(std::string(64, 'a')).has_value());
  EXPECT_EQ(SlaClassName::Make("Bad").error().message,
            "sla class name 'Bad' must be 1-63 characters of a-z, 0-9, '_' or '-', starting with "
            "a letter or digit");
}

TEST(MethodTest, NamesRoundTrip) {
  for (Method method : kAllMethods) {
    EXPECT_EQ(ParseMethod(MethodName(method)), method);
  }
  EXPECT_FALSE(ParseMethod("ICMP").has_value());
  EXPECT_FALSE(ParseMethod("twamp").has_value());
}

TEST(PathKeyTest, PrintsAndHashesByAllThreeParts) {
  PathKey a{*SiteName::Make("xining"), *TargetName::Make("shanghai"), Method::kIcmp};
  PathKey b{*SiteName::Make("xining"), *TargetName::Make("shanghai"), Method::kStamp};
  EXPECT_EQ(a.ToString(), "xining->shanghai/icmp");
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);
  std::unordered_set<PathKey, PathKeyHash> set{a, b, a};
  EXPECT_EQ(set.size(), 2u);
}

}  // namespace
}  // namespace linkmon
