// Issue 6's evidence for a full disk: the spool lives on a 256 KiB tmpfs (mounted by the test,
// which runs as root, and unmounted also when it fails) while the collector answers 503, so every
// batch stays in the spool until the file system is full. The uploader must keep accepting new
// intervals, drop or count what it cannot store, say so in its metrics, never crash, and deliver
// what it kept, in order, once the collector is back.

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "probe/upload/batch_uploader.h"
#include "tests/probe/upload/test_collector.h"

namespace linkmon::upload {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::TestCollector;

double Metric(prometheus::Registry& registry, const std::string& name) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name || family.metric.empty()) continue;
    const auto& metric = family.metric.front();
    return family.type == prometheus::MetricType::Counter ? metric.counter.value
                                                          : metric.gauge.value;
  }
  return -1;
}

std::vector<std::uint8_t> Body(std::uint64_t sequence, std::size_t padding = 2000) {
  std::string text = "batch-" + std::to_string(sequence) + ":" + std::string(padding, 'x');
  return {text.begin(), text.end()};
}

std::uint64_t SequenceOf(const std::string& body) {
  return std::stoull(body.substr(6, body.find(':') - 6));
}

class SpoolDiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("linkmon-spool-full-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=256k,mode=0700") != 0) {
      fs::remove_all(dir_);
      GTEST_SKIP() << "cannot mount a tmpfs (needs root): " << std::strerror(errno);
    }
    mounted_ = true;
    collector_.Start();
  }

  void TearDown() override {
    if (uploader_) uploader_->Stop();
    collector_.Stop();
    io_.run_for(50ms);
    uploader_.reset();
    client_.reset();
    spool_.reset();
    if (mounted_ && ::umount2(dir_.c_str(), 0) != 0) ::umount2(dir_.c_str(), MNT_DETACH);
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  bool RunUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done() && std::chrono::steady_clock::now() < deadline) io_.run_for(5ms);
    return done();
  }

  boost::asio::io_context io_;
  RealClock clock_;
  prometheus::Registry registry_;
  fs::path dir_;
  bool mounted_ = false;
  TestCollector collector_{io_, "token"};
  std::unique_ptr<BatchSpool> spool_;
  std::unique_ptr<HttpUploadClient> client_;
  std::unique_ptr<BatchUploader> uploader_;
};

TEST_F(SpoolDiskFullTest, KeepsAcceptingCountsLossesAndSaysSo) {
  collector_.set_mode(TestCollector::Mode::kUnavailable);
  // The byte bound is far above the file system's size; the free-space reserve is scaled down
  // with it, and stays above the WAL's checkpoint size as it must.
  auto spool = BatchSpool::Open({.path = dir_ / "spool.db",
                                 .max_bytes = 64 << 20,
                                 .wal_autocheckpoint_pages = 8,
                                 .min_free_bytes = 64 * 1024});
  ASSERT_TRUE(spool) << spool.error().message;
  spool_ = std::make_unique<BatchSpool>(std::move(*spool));
  auto client = HttpUploadClient::Create(
      io_, {.host = "127.0.0.1", .port = collector_.port(), .bearer_token = "token"});
  ASSERT_TRUE(client) << client.error().message;
  client_ = std::move(*client);
  UploaderOptions options;
  options.backoff = {.initial = 10ms, .cap = 50ms, .floor = 2ms};
  uploader_ = std::make_unique<BatchUploader>(io_, clock_, *spool_, *client_, registry_, options);
  uploader_->Start();

  // 300 intervals of ~2 KiB: about 600 KiB for a 256 KiB file system.
  constexpr std::uint64_t kIntervals = 300;
  std::uint64_t failed = 0;
  bool reported_unwritable = false;
  bool reported_low_space = false;
  for (std::uint64_t seq = 1; seq <= kIntervals; ++seq) {
    if (!uploader_->Submit(seq, Body(seq))) ++failed;
    reported_unwritable |= Metric(registry_, "linkmon_probe_spool_writable") == 0;
    reported_low_space |= Metric(registry_, "linkmon_probe_spool_low_disk_space") == 1;
    io_.poll();
  }
  const double dropped = Metric(registry_, "linkmon_probe_spool_dropped_batches_total");
  const double write_errors = Metric(registry_, "linkmon_probe_spool_write_errors_total");
  std::printf("disk full: %llu of %llu submits failed, %.0f oldest dropped, %.0f pending\n",
              static_cast<unsigned long long>(failed), static_cast<unsigned long long>(kIntervals),
              dropped, Metric(registry_, "linkmon_probe_spool_batches"));
  EXPECT_GT(dropped + write_errors, 0) << "the file system never filled up";
  EXPECT_EQ(write_errors, static_cast<double>(failed));
  EXPECT_EQ(reported_unwritable, failed > 0);
  EXPECT_TRUE(reported_low_space);
  EXPECT_EQ(Metric(registry_, "linkmon_probe_batches_spooled_total"),
            static_cast<double>(kIntervals - failed));

  // The collector comes back: what was kept arrives in order, and every interval is accounted
  // for as delivered, dropped or not stored.
  collector_.set_mode(TestCollector::Mode::kAccept);
  ASSERT_TRUE(RunUntil([&] { return uploader_->drained(); }));
  std::vector<std::uint64_t> delivered;
  for (const auto& body : collector_.accepted()) delivered.push_back(SequenceOf(body));
  EXPECT_TRUE(std::is_sorted(delivered.begin(), delivered.end()));
  EXPECT_EQ(std::adjacent_find(delivered.begin(), delivered.end()), delivered.end());
  ASSERT_FALSE(delivered.empty());
  EXPECT_EQ(delivered.back(), kIntervals) << "the newest interval is kept";
  EXPECT_EQ(static_cast<double>(delivered.size()) + dropped + write_errors,
            static_cast<double>(kIntervals));

  // With the spool drained there is room again, and the uploader says so.
  ASSERT_TRUE(uploader_->Submit(kIntervals + 1, Body(kIntervals + 1)));
  EXPECT_EQ(Metric(registry_, "linkmon_probe_spool_writable"), 1);
  ASSERT_TRUE(RunUntil([&] { return uploader_->drained(); }));
  EXPECT_EQ(SequenceOf(collector_.accepted().back()), kIntervals + 1);
}

