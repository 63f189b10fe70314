// The store writer behind the real ingest route (IngestServer: HttpServer on 127.0.0.1, the
// writer on its own thread): concurrent uploads of several clients committed in one group,
// a batch repeated within one group applied once, a full queue answered 503 with Retry-After,
// /metrics answered while a commit is in flight, a client gone before its answer, and a stop
// that commits and answers what is queued.
//
// The test holds the writer still by holding the database's write lock on a connection of its
// own (the writer's BEGIN IMMEDIATE waits for it), so what is queued and what is in flight are
// known states, waited for, not guessed from timing.

#include "collector/ingest/store_writer.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/batch/batch_codec.h"
#include "common/sqlite/sqlite_database.h"
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
using testing::PostBatch;

constexpr int kHubs = 5;  // 10 paths per probe

class StoreWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = testing::IngestTestConfig(dir_, kHubs);
    clock_.SetSystemTime(ExampleTime() + std::chrono::minutes(1));
  }

  void TearDown() override {
    lock_.reset();
    server_.Stop();
  }

  void Start(std::size_t max_queued_batches = 256, std::size_t max_queued_summaries = 200'000) {
    ASSERT_NO_FATAL_FAILURE(server_.Start(
        config_, clock_, registry_,
        {.store = {.path = dir_ / "collector.db"},
         .ingest = IngestOptionsFromConfig(config_),
         .max_queued_batches = max_queued_batches,
         .max_queued_summaries = max_queued_summaries,
         .on_applied = [this](const batch::Batch& b) { applied_.push_back(b.sequence); }}));
  }

  // Takes the database's write lock: the writer's next transaction waits for Release().
  void HoldWriteLock() {
    auto db = sqlite::Database::Open({.path = dir_ / "collector.db"});
    ASSERT_TRUE(db.has_value()) << db.error().message;
    lock_.emplace(std::move(*db));
    ASSERT_TRUE(lock_->Begin().has_value());
  }
  void Release() {
    lock_->Rollback();
    lock_.reset();
  }

  // Waits (5 s at most) until `condition` holds; false if it never did.
  static bool Await(const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  // Posts `body` as `token` on a thread of its own; the future holds the answer.
  std::future<ClientResponse> PostAsync(std::string token, std::string body) {
    return std::async(std::launch::async, [endpoint = server_.endpoint(), token, body] {
      return PostBatch(endpoint, token, body);
    });
  }

  // Connects `socket` and sends xining's upload of `body` without reading the answer (the test
  // reads it, or leaves).
  void SendUpload(boost::asio::ip::tcp::socket& socket, const std::string& body) {
    namespace http = boost::beast::http;
    socket.connect(server_.endpoint());
    http::request<http::string_body> request{http::verb::post, "/api/v1/ingest", 11};
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::authorization, std::string("Bearer ") + testing::kXiningToken);
    request.set(http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    http::write(socket, request);
  }

  static std::string Body(const char* probe, std::uint64_t sequence, std::size_t paths = 10) {
    return batch::EncodeBatch(ExampleBatch(probe, sequence, paths));
  }
  static std::string Status(const ClientResponse& r) {
    return r.status == 200 ? json::parse(r.body)["status"].get<std::string>() : "";
  }

  bool Stored(const char* probe, std::uint64_t sequence) {
    return server_.store()
        .HasBatch(SiteName::Make(probe).value(), ExampleTime() - std::chrono::hours(1), sequence)
        .value();
  }

  linkmon::testing::TempDir temp_dir_{"linkmon-store-writer-test"};
  const std::filesystem::path& dir_ = temp_dir_.path();
  config::Config config_;
  FakeClock clock_;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  testing::IngestServer server_;
  std::optional<sqlite::Database> lock_;
  std::vector<std::uint64_t> applied_;  // written on the io thread, read after Stop
};

