// IngestService behind the real HttpServer on 127.0.0.1: every kind of bad batch is refused with
// its status, reason and metric, and the collector keeps accepting good batches in between.

#include "collector/ingest/ingest_service.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/asio/post.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "collector/ingest/gzip_decoder.h"
#include "collector/ingest/ingest_route.h"
#include "common/batch/base64.h"
#include "common/batch/batch_codec.h"
#include "common/histogram/histogram_codec.h"
#include "exporters/http/http_server.h"
#include "exporters/http/standard_routes.h"
#include "tests/collector/ingest/http_test_client.h"
#include "tests/collector/ingest/ingest_server.h"
#include "tests/collector/ingest/ingest_test_config.h"
#include "tests/common/batch/batch_examples.h"
#include "tests/support/temp_dir.h"

namespace linkmon::ingest {
namespace {

using batch::testing::ExampleBatch;
using batch::testing::ExampleTime;
using nlohmann::json;
using testing::ClientResponse;
using testing::kHaidongToken;
using testing::kXiningToken;
using testing::PostBatch;

constexpr int kHubs = 25;  // 50 paths per probe
constexpr std::size_t kMaxBody = 256 * 1024;

class IngestServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = testing::IngestTestConfig(dir_, kHubs);
    clock_.SetSystemTime(ExampleTime() + std::chrono::minutes(1));
    IngestOptions options = IngestOptionsFromConfig(config_);
    options.max_body_bytes = kMaxBody;
    options.max_summaries_per_batch = 60;
    ASSERT_NO_FATAL_FAILURE(
        server_.Start(config_, clock_, registry_,
                      {.store = {.path = dir_ / "collector.db", .replay_window = 1024},
                       .ingest = options,
                       .http = {.max_body_bytes = kMaxBody},
                       .on_applied = [this](const batch::Batch& b) {
                         applied_sequences_.push_back(b.sequence);
                       }}));
    endpoint_ = server_.endpoint();
  }

  void TearDown() override { server_.Stop(); }

  // A good batch of 50 paths with a fresh sequence: must be applied.
  void ExpectGoodBatchApplied() {
    const std::uint64_t sequence = next_sequence_++;
    const ClientResponse r = PostBatch(endpoint_, kXiningToken,
                                       batch::EncodeBatch(ExampleBatch("xining", sequence, 50)));
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(json::parse(r.body)["status"], "applied");
  }

  linkmon::testing::TempDir temp_dir_{"linkmon-ingest-test"};
  const std::filesystem::path& dir_ = temp_dir_.path();
  config::Config config_;
  FakeClock clock_;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  testing::IngestServer server_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::vector<std::uint64_t> applied_sequences_;  // written on the io thread, read after Stop
  std::uint64_t next_sequence_ = 100;
};

std::string Damaged(const std::function<void(json&)>& damage, std::size_t paths = 2) {
  json doc = json::parse(batch::EncodeBatch(ExampleBatch("xining", 7, paths)));
  damage(doc);
  return doc.dump();
}