// The file system fills up with something else while the spool is empty: appends fail, the
// uploader counts the lost batches and reports the spool unwritable, and recovers once there is
// room again.
TEST_F(SpoolDiskFullTest, FullFileSystemIsReportedAndSurvived) {
  auto spool = BatchSpool::Open({.path = dir_ / "spool.db",
                                 .max_bytes = 64 << 20,
                                 .wal_autocheckpoint_pages = 8,
                                 .min_free_bytes = 64 * 1024});
  ASSERT_TRUE(spool) << spool.error().message;
  spool_ = std::make_unique<BatchSpool>(std::move(*spool));
  auto client = HttpUploadClient::Create(
      io_, {.host = "127.0.0.1", .port = collector_.port(), .bearer_token = "token"});
  ASSERT_TRUE(client) << client.error().message;
  client_ = std::move(*client);
  uploader_ =
      std::make_unique<BatchUploader>(io_, clock_, *spool_, *client_, registry_, UploaderOptions{});
  collector_.set_mode(TestCollector::Mode::kUnavailable);
  uploader_->Start();

  {
    // Whatever else lives on that file system takes every free byte.
    std::FILE* filler = std::fopen((dir_ / "filler").c_str(), "wb");
    ASSERT_NE(filler, nullptr);
    const std::string block(4096, 'f');
    while (std::fwrite(block.data(), 1, block.size(), filler) == block.size()) {
    }
    std::fclose(filler);
  }
  std::uint64_t failed = 0;
  // Batches larger than the room SQLite already holds in its files, so that they need new space.
  constexpr std::size_t kLarge = 48 * 1024;
  for (std::uint64_t seq = 1; seq <= 20; ++seq) {
    if (!uploader_->Submit(seq, Body(seq, kLarge))) ++failed;
    io_.poll();
  }
  EXPECT_GT(failed, 0u);
  EXPECT_EQ(Metric(registry_, "linkmon_probe_spool_write_errors_total"),
            static_cast<double>(failed));
  EXPECT_EQ(Metric(registry_, "linkmon_probe_spool_writable"), 0);

  fs::remove(dir_ / "filler");
  ASSERT_TRUE(uploader_->Submit(21, Body(21, kLarge)));
  collector_.set_mode(TestCollector::Mode::kAccept);
  EXPECT_EQ(Metric(registry_, "linkmon_probe_spool_writable"), 1);
  ASSERT_TRUE(RunUntil([&] { return uploader_->drained(); }));
  ASSERT_FALSE(collector_.accepted().empty());
  EXPECT_EQ(SequenceOf(collector_.accepted().back()), 21u);
  // The spool file is still a sound database.
  auto reopened = BatchSpool::Open({.path = dir_ / "spool.db"});
  EXPECT_TRUE(reopened) << reopened.error().message;
}

}  // namespace
}  // namespace linkmon::upload
