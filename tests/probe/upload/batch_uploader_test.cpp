#include "probe/upload/batch_uploader.h"

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/batch/batch_codec.h"
#include "tests/common/batch/batch_examples.h"
#include "tests/probe/upload/test_collector.h"
#include "tests/support/test_pki.h"

namespace linkmon::upload {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::TestCollector;

std::vector<std::uint8_t> Bytes(const std::string& text) { return {text.begin(), text.end()}; }

std::string BatchBody(std::uint64_t sequence) { return "batch-" + std::to_string(sequence); }

std::vector<std::string> Bodies(std::uint64_t first, std::uint64_t last) {
  std::vector<std::string> bodies;
  for (std::uint64_t seq = first; seq <= last; ++seq) bodies.push_back(BatchBody(seq));
  return bodies;
}

double Metric(prometheus::Registry& registry, const std::string& name,
              const std::string& label_value = "") {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      if (!label_value.empty() &&
          (metric.label.empty() || metric.label.front().value != label_value)) {
        continue;
      }
      if (family.type == prometheus::MetricType::Counter) return metric.counter.value;
      if (family.type == prometheus::MetricType::Gauge) return metric.gauge.value;
    }
  }
  return -1;
}

// The uploader, its spool in a temporary directory, its client and a test collector, all on one
// io_context that the test runs in its own thread, as the probe does.
class BatchUploaderTest : public ::testing::Test {
 protected:
  static constexpr const char* kToken = "probe-token-xining";

  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("linkmon-uploader-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    collector_.Start();
  }

  void TearDown() override {
    if (uploader_) uploader_->Stop();
    collector_.Stop();
    io_.run_for(50ms);
    uploader_.reset();
    client_.reset();
    spool_.reset();
    fs::remove_all(dir_);
  }

  void OpenSpool(const fs::path& path, std::uint64_t max_bytes = 1 << 20) {
    auto spool = BatchSpool::Open({.path = path, .max_bytes = max_bytes});
    ASSERT_TRUE(spool) << spool.error().message;
    spool_ = std::make_unique<BatchSpool>(std::move(*spool));
  }

  void MakeUploader(std::string token = kToken,
                    std::optional<exporters::TlsClientFiles> tls = std::nullopt) {
    if (!spool_) OpenSpool(dir_ / "spool.db");
    auto client = HttpUploadClient::Create(io_, {.host = "127.0.0.1",
                                                 .port = collector_.port(),
                                                 .bearer_token = std::move(token),
                                                 .tls = std::move(tls),
                                                 .connect_timeout = 1s,
                                                 .write_timeout = 1s,
                                                 .read_timeout = 2s});
    ASSERT_TRUE(client) << client.error().message;
    client_ = std::move(*client);
    UploaderOptions options;
    options.backoff = {.initial = 10ms, .cap = 80ms, .floor = 2ms};
    options.backoff_seed = 42;
    uploader_ = std::make_unique<BatchUploader>(io_, clock_, *spool_, *client_, registry_, options);
    uploader_->Start();
  }

  void Submit(std::uint64_t sequence) {
    auto submitted = uploader_->Submit(sequence, Bytes(BatchBody(sequence)));
    ASSERT_TRUE(submitted) << submitted.error().message;
  }

  // Runs the io_context until `done` holds or `timeout` passes; returns `done()`.
  bool RunUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done() && std::chrono::steady_clock::now() < deadline) io_.run_for(5ms);
    return done();
  }

  double Metric(const std::string& name, const std::string& label = "") {
    return upload::Metric(registry_, name, label);
  }

  boost::asio::io_context io_;
  RealClock clock_;
  prometheus::Registry registry_;
  fs::path dir_;
  TestCollector collector_{io_, kToken};
  std::unique_ptr<BatchSpool> spool_;
  std::unique_ptr<HttpUploadClient> client_;
  std::unique_ptr<BatchUploader> uploader_;
};

TEST_F(BatchUploaderTest, DeliversInOrderOverOneKeptAliveConnection) {
  MakeUploader();
  for (std::uint64_t seq = 1; seq <= 20; ++seq) Submit(seq);
  ASSERT_TRUE(RunUntil([&] { return uploader_->drained(); }));
  EXPECT_EQ(collector_.accepted(), Bodies(1, 20));
  EXPECT_EQ(client_->connections_opened(), 1u);
  EXPECT_EQ(Metric("linkmon_probe_batches_spooled_total"), 20);
  EXPECT_EQ(Metric("linkmon_probe_batches_acked_total"), 20);
  EXPECT_EQ(Metric("linkmon_probe_batches_sent_total"), 20);
  EXPECT_EQ(Metric("linkmon_probe_spool_batches"), 0);
  EXPECT_EQ(Metric("linkmon_probe_spool_bytes"), 0);
  EXPECT_GT(Metric("linkmon_probe_upload_last_success_timestamp_seconds"), 1.7e9);
}