// Gzip of `megabytes` MiB of spaces (valid JSON whitespace), deflated in chunks.
std::string WhitespaceBomb(std::size_t megabytes) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
  std::string chunk(1024 * 1024, ' ');
  std::string out;
  std::vector<unsigned char> buffer(64 * 1024);
  for (std::size_t i = 0; i <= megabytes; ++i) {
    const bool last = i == megabytes;
    z.next_in = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_in = last ? 0 : static_cast<uInt>(chunk.size());
    do {
      z.next_out = buffer.data();
      z.avail_out = static_cast<uInt>(buffer.size());
      deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
      out.append(reinterpret_cast<char*>(buffer.data()), buffer.size() - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return out;
}

struct BadBatch {
  const char* name;
  std::string token;
  std::string body;
  std::map<std::string, std::string> headers;
  unsigned status;
  const char* reason;   // ingest's reason label; nullptr when the HTTP server refuses first
  const char* message;  // expected "error" text, or a prefix of it ending in '*'
};

TEST_F(IngestServiceTest, RefusesEachBadBatchWithItsReasonAndKeepsServing) {
  ExpectGoodBatchApplied();
  // Another epoch of the probe (it restarted a second later) reaches sequence 5000.
  const auto later_epoch = [](batch::Batch b) {
    b.probe_start += std::chrono::seconds(1);
    return b;
  };
  {
    const ClientResponse r = PostBatch(
        endpoint_, kXiningToken, batch::EncodeBatch(later_epoch(ExampleBatch("xining", 5000, 1))));
    ASSERT_EQ(r.status, 200u) << r.body;
  }
  const std::string good = batch::EncodeBatch(ExampleBatch("xining", 7, 2));
  batch::Batch unknown_probe = ExampleBatch("golmud", 7, 0);
  batch::Batch future = ExampleBatch("xining", 7, 2, ExampleTime() + std::chrono::minutes(10));
  future.created = ExampleTime() + std::chrono::seconds(20);  // only the summaries are ahead
  batch::Batch future_batch = ExampleBatch("xining", 7, 2);
  future_batch.created = ExampleTime() + std::chrono::hours(1);
  batch::Batch too_old = ExampleBatch("xining", 7, 2, ExampleTime() - std::chrono::hours(24 * 36));
  std::string deep = "{\"format\":\"linkmon.batch\",\"summaries\":[[[[[[[[[[[[]]]]]]]]]]]]}";

  const BadBatch cases[] = {
      {"no token", "", good, {}, 401, "unauthenticated", "missing or unknown bearer token"},
      {"wrong token",
       "xining-token-0123456789abcdeX",
       good,
       {},
       401,
       "unauthenticated",
       "missing or unknown bearer token"},
      {"another probe's token",
       kHaidongToken,
       good,
       {},
       403,
       "token_mismatch",
       "the token is not probe 'xining''s; it belongs to another probe site"},
      {"not JSON content type",
       kXiningToken,
       good,
       {{"Content-Type", "text/plain"}},
       415,
       "unsupported_media",
       "Content-Type must be application/json"},
      {"unknown encoding",
       kXiningToken,
       good,
       {{"Content-Encoding", "br"}},
       415,
       "unsupported_media",
       "Content-Encoding must be gzip or identity"},
      {"truncated", kXiningToken, good.substr(0, good.size() / 2), {}, 400, "malformed", "JSON: *"},
      {"oversized on the wire",
       kXiningToken,
       std::string(kMaxBody + 1, ' '),
       {},
       413,
       nullptr,
       "request body larger than 262144 bytes"},
      {"gzip bomb",
       kXiningToken,
       WhitespaceBomb(64),
       {{"Content-Encoding", "gzip"}},
       413,
       "decompressed_too_large",
       "gzip: decompresses to more than 8388608 bytes"},
      {"not gzip",
       kXiningToken,
       good,
       {{"Content-Encoding", "gzip"}},
       400,
       "bad_gzip",
       "gzip: incorrect header check"},
      {"count of wrong type",
       kXiningToken,
       Damaged([](json& d) { d["summaries"][0]["sent"] = "10"; }),
       {},
       400,
       "schema",
       "summaries[0].sent: must be an integer, not string"},
      {"NaN",
       kXiningToken,
       [&] {
         std::string text = Damaged([](json& d) { d["summaries"][0]["rfc3550_jitter_ns"] = 1; });
         text.replace(text.find("\"rfc3550_jitter_ns\":1"), 21, "\"rfc3550_jitter_ns\":NaN");
         return text;
       }(),
       {},
       400,
       "malformed",
       "JSON: *"},
      {"Inf",
       kXiningToken,
       [&] {
         std::string text = Damaged([](json& d) { d["summaries"][0]["rfc3550_jitter_ns"] = 1; });
         text.replace(text.find("\"rfc3550_jitter_ns\":1"), 21, "\"rfc3550_jitter_ns\":1e999");
         return text;
       }(),
       {},
       400,
       "malformed",
       "JSON: [json.exception.out_of_range.406] number overflow parsing '1e999'"},
      {"fraction",
       kXiningToken,
       Damaged([](json& d) { d["summaries"][0]["rfc3550_jitter_ns"] = 1.5; }),
       {},
       400,
       "schema",
       "summaries[0].rfc3550_jitter_ns: must be an integer (no fraction or exponent, finite, "
       "64-bit)"},
      {"negative count",
       kXiningToken,
       Damaged([](json& d) { d["summaries"][1]["lost"] = -1; }),
       {},
       400,
       "schema",
       "summaries[1].lost: must not be negative"},
      {"impossible histogram",
       kXiningToken,
       Damaged([](json& d) {
         histogram::LogHistogram one;
         one.Record(std::chrono::milliseconds(2));
         std::vector<std::uint8_t> bytes = histogram::SerializeHistogram(one);
         bytes[bytes.size() - 7] = 0x88;  // bucket index 5000
         bytes[bytes.size() - 6] = 0x27;
         const std::uint32_t crc = histogram::Crc32c(std::span(bytes).first(bytes.size() - 4));
         for (std::size_t i = 0; i < 4; ++i) {
           bytes[bytes.size() - 4 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
         }
         d["summaries"][0]["rtt"] = batch::EncodeBase64(bytes);
       }),
       {},
       422,
       "inconsistent",
       "summaries[0].rtt: histogram: bucket entry 0 has index *"},
      {"counts contradict",
       kXiningToken,
       Damaged([](json& d) { d["summaries"][0]["sent"] = 11; }),
       {},
       422,
       "inconsistent",
       "summaries[0].sent: is 11 but received + late + lost + untracked is 10"},
      {"unsupported version",
       kXiningToken,
       Damaged([](json& d) { d["version"] = 2; }),
       {},
       400,
       "unsupported_version",
       "version: 2 is not supported (this build reads 1)"},
      {"deep nesting",
       kXiningToken,
       deep,
       {},
       400,
       "malformed",
       "JSON nested deeper than 3 levels"},
      {"too many summaries",
       kXiningToken,
       batch::EncodeBatch(ExampleBatch("xining", 7, 61)),
       {},
       413,
       "too_many_summaries",
       "summaries: more than 60 in one batch"},
      {"unknown probe",
       kXiningToken,
       batch::EncodeBatch(unknown_probe),
       {},
       422,
       "unknown_probe",
       "probe 'golmud' is not configured"},
      {"unknown path",
       kXiningToken,
       batch::EncodeBatch(ExampleBatch("xining", 7, 52)),
       {},
       422,
       "unknown_path",
       "summaries[50]: path xining->hub-25/icmp is not configured"},
      {"sequence replayed from far back",
       kXiningToken,
       batch::EncodeBatch(later_epoch(ExampleBatch("xining", 3, 2))),
       {},
       409,
       "stale_sequence",
       "sequence 3 is far below 5000, the highest stored for this probe start; not a retry"},
      {"future timestamps",
       kXiningToken,
       batch::EncodeBatch(future),
       {},
       422,
       "future_timestamp",
       "summaries[0]: interval ends at *"},
      {"batch created in the future",
       kXiningToken,
       batch::EncodeBatch(future_batch),
       {},
       422,
       "future_timestamp",
       "created_unix_ns 1795438800000000000 or probe_start_unix_ns *"},
      {"older than the retention",
       kXiningToken,
       batch::EncodeBatch(too_old),
       {},
       422,
       "too_old",
       "summaries[0]: interval starts at *"},
  };

  for (const BadBatch& c : cases) {
    SCOPED_TRACE(c.name);
    const ClientResponse r = PostBatch(endpoint_, c.token, c.body, c.headers);
    ASSERT_EQ(r.status, c.status) << r.body;
    const json body = json::parse(r.body);
    const std::string error = body["error"];
    const std::string expected = c.message;
    if (!expected.empty() && expected.back() == '*') {
      EXPECT_EQ(error.substr(0, expected.size() - 1), expected.substr(0, expected.size() - 1));
    } else {
      EXPECT_EQ(error, expected);
    }
    if (c.reason != nullptr) {
      EXPECT_EQ(body["reason"], c.reason);
    }
    ExpectGoodBatchApplied();
  }

  const std::string metrics = server_.Metrics();
  for (const BadBatch& c : cases) {
    if (c.reason == nullptr) continue;
    EXPECT_NE(
        metrics.find(std::string("linkmon_ingest_rejected_total{reason=\"") + c.reason + "\"}"),
        std::string::npos)
        << c.reason;
  }
  EXPECT_NE(metrics.find("linkmon_ingest_rejected_total{reason=\"unauthenticated\"} 2"),
            std::string::npos);
  EXPECT_NE(metrics.find("linkmon_ingest_rejected_total{reason=\"inconsistent\"} 2"),
            std::string::npos);
  // One good batch per case, the first one and the one at 5000.
  const std::string applied =
      "linkmon_ingest_batches_total{outcome=\"applied\"} " + std::to_string(std::size(cases) + 2);
  EXPECT_NE(metrics.find(applied), std::string::npos) << metrics;
  // Nothing of the refused batches reached the store.
  auto reader = store::SummaryStore::Open({.path = dir_ / "collector.db"});
  ASSERT_TRUE(reader.has_value());
  EXPECT_EQ((*reader)->BatchCount().value(), std::size(cases) + 2);
  EXPECT_FALSE(
      (*reader)
          ->HasBatch(SiteName::Make("xining").value(), ExampleTime() - std::chrono::hours(1), 7)
          .value());
}

TEST_F(IngestServiceTest, AcknowledgesADuplicateAndAppliesItOnce) {
  const std::string body = batch::EncodeBatch(ExampleBatch("xining", 42, 50));
  const ClientResponse first = PostBatch(endpoint_, kXiningToken, body);
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(json::parse(first.body)["status"], "applied");
  const ClientResponse again =
      PostBatch(endpoint_, kXiningToken, Gzip(body), {{"Content-Encoding", "gzip"}});
  ASSERT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(json::parse(again.body)["status"], "duplicate");
  EXPECT_EQ(json::parse(again.body)["sequence"], 42);

  const std::string metrics = server_.Metrics();
  EXPECT_NE(metrics.find("linkmon_ingest_batches_total{outcome=\"duplicate\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("linkmon_ingest_summaries_total 50"), std::string::npos);
  EXPECT_NE(metrics.find("linkmon_ingest_duration_seconds_count 2"), std::string::npos);
  EXPECT_EQ(metrics.find("linkmon_store_size_bytes 0\n"), std::string::npos);

  server_.Stop();
  EXPECT_EQ(applied_sequences_, std::vector<std::uint64_t>{42});
  auto minutes = server_.store().AllPathsSince(ExampleTime());
  ASSERT_EQ(minutes->size(), 50u);
  for (const auto& m : *minutes) EXPECT_EQ(m.summary.counts.sent, 10u);
}

TEST_F(IngestServiceTest, AReloadTakesNewTokensAndPathsAndABrokenTokenFileChangesNothing) {
  ExpectGoodBatchApplied();
  // Reconfigure runs where requests are handled: on the io thread.
  auto reconfigure = [this](const config::Config& config) {
    std::promise<Status> done;
    boost::asio::post(server_.io(), [&] { done.set_value(server_.service().Reconfigure(config)); });
    return done.get_future().get();
  };
  // The new config: one hub (two paths per probe), and xining's token rotated.
  config::Config smaller = testing::IngestTestConfig(dir_, 1);
  const std::string rotated = "xining-rotated-token-0123456789";
  std::ofstream(dir_ / "xining.token", std::ios::trunc) << rotated << "\n";
  ASSERT_TRUE(reconfigure(smaller));

  const std::string two_paths = batch::EncodeBatch(ExampleBatch("xining", 200, 2));
  EXPECT_EQ(PostBatch(endpoint_, kXiningToken, two_paths).status, 401u);
  const ClientResponse applied = PostBatch(endpoint_, rotated, two_paths);
  EXPECT_EQ(applied.status, 200u) << applied.body;
  const ClientResponse dropped =
      PostBatch(endpoint_, rotated, batch::EncodeBatch(ExampleBatch("xining", 201, 4)));
  EXPECT_EQ(dropped.status, 422u) << dropped.body;
  EXPECT_EQ(json::parse(dropped.body)["reason"], "unknown_path");
  EXPECT_EQ(
      PostBatch(endpoint_, kHaidongToken, batch::EncodeBatch(ExampleBatch("haidong", 1, 2))).status,
      200u);

  // A token file that cannot be read refuses the reload; the running tokens and paths stay.
  std::filesystem::remove(dir_ / "xining.token");
  auto refused = reconfigure(config_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kIo) << refused.error().message;
  EXPECT_EQ(
      PostBatch(endpoint_, rotated, batch::EncodeBatch(ExampleBatch("xining", 202, 2))).status,
      200u);
  EXPECT_EQ(
      PostBatch(endpoint_, rotated, batch::EncodeBatch(ExampleBatch("xining", 203, 4))).status,
      422u);
}

}  // namespace
}  // namespace linkmon::ingest