TEST_F(StoreWriterTest, CommitsConcurrentUploadsOfSeveralClientsInOneGroup) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(HoldWriteLock());
  // The first upload is in flight (waiting for the lock), the next five queue behind it.
  std::vector<std::future<ClientResponse>> answers;
  answers.push_back(PostAsync(testing::kXiningToken, Body("xining", 1)));
  ASSERT_TRUE(Await([&] { return server_.writer().pending() == 1; }));
  for (std::uint64_t sequence = 2; sequence <= 4; ++sequence) {
    answers.push_back(PostAsync(testing::kXiningToken, Body("xining", sequence)));
  }
  for (std::uint64_t sequence = 1; sequence <= 2; ++sequence) {
    answers.push_back(PostAsync(testing::kHaidongToken, Body("haidong", sequence)));
  }
  ASSERT_TRUE(Await([&] { return server_.writer().pending() == 6; }));
  Release();
  for (auto& answer : answers) {
    const ClientResponse r = answer.get();
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(Status(r), "applied");
  }
  // Two transactions for six batches: the first alone, the five that waited together.
  EXPECT_EQ(server_.writer().groups(), 2u);
  for (std::uint64_t sequence = 1; sequence <= 4; ++sequence)
    EXPECT_TRUE(Stored("xining", sequence));
  EXPECT_TRUE(Stored("haidong", 1));
  EXPECT_TRUE(Stored("haidong", 2));
  EXPECT_EQ(server_.store().MinuteCount().value(), 20u);  // 10 paths x 2 probes, one minute
}

TEST_F(StoreWriterTest, AppliesABatchRepeatedWithinOneGroupOnce) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(HoldWriteLock());
  auto first = PostAsync(testing::kXiningToken, Body("xining", 7));
  ASSERT_TRUE(Await([&] { return server_.writer().pending() == 1; }));
  // A retry arrives while the first copy is still queued, and another one beside it.
  std::vector<std::future<ClientResponse>> copies;
  for (int i = 0; i < 3; ++i) copies.push_back(PostAsync(testing::kXiningToken, Body("xining", 8)));
  ASSERT_TRUE(Await([&] { return server_.writer().pending() == 4; }));
  Release();
  EXPECT_EQ(Status(first.get()), "applied");
  std::map<std::string, int> statuses;
  for (auto& copy : copies) ++statuses[Status(copy.get())];
  EXPECT_EQ(statuses["applied"], 1);
  EXPECT_EQ(statuses["duplicate"], 2);
  server_.Stop();
  EXPECT_EQ(applied_, (std::vector<std::uint64_t>{7, 8}));  // listeners in commit order, once
  auto minutes = server_.store().AllPathsSince(ExampleTime());
  ASSERT_TRUE(minutes.has_value());
  ASSERT_EQ(minutes->size(), 10u);
  for (const auto& m : *minutes) EXPECT_EQ(m.summary.counts.sent, 20u);  // batches 7 and 8
}

TEST_F(StoreWriterTest, AFullQueueAnswers503WithRetryAfterAndTheApiStillAnswers) {
  ASSERT_NO_FATAL_FAILURE(Start(/*max_queued_batches=*/2));
  ASSERT_NO_FATAL_FAILURE(HoldWriteLock());
  std::vector<std::future<ClientResponse>> answers;
  answers.push_back(PostAsync(testing::kXiningToken, Body("xining", 1)));
  ASSERT_TRUE(
      Await([&] { return server_.writer().pending() == 1 && server_.writer().queued() == 0; }));
  answers.push_back(PostAsync(testing::kXiningToken, Body("xining", 2)));
  answers.push_back(PostAsync(testing::kXiningToken, Body("xining", 3)));
  ASSERT_TRUE(Await([&] { return server_.writer().queued() == 2; }));

  // A commit is in flight and the queue is full: /metrics is served, the next upload refused.
  namespace http = boost::beast::http;
  http::response<http::string_body> refused;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    SendUpload(socket, Body("xining", 4));
    boost::beast::flat_buffer buffer;
    http::read(socket, buffer, refused);
  }
  EXPECT_EQ(refused.result_int(), 503u) << refused.body();
  EXPECT_EQ(refused[http::field::retry_after], "1");  // probes retry 5xx; this says when
  EXPECT_EQ(json::parse(refused.body())["reason"], "queue_full");
  const std::string metrics = server_.Metrics();
  EXPECT_NE(metrics.find("linkmon_ingest_rejected_total{reason=\"queue_full\"} 1"),
            std::string::npos);
  Release();
  for (auto& answer : answers) EXPECT_EQ(Status(answer.get()), "applied");
  EXPECT_FALSE(Stored("xining", 4));
}

