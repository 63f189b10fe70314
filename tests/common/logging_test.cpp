#include "common/logging.h"

#include <gtest/gtest.h>

namespace linkmon {
namespace {

TEST(KvQuoteTest, LeavesPlainValuesAlone) {
  EXPECT_EQ(KvQuote("xining"), "xining");
  EXPECT_EQ(KvQuote("10.0.0.1:862"), "10.0.0.1:862");
}

TEST(KvQuoteTest, QuotesAndEscapesAnythingThatWouldSplitALine) {
  EXPECT_EQ(KvQuote(""), "\"\"");
  EXPECT_EQ(KvQuote("two words"), "\"two words\"");
  EXPECT_EQ(KvQuote("a=b"), "\"a=b\"");
  EXPECT_EQ(KvQuote("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(KvQuote("line\nbreak"), "\"line\\nbreak\"");
  EXPECT_EQ(KvQuote(std::string_view("nul\0", 4)), "\"nul\\x00\"");
}

TEST(ParseLogLevelTest, KnowsTheDocumentedLevels) {
  EXPECT_EQ(ParseLogLevel("warn"), spdlog::level::warn);
  EXPECT_EQ(ParseLogLevel("error"), spdlog::level::err);
  EXPECT_FALSE(ParseLogLevel("warning").has_value());
}

}  // namespace
}  // namespace linkmon
