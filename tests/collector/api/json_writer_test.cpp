#include "collector/api/json_writer.h"

#include <gtest/gtest.h>

#include <limits>

#include <nlohmann/json.hpp>

namespace linkmon::api {
namespace {

using namespace std::chrono_literals;

std::string Written(auto write) {
  std::string out;
  JsonWriter json(out);
  write(json);
  return out;
}

TEST(JsonWriterTest, NumbersInTheirShortestRoundTripFormNonFiniteAsNull) {
  EXPECT_EQ(Written([](JsonWriter& j) { j.Number(30.0); }), "30");
  EXPECT_EQ(Written([](JsonWriter& j) { j.Number(0.01098); }), "0.01098");
  EXPECT_EQ(Written([](JsonWriter& j) { j.Number(1e-05); }), "1e-05");
  EXPECT_EQ(Written([](JsonWriter& j) { j.Number(std::numeric_limits<double>::infinity()); }),
            "null");
  EXPECT_EQ(Written([](JsonWriter& j) { j.Number(std::nan("")); }), "null");
  EXPECT_EQ(Written([](JsonWriter& j) { j.Number(std::optional<double>()); }), "null");
  EXPECT_EQ(Written([](JsonWriter& j) { j.Seconds(1500us); }), "0.0015");
  EXPECT_EQ(Written([](JsonWriter& j) { j.Seconds(std::nullopt); }), "null");
  EXPECT_EQ(Written([](JsonWriter& j) { j.Integer(-3); }), "-3");
  EXPECT_EQ(Written([](JsonWriter& j) { j.Unsigned(50'000'000); }), "50000000");
  // Read back, every one is the double written.
  for (double value : {0.1, 1.0 / 3, 123456.789e-12, 4.9e-324, 1.7976931348623157e308}) {
    EXPECT_EQ(nlohmann::json::parse(Written([&](JsonWriter& j) { j.Number(value); })).get<double>(),
              value);
  }
}

TEST(JsonWriterTest, StringsAreQuotedAndEscaped) {
  EXPECT_EQ(Written([](JsonWriter& j) { j.String("xining"); }), R"("xining")");
  const std::string nasty =
      "a\"b\\c\nd\te\x01"
      "f/é";
  const std::string written = Written([&](JsonWriter& j) { j.String(nasty); });
  EXPECT_EQ(written, R"("a\"b\\c\nd\te\u0001f/é")");
  EXPECT_EQ(nlohmann::json::parse(written).get<std::string>(), nasty);
}

TEST(JsonWriterTest, AnObjectReadsBackAsWritten) {
  const std::string written = Written([](JsonWriter& j) {
    j.Raw(R"({"name":)");
    j.String("rtt_p99");
    j.Raw(R"(,"open":)");
    j.Bool(true);
    j.Raw(R"(,"value":)");
    j.Null();
    j.Raw("}");
  });
  EXPECT_EQ(nlohmann::json::parse(written),
            (nlohmann::json{{"name", "rtt_p99"}, {"open", true}, {"value", nullptr}}));
}

}  // namespace
}  // namespace linkmon::api
