#include "common/batch/batch_codec.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "common/batch/base64.h"
#include "common/histogram/histogram_codec.h"
#include "tests/common/batch/batch_examples.h"

namespace linkmon::batch {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using testing::ExampleBatch;
using testing::ExampleTime;

TEST(BatchCodecTest, RoundTripsARealisticBatch) {
  const Batch batch = ExampleBatch("xining", 42, 50);
  auto decoded = DecodeBatch(EncodeBatch(batch));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(*decoded, batch);
}

TEST(BatchCodecTest, RoundTripsEmptyBatchAndThroughput) {
  Batch batch = ExampleBatch("haidong", 0, 0);
  ASSERT_EQ(DecodeBatch(EncodeBatch(batch)).value(), batch);

  PathSummary throughput{.path = PathKey{.source = batch.probe,
                                         .target = TargetName::Make("lanzhou").value(),
                                         .method = Method::kThroughput},
                         .summary = {},
                         .throughput = Bandwidth{987'654'321}};
  throughput.summary.start = ExampleTime();
  throughput.summary.duration = std::chrono::seconds(5);
  batch.summaries.push_back(throughput);
  batch.sequence = std::numeric_limits<std::uint64_t>::max();
  auto decoded = DecodeBatch(EncodeBatch(batch));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(*decoded, batch);
}

// The exact text of a small batch: the wire format is a contract with probes of other versions.
TEST(BatchCodecTest, EncodesGoldenText) {
  const SiteName probe = SiteName::Make("xining").value();
  stats::IntervalSummary s;
  s.start = ExampleTime();
  s.duration = std::chrono::seconds(10);
  s.timestamp_source = stats::TimestampSource::kUserspace;
  s.counts = {.sent = 3, .received = 2, .late = 0, .lost = 1};
  s.rtt.Record(milliseconds(12));
  s.rtt.Record(milliseconds(13));
  s.ipdv_magnitude.Record(milliseconds(1));
  s.ipdv_min = milliseconds(1);
  s.ipdv_max = milliseconds(1);
  s.rfc3550_jitter = nanoseconds(62'500);
  Batch batch{
      .probe = probe,
      .probe_start = ExampleTime() - std::chrono::hours(1),
      .sequence = 7,
      .created = ExampleTime() + std::chrono::seconds(10),
      .summaries = {PathSummary{.path = PathKey{.source = probe,
                                                .target = TargetName::Make("beijing").value(),
                                                .method = Method::kIcmp},
                                .summary = s,
                                .throughput = std::nullopt}}};
  const std::string rtt = EncodeBase64(histogram::SerializeHistogram(s.rtt));
  const std::string ipdv = EncodeBase64(histogram::SerializeHistogram(s.ipdv_magnitude));
  // Decoded by hand: count 2, min 12 ms, max 13 ms, sum 25 ms, two buckets; and count 1 of 1 ms.
  EXPECT_EQ(rtt, "AQIAAIDsuAuA9bIMgOHrFwLeBgEIAUhScak=");
  EXPECT_EQ(ipdv, "AQEAAICJeoCJeoCJegH9BAFGYcEX");
  EXPECT_EQ(EncodeBatch(batch),
            "{\"created_unix_ns\":1795435210000000000,\"format\":\"linkmon.batch\","
            "\"probe\":\"xining\",\"probe_start_unix_ns\":1795431600000000000,\"sequence\":7,"
            "\"summaries\":[{\"duplicated\":0,\"duration_ns\":10000000000,\"ipdv_magnitude\":\"" +
                ipdv +
                "\",\"ipdv_max_ns\":1000000,\"ipdv_min_ns\":1000000,\"late\":0,\"lost\":1,"
                "\"method\":\"icmp\",\"one_way_unsynchronized\":0,\"received\":2,"
                "\"reordered\":0,\"rfc3550_jitter_ns\":62500,\"rtt\":\"" +
                rtt +
                "\",\"sent\":3,\"start_unix_ns\":1795435200000000000,\"target\":\"beijing\","
                "\"timestamp_source\":\"userspace\",\"untracked\":0}],\"version\":1}");
}

// A valid one-summary batch as a JSON tree, for the rejection cases to damage.
json ValidDocument() { return json::parse(EncodeBatch(ExampleBatch("xining", 5, 2))); }

struct BadCase {
  const char* name;
  std::function<void(json&)> damage;
  ErrorCode code;
  const char* message;
};

TEST(BatchCodecTest, RejectsBadBatchesWithTheirReason) {
  const BadCase cases[] = {
      {"wrong format", [](json& d) { d["format"] = "linkmon.other"; }, ErrorCode::kUnsupported,
       "format: 'linkmon.other' is not linkmon.batch"},
      {"future version", [](json& d) { d["version"] = 2; }, ErrorCode::kUnsupported,
       "version: 2 is not supported (this build reads 1)"},
      {"missing probe", [](json& d) { d.erase("probe"); }, ErrorCode::kInvalidArgument,
       "probe: required field is missing"},
      {"bad probe name", [](json& d) { d["probe"] = "Xi Ning"; }, ErrorCode::kInvalidArgument,
       "probe: site name 'Xi Ning' must be 1-63 characters of a-z, 0-9, '_' or '-', starting "
       "with a letter or digit"},
      {"probe of wrong type", [](json& d) { d["probe"] = 12; }, ErrorCode::kInvalidArgument,
       "probe: must be a string, not number"},
      {"negative sequence", [](json& d) { d["sequence"] = -1; }, ErrorCode::kInvalidArgument,
       "sequence: must not be negative"},
      {"fractional sequence", [](json& d) { d["sequence"] = 1.5; }, ErrorCode::kInvalidArgument,
       "sequence: must be an integer (no fraction or exponent, finite, < 2^64)"},
      {"zero epoch", [](json& d) { d["probe_start_unix_ns"] = 0; }, ErrorCode::kInvalidArgument,
       "probe_start_unix_ns: must be greater than 0"},
      {"unknown top-level key", [](json& d) { d["extra"] = true; }, ErrorCode::kInvalidArgument,
       "extra: unknown field"},
      {"summaries not an array", [](json& d) { d["summaries"] = "x"; }, ErrorCode::kInvalidArgument,
       "summaries: must be an array, not string"},
      {"summary not an object", [](json& d) { d["summaries"][0] = 3; }, ErrorCode::kInvalidArgument,
       "summaries[0]: must be an object, not number"},
      {"unknown method", [](json& d) { d["summaries"][0]["method"] = "smoke"; },
       ErrorCode::kInvalidArgument, "summaries[0].method: unknown method 'smoke'"},
      {"count as string", [](json& d) { d["summaries"][0]["sent"] = "10"; },
       ErrorCode::kInvalidArgument, "summaries[0].sent: must be an integer, not string"},
      {"negative count", [](json& d) { d["summaries"][1]["lost"] = -1; },
       ErrorCode::kInvalidArgument, "summaries[1].lost: must not be negative"},
      {"infinite count",
       [](json& d) { d["summaries"][0]["received"] = std::numeric_limits<double>::infinity(); },
       ErrorCode::kInvalidArgument, "summaries[0].received: must be an integer, not null"},
      {"huge count", [](json& d) { d["summaries"][0]["received"] = 1e30; },
       ErrorCode::kInvalidArgument,
       "summaries[0].received: must be an integer (no fraction or exponent, finite, < 2^64)"},
      {"negative jitter", [](json& d) { d["summaries"][0]["rfc3550_jitter_ns"] = -5; },
       ErrorCode::kInvalidArgument, "summaries[0].rfc3550_jitter_ns: must not be negative"},
      {"zero duration", [](json& d) { d["summaries"][0]["duration_ns"] = 0; },
       ErrorCode::kInvalidArgument, "summaries[0].duration_ns: must be greater than 0"},
      {"two-hour interval", [](json& d) { d["summaries"][0]["duration_ns"] = 7'200'000'000'000LL; },
       ErrorCode::kInvalidArgument, "summaries[0].duration_ns: longer than 1h"},
      {"unknown summary key", [](json& d) { d["summaries"][1]["rtt_ms"] = 12; },
       ErrorCode::kInvalidArgument, "summaries[1].rtt_ms: unknown field"},
      {"counts do not add up", [](json& d) { d["summaries"][0]["sent"] = 11; }, ErrorCode::kCorrupt,
       "summaries[0].sent: is 11 but received + late + lost + untracked is 10"},
      {"histogram of another size",
       [](json& d) {
         d["summaries"][0]["received"] = 8;
         d["summaries"][0]["lost"] = 2;
       },
       ErrorCode::kCorrupt, "summaries[0].rtt: holds 9 samples but received is 8"},
      {"histogram not base64", [](json& d) { d["summaries"][0]["rtt"] = "!!!!"; },
       ErrorCode::kInvalidArgument,
       "summaries[0].rtt: base64: character at offset 0 is not in the base64 alphabet"},
      {"histogram with a flipped byte",
       [](json& d) {
         auto bytes = DecodeBase64(d["summaries"][0]["rtt"].get<std::string>()).value();
         bytes[bytes.size() - 1] ^= 0x01;
         d["summaries"][0]["rtt"] = EncodeBase64(bytes);
       },
       ErrorCode::kCorrupt, nullptr},
      {"histogram with an impossible bucket",
       [](json& d) {
         // One sample of 2 ms re-pointed at bucket 5000 (the layout has 1651), with a valid
         // CRC-32C, so that only the structural check can refuse it.
         histogram::LogHistogram one;
         one.Record(milliseconds(2));
         std::vector<std::uint8_t> bytes = histogram::SerializeHistogram(one);
         // ... | bucket count 1 | index (two-byte varint) | count 1 | crc (4)
         ASSERT_EQ(bytes[bytes.size() - 7] & 0x80, 0x80);
         ASSERT_EQ(bytes[bytes.size() - 6] & 0x80, 0);
         bytes[bytes.size() - 7] = 0x88;  // 5000 = 0x88 0x27 as LEB128
         bytes[bytes.size() - 6] = 0x27;
         const std::uint32_t crc = histogram::Crc32c(std::span(bytes).first(bytes.size() - 4));
         for (std::size_t i = 0; i < 4; ++i) {
           bytes[bytes.size() - 4 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
         }
         d["summaries"][0]["rtt"] = EncodeBase64(bytes);
         d["summaries"][0]["received"] = 1;
         d["summaries"][0]["lost"] = 9;
       },
       ErrorCode::kCorrupt,
       "summaries[0].rtt: histogram: bucket entry 0 has index 0 + 5000, out of range 0..1650"},
      {"ipdv extremes without histogram",
       [](json& d) { d["summaries"][0].erase("ipdv_magnitude"); }, ErrorCode::kCorrupt,
       "summaries[0].ipdv_min_ns: ipdv_min_ns and ipdv_max_ns must be present exactly when "
       "ipdv_magnitude holds samples"},
      {"ipdv min above max",
       [](json& d) {
         d["summaries"][0]["ipdv_min_ns"] = 10;
         d["summaries"][0]["ipdv_max_ns"] = 5;
       },
       ErrorCode::kCorrupt, "summaries[0].ipdv_min_ns: is greater than ipdv_max_ns"},
      {"one-way without its pair", [](json& d) { d["summaries"][1].erase("reverse_delay"); },
       ErrorCode::kCorrupt,
       "summaries[1].forward_delay: forward_delay and reverse_delay hold different numbers of "
       "samples"},
      {"duplicate path and interval",
       [](json& d) {
         d["summaries"][1]["method"] = "icmp";
         d["summaries"][1].erase("forward_delay");
         d["summaries"][1].erase("reverse_delay");
       },
       ErrorCode::kInvalidArgument,
       "summaries[1]: repeats the target, method and start of an earlier summary"},
  };
  for (const BadCase& c : cases) {
    json doc = ValidDocument();
    c.damage(doc);
    auto decoded = DecodeBatch(doc.dump());
    ASSERT_FALSE(decoded.has_value()) << c.name;
    EXPECT_EQ(decoded.error().code, c.code) << c.name << ": " << decoded.error().message;
    if (c.message != nullptr) {
      EXPECT_EQ(decoded.error().message, c.message) << c.name;
    }
  }
}

TEST(BatchCodecTest, RejectsMalformedText) {
  const std::string valid = EncodeBatch(ExampleBatch("xining", 1, 3));
  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, valid.size() / 2, valid.size() - 1}) {
    auto decoded = DecodeBatch(valid.substr(0, cut));
    ASSERT_FALSE(decoded.has_value()) << cut;
    EXPECT_EQ(decoded.error().code, ErrorCode::kParse) << decoded.error().message;
  }
  for (const char* text :
       {"NaN", "{\"sequence\":NaN}", "{\"sequence\":Infinity}", "[1,2]", "\"batch\"", "{} {}"}) {
    auto decoded = DecodeBatch(text);
    ASSERT_FALSE(decoded.has_value()) << text;
    EXPECT_NE(decoded.error().message, "") << text;
  }
}

TEST(BatchCodecTest, RejectsRepeatedKeys) {
  std::string text = EncodeBatch(ExampleBatch("xining", 1, 1));
  // The last key of the root object is "version"; repeat it.
  text.insert(text.size() - 1, ",\"version\":1");
  auto decoded = DecodeBatch(text);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().message, "repeated key in a JSON object");
}