// Issue 6's evidence: the collector is down for a stretch of probe intervals (503s, then no
// listener at all, then 429s), then up; every interval arrives exactly once, in order, and the
// collector's count matches the probe's own counters.
TEST_F(BatchUploaderTest, CollectorDownThenUpEveryBatchOnceInOrder) {
  MakeUploader();
  constexpr std::uint64_t kIntervals = 60;
  for (std::uint64_t seq = 1; seq <= kIntervals; ++seq) {
    if (seq == 11) collector_.set_mode(TestCollector::Mode::kUnavailable);
    if (seq == 21) collector_.Stop();
    if (seq == 36) {
      collector_.set_mode(TestCollector::Mode::kTooManyRequests);
      collector_.set_retry_after("0");
      collector_.Start();
    }
    if (seq == 46) collector_.set_mode(TestCollector::Mode::kAccept);
    Submit(seq);
    io_.run_for(15ms);  // one probe interval, shortened
  }
  ASSERT_TRUE(RunUntil([&] { return uploader_->drained(); }))
      << "accepted " << collector_.accepted().size() << " of " << kIntervals;
  EXPECT_EQ(collector_.accepted(), Bodies(1, kIntervals));
  EXPECT_EQ(Metric("linkmon_probe_batches_spooled_total"), kIntervals);
  EXPECT_EQ(Metric("linkmon_probe_batches_acked_total"),
            static_cast<double>(collector_.accepted().size()));
  EXPECT_GT(Metric("linkmon_probe_batches_retried_total"), 3);
  EXPECT_EQ(
      Metric("linkmon_probe_batches_sent_total"),
      Metric("linkmon_probe_batches_acked_total") + Metric("linkmon_probe_batches_retried_total"));
  EXPECT_EQ(Metric("linkmon_probe_spool_dropped_batches_total"), 0);
  EXPECT_EQ(uploader_->consecutive_failures(), 0);
}

// A collector whose certificate the probe cannot verify: every attempt fails its handshake, is
// counted as a TLS failure and backed off like any failure (never a fast retry loop); the batches
// stay spooled, and a probe that trusts the right CA (after a restart) delivers them all in order.
TEST_F(BatchUploaderTest, ATlsFailureBacksOffAndTheBatchesStaySpooled) {
  linkmon::testing::TestCertificateAuthority ca(dir_, "main");
  linkmon::testing::TestCertificateAuthority other_ca(dir_, "other");
  const linkmon::testing::CertificateFiles cert =
      ca.Issue("collector", {.common_name = "collector", .ip_addresses = {"127.0.0.1"}});
  auto tls = exporters::MakeTlsServerContext(
      {.certificate_chain_file = cert.certificate_file, .private_key_file = cert.key_file});
  ASSERT_TRUE(tls) << tls.error().message;
  collector_.Stop();
  collector_.set_tls(*tls);
  collector_.Start();

  MakeUploader(kToken, exporters::TlsClientFiles{.ca_file = other_ca.certificate_file()});
  for (std::uint64_t seq = 1; seq <= 3; ++seq) Submit(seq);
  ASSERT_TRUE(RunUntil([&] { return Metric("linkmon_probe_upload_tls_failures_total") >= 4; }));
  EXPECT_EQ(collector_.requests(), 0u);
  EXPECT_EQ(spool_->stats().pending_batches, 3u);
  EXPECT_GE(uploader_->consecutive_failures(), 4);  // the backoff grows with every failure
  EXPECT_EQ(Metric("linkmon_probe_batches_retried_total"),
            Metric("linkmon_probe_upload_tls_failures_total"));
  EXPECT_EQ(spool_->stats().rejected_batches, 0u);  // nothing set aside

  uploader_->Stop();
  uploader_.reset();
  client_.reset();
  MakeUploader(kToken, exporters::TlsClientFiles{.ca_file = ca.certificate_file()});
  ASSERT_TRUE(RunUntil([&] { return uploader_->drained(); }));
  EXPECT_EQ(collector_.accepted(), Bodies(1, 3));
}

TEST_F(BatchUploaderTest, ForbiddenBatchIsSetAsideAndTheQueueMovesOn) {
  collector_.Forbid(BatchBody(2));
  MakeUploader();
  for (std::uint64_t seq = 1; seq <= 4; ++seq) Submit(seq);
  ASSERT_TRUE(RunUntil([&] { return uploader_->drained(); }));
  EXPECT_EQ(collector_.accepted(), (std::vector<std::string>{"batch-1", "batch-3", "batch-4"}));
  EXPECT_EQ(Metric("linkmon_probe_batches_rejected_total", "403"), 1);
  EXPECT_EQ(Metric("linkmon_probe_batches_retried_total"), 0);
  EXPECT_EQ(spool_->stats().rejected_batches, 1u);
  EXPECT_EQ(collector_.requests(), 4u) << "a rejected batch is never sent again";
}