TEST_F(StoreWriterTest, BoundsTheQueuedSummariesToo) {
  // Room for 5 queued summaries: a 10-path batch still enters the empty queue, the next is
  // refused.
  ASSERT_NO_FATAL_FAILURE(Start(/*max_queued_batches=*/256, /*max_queued_summaries=*/5));
  ASSERT_NO_FATAL_FAILURE(HoldWriteLock());
  auto in_flight = PostAsync(testing::kXiningToken, Body("xining", 1));
  ASSERT_TRUE(
      Await([&] { return server_.writer().pending() == 1 && server_.writer().queued() == 0; }));
  auto queued = PostAsync(testing::kXiningToken, Body("xining", 2));
  ASSERT_TRUE(Await([&] { return server_.writer().queued() == 1; }));
  const ClientResponse refused =
      PostBatch(server_.endpoint(), testing::kXiningToken, Body("xining", 3));
  EXPECT_EQ(refused.status, 503u) << refused.body;
  EXPECT_EQ(json::parse(refused.body)["reason"], "queue_full");
  Release();
  EXPECT_EQ(Status(in_flight.get()), "applied");
  EXPECT_EQ(Status(queued.get()), "applied");
  // Drained: the queue takes a batch again.
  EXPECT_EQ(Status(PostBatch(server_.endpoint(), testing::kXiningToken, Body("xining", 4))),
            "applied");
}

TEST_F(StoreWriterTest, AClientGoneBeforeItsAnswerStillHasItsBatchCommitted) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(HoldWriteLock());
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    SendUpload(socket, Body("xining", 5));
    ASSERT_TRUE(Await([&] { return server_.writer().pending() == 1; }));
  }  // gone without waiting for the answer
  Release();
  ASSERT_TRUE(Await([&] { return server_.writer().pending() == 0; }));
  EXPECT_TRUE(Await([&] { return server_.OpenConnections() == 0; }));
  EXPECT_TRUE(Stored("xining", 5));
  EXPECT_EQ(Status(PostBatch(server_.endpoint(), testing::kXiningToken, Body("xining", 6))),
            "applied");
}

TEST_F(StoreWriterTest, AStopCommitsAndAnswersWhatIsQueuedAndRefusesNewUploads) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(HoldWriteLock());
  auto in_flight = PostAsync(testing::kXiningToken, Body("xining", 1));
  ASSERT_TRUE(Await([&] { return server_.writer().pending() == 1; }));
  auto queued = PostAsync(testing::kXiningToken, Body("xining", 2));
  ASSERT_TRUE(Await([&] { return server_.writer().pending() == 2; }));

  std::thread stopper([&] { server_.Stop(); });  // drains the writer, then stops the server
  ASSERT_TRUE(Await([&] { return server_.writer().draining(); }));
  const ClientResponse late =
      PostBatch(server_.endpoint(), testing::kXiningToken, Body("xining", 3));
  EXPECT_EQ(late.status, 503u) << late.body;
  EXPECT_EQ(json::parse(late.body)["reason"], "shutting_down");
  Release();
  EXPECT_EQ(Status(in_flight.get()), "applied");
  EXPECT_EQ(Status(queued.get()), "applied");
  stopper.join();
  EXPECT_TRUE(Stored("xining", 1));
  EXPECT_TRUE(Stored("xining", 2));
  EXPECT_FALSE(Stored("xining", 3));
}

}  // namespace
}  // namespace linkmon::ingest