TEST(BatchCodecTest, StopsDeepNestingWithoutRecursion) {
  // A million levels: a recursive parser or an unbounded tree would exhaust stack or heap.
  const std::string deep = "{\"summaries\":" + std::string(1'000'000, '[');
  auto decoded = DecodeBatch(deep);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code, ErrorCode::kParse);
  EXPECT_EQ(decoded.error().message, "JSON nested deeper than 3 levels");

  auto object_in_summary = DecodeBatch("{\"summaries\":[{\"rtt\":{}}]}");
  ASSERT_FALSE(object_in_summary.has_value());
  EXPECT_EQ(object_in_summary.error().message, "JSON nested deeper than 3 levels");
}

TEST(BatchCodecTest, EnforcesTheSummaryLimitWhileParsing) {
  const std::string text = EncodeBatch(ExampleBatch("xining", 1, 11));
  auto refused = DecodeBatch(text, DecodeLimits{.max_summaries = 10});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kOutOfRange);
  EXPECT_EQ(refused.error().message, "summaries: more than 10 in one batch");
  EXPECT_TRUE(DecodeBatch(text, DecodeLimits{.max_summaries = 11}).has_value());

  // Scalars count too, so a long array of numbers cannot grow the tree.
  std::string numbers = "{\"summaries\":[0";
  for (int i = 0; i < 20; ++i) numbers += ",0";
  numbers += "]}";
  auto scalars = DecodeBatch(numbers, DecodeLimits{.max_summaries = 10});
  ASSERT_FALSE(scalars.has_value());
  EXPECT_EQ(scalars.error().code, ErrorCode::kOutOfRange);
}

TEST(BatchCodecTest, RejectsObjectsWithMoreFieldsThanTheFormat) {
  std::string text = "{";
  for (int i = 0; i < 30; ++i) text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
  text += "}";
  auto decoded = DecodeBatch(text);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().message, "an object has more fields than the format defines");
}

// Writes the fuzz target's seed corpus when LINKMON_WRITE_CORPUS names a directory.
TEST(BatchCodecTest, WritesSeedCorpusOnRequest) {
  const char* dir = std::getenv("LINKMON_WRITE_CORPUS");
  if (dir == nullptr) GTEST_SKIP() << "set LINKMON_WRITE_CORPUS=dir to write the seed corpus";
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(std::filesystem::path(dir) / name, std::ios::binary) << text;
  };
  write("empty.json", EncodeBatch(ExampleBatch("xining", 1, 0)));
  write("one_icmp.json", EncodeBatch(ExampleBatch("xining", 2, 1)));
  write("icmp_and_stamp.json", EncodeBatch(ExampleBatch("haidong", 3, 4)));
  json doc = ValidDocument();
  doc["summaries"][0]["sent"] = 11;
  write("counts_contradict.json", doc.dump());
}

}  // namespace
}  // namespace linkmon::batch