TEST_F(BatchUploaderTest, WrongTokenIsRejectedNotRetried) {
  MakeUploader("someone-else");
  Submit(1);
  ASSERT_TRUE(RunUntil([&] { return uploader_->drained(); }));
  EXPECT_TRUE(collector_.accepted().empty());
  EXPECT_EQ(Metric("linkmon_probe_batches_rejected_total", "401"), 1);
  EXPECT_EQ(collector_.requests(), 1u);
}

TEST_F(BatchUploaderTest, RetryAfterIsHonoured) {
  collector_.set_mode(TestCollector::Mode::kUnavailable);
  collector_.set_retry_after("1");
  MakeUploader();
  Submit(1);
  ASSERT_TRUE(RunUntil([&] { return collector_.requests() == 1; }));
  const auto first = std::chrono::steady_clock::now();
  collector_.set_mode(TestCollector::Mode::kAccept);
  ASSERT_TRUE(RunUntil([&] { return collector_.requests() == 2; }));
  // The backoff alone would wait at most 80 ms; Retry-After asks for a second.
  EXPECT_GE(std::chrono::steady_clock::now() - first, 900ms);
  ASSERT_TRUE(RunUntil([&] { return uploader_->drained(); }));
  EXPECT_EQ(collector_.accepted(), Bodies(1, 1));
}

// A restarted probe sends what its previous run left in the spool first, then its new batches.
TEST_F(BatchUploaderTest, PreviousRunsSpoolIsSentFirst) {
  {
    auto previous = BatchSpool::Open({.path = dir_ / "spool.db", .max_bytes = 1 << 20});
    ASSERT_TRUE(previous);
    for (std::uint64_t seq = 1; seq <= 3; ++seq) {
      ASSERT_TRUE(previous->Append(seq, Bytes(BatchBody(seq))));
    }
  }
  OpenSpool(dir_ / "spool.db");
  ASSERT_EQ(spool_->last_sequence(), 3u);
  MakeUploader();
  Submit(4);
  Submit(5);
  ASSERT_TRUE(RunUntil([&] { return uploader_->drained(); }));
  EXPECT_EQ(collector_.accepted(), Bodies(1, 5));
}

TEST_F(BatchUploaderTest, SpoolBoundDropsOldestWhileCollectorIsDown) {
  collector_.set_mode(TestCollector::Mode::kUnavailable);
  OpenSpool(dir_ / "spool.db", /*max_bytes=*/5 * 7);  // five "batch-N" bodies
  MakeUploader();
  for (std::uint64_t seq = 1; seq <= 8; ++seq) Submit(seq);
  EXPECT_EQ(Metric("linkmon_probe_spool_dropped_batches_total"), 3);
  EXPECT_EQ(Metric("linkmon_probe_spool_batches"), 5);
  collector_.set_mode(TestCollector::Mode::kAccept);
  ASSERT_TRUE(RunUntil([&] { return uploader_->drained(); }));
  EXPECT_EQ(collector_.accepted(), Bodies(4, 8));
}

// Real batches in the wire format of common/batch: what the collector receives decodes to exactly
// what the probe submitted, in order, also across a stretch of 503s.
TEST_F(BatchUploaderTest, EncodedBatchesArriveIntactAndInOrder) {
  MakeUploader();
  std::vector<batch::Batch> submitted;
  for (std::uint64_t seq = 1; seq <= 10; ++seq) {
    if (seq == 4) collector_.set_mode(TestCollector::Mode::kUnavailable);
    if (seq == 8) collector_.set_mode(TestCollector::Mode::kAccept);
    submitted.push_back(batch::testing::ExampleBatch("xining", seq, 6));
    auto status = uploader_->Submit(submitted.back());
    ASSERT_TRUE(status) << status.error().message;
    io_.run_for(10ms);
  }
  ASSERT_TRUE(RunUntil([&] { return uploader_->drained(); }));
  std::vector<batch::Batch> received;
  for (const auto& body : collector_.accepted()) {
    auto decoded = batch::DecodeBatch(body);
    ASSERT_TRUE(decoded) << decoded.error().message;
    received.push_back(std::move(*decoded));
  }
  EXPECT_EQ(received, submitted);
  EXPECT_EQ(spool_->last_sequence(), 10u);
}

}  // namespace
}  // namespace linkmon::upload
