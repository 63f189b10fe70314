// DecodeBatch parses plain input with simdjson and everything else with nlohmann-json's SAX
// parser (batch_decoder.cpp): both must give one result, the same batch or the same error, on
// valid batches, on damaged ones, with keys in any order and with the numbers where the two
// parsers' types could differ.

#include "common/batch/batch_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "tests/common/batch/batch_examples.h"

namespace linkmon::batch {
namespace {

using nlohmann::json;

// `value` as JSON text with the keys of every object in a random order.
std::string Shuffled(const json& value, std::mt19937& random) {
  if (value.is_object()) {
    std::vector<std::pair<std::string, const json*>> items;
    for (auto it = value.begin(); it != value.end(); ++it) items.emplace_back(it.key(), &*it);
    std::shuffle(items.begin(), items.end(), random);
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
      out += (i > 0 ? "," : "") + json(items[i].first).dump() + ":" +
             Shuffled(*items[i].second, random);
    }
    return out + "}";
  }
  if (value.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < value.size(); ++i) {
      out += (i > 0 ? "," : "") + Shuffled(value[i], random);
    }
    return out + "]";
  }
  return value.dump();
}

void ExpectOneResult(const std::string& text, const DecodeLimits& limits) {
  auto fast = DecodeBatch(text, limits);
  auto reference = internal::DecodeWithReferenceParser(text, limits);
  ASSERT_EQ(fast.has_value(), reference.has_value())
      << text.substr(0, 300) << "\n"
      << (fast ? reference.error().message : fast.error().message);
  if (fast) {
    EXPECT_EQ(*fast, *reference) << text.substr(0, 300);
  } else {
    EXPECT_EQ(fast.error().code, reference.error().code) << text.substr(0, 300);
    EXPECT_EQ(fast.error().message, reference.error().message) << text.substr(0, 300);
  }
}

TEST(BatchDecoderTest, BothParsersGiveOneResultOnDamagedBatches) {
  std::mt19937 random(20261204);
  const std::vector<std::string> keys = {"format",
                                         "version",
                                         "probe",
                                         "probe_start_unix_ns",
                                         "sequence",
                                         "created_unix_ns",
                                         "summaries",
                                         "target",
                                         "method",
                                         "start_unix_ns",
                                         "duration_ns",
                                         "timestamp_source",
                                         "sent",
                                         "received",
                                         "lost",
                                         "rtt",
                                         "ipdv_magnitude",
                                         "ipdv_min_ns",
                                         "rfc3550_jitter_ns",
                                         "forward_delay",
                                         "throughput_bits_per_second",
                                         "extra",
                                         "aaa"};
  const std::vector<json> values = {json(nullptr),
                                    json(true),
                                    json(-1),
                                    json(0),
                                    json(1),
                                    json(1.5),
                                    json("x"),
                                    json("icmp"),
                                    json::array(),
                                    json::object(),
                                    json::array({1, 2}),
                                    json({{"a", 1}}),
                                    json(18446744073709551615ull),
                                    json(-9223372036854775807ll - 1),
                                    json("!!!!"),
                                    json("AQIAAIDsuAuA9bIMgOHrFwLeBgEIAUhScak="),
                                    json(1795435200000000000ll)};
  // Numbers where simdjson's and nlohmann's types could part, and text outside the plain form.
  const std::vector<std::string> numbers = {
      "-0",           "-0.0", "1e400", "18446744073709551616", "-9223372036854775809",
      "01",           "1.0",  "-0e1",  "9223372036854775808",  "\"a\\u0041\"",
      "\"\xc3\xa9\"", " -0 ", "\"\t\""};
  for (int iteration = 0; iteration < 5000; ++iteration) {
    json doc = json::parse(EncodeBatch(testing::ExampleBatch("xining", 5, 1 + iteration % 4)));
    for (int edit = 0; edit < 1 + static_cast<int>(random() % 3); ++edit) {
      json* object = &doc;
      if (random() % 2 == 0 && doc["summaries"].is_array() && !doc["summaries"].empty()) {
        object = &doc["summaries"][random() % doc["summaries"].size()];
      }
      if (!object->is_object()) continue;
      const std::string& key = keys[random() % keys.size()];
      switch (random() % 5) {
        case 0:
          object->erase(key);
          break;
        case 1:
        case 2:
          (*object)[key] = values[random() % values.size()];
          break;
        case 3:
          if (doc["summaries"].is_array()) doc["summaries"].push_back(doc["summaries"][0]);
          break;
        default:
          if (doc["summaries"].is_array()) {
            doc["summaries"].push_back(values[random() % values.size()]);
          }
          break;
      }
    }
    std::string text = random() % 2 == 0 ? doc.dump() : Shuffled(doc, random);
    switch (random() % 6) {
      case 0:
        text.resize(random() % (text.size() + 1));
        break;
      case 1:
        text[random() % text.size()] = "{}[],:\"0-. eE\\\x80"[random() % 16];
        break;
      case 2:
        if (const auto at = text.find("\"sent\":"); at != std::string::npos) {
          text.insert(at, "\"sent\":1,");
        }
        break;
      case 3: {
        std::size_t at = 0;
        for (int n = static_cast<int>(random() % 20); n >= 0 && at != std::string::npos; --n) {
          at = text.find(':', at + 1);
        }
        if (at == std::string::npos) break;
        const auto end = text.find_first_of(",}]", at + 1);
        if (end != std::string::npos) {
          text.replace(at + 1, end - at - 1, numbers[random() % numbers.size()]);
        }
        break;
      }
      default:
        break;
    }
    SCOPED_TRACE(iteration);
    ASSERT_NO_FATAL_FAILURE(ExpectOneResult(text, {}));
    ASSERT_NO_FATAL_FAILURE(
        ExpectOneResult(text, DecodeLimits{.max_summaries = 1 + random() % 6, .max_depth = 3}));
  }
}

TEST(BatchDecoderTest, BothParsersGiveOneResultOnOddDocuments) {
  for (const char* text :
       {"", " ", "5", "-0", "\"x\"", "null", "[]", "{}", "{} {}", "[1", "{\"a\":{\"b\":{}}}",
        "{\"summaries\":[[1,2],3]}", "{\"probe\":[1,2,3,4,5,6,7,8,9,10,11,12]}",
        "{\"a\":1,\"a\":2}", "{\"probe\":{\"a\":1,\"a\":2}}", "{\"sequence\":-0}",
        "{\"format\":\"linkmon.batch\",\"version\":1,\"probe\":\"x\",\"probe_start_unix_ns\":1,"
        "\"sequence\":-0,\"created_unix_ns\":1,\"summaries\":[]}"}) {
    SCOPED_TRACE(text);
    for (int depth : {1, 3, 5}) {
      ExpectOneResult(text, DecodeLimits{.max_summaries = 3, .max_depth = depth});
    }
  }
}

}  // namespace
}  // namespace linkmon::batch
