// kill -9 of the collector at random moments while a probe-like client uploads batches, over
// several rounds and at least 1,000 uploads: no acknowledged batch is lost and none is applied
// twice. The collector is the real daemon code (RunCollectorDaemon) on a real socket on
// 127.0.0.1, killed by PID with SIGKILL; the client retries the batch that was in flight when the
// collector died, as a probe's spool does.
//
// Double application would show in the data: every batch fills its own minute of 10 paths with
// exactly 10 probes sent, so a batch applied twice has 20.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "collector/store/summary_store.h"
#include "common/batch/batch_codec.h"
#include "tests/collector/ingest/http_test_client.h"
#include "tests/collector/ingest/ingest_test_config.h"
#include "tests/common/batch/batch_examples.h"
#include "tests/support/daemon_process.h"
#include "tests/support/free_port.h"

namespace linkmon::ingest {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kPathsPerBatch = 10;
constexpr std::size_t kMinUploads = 1000;
constexpr int kMinRounds = 5;
constexpr int kMaxRounds = 80;
constexpr std::chrono::seconds kTimeBudget{150};

// Ready, not only healthy: ingest answers 503 until the state rebuild finished.
bool WaitReady(const boost::asio::ip::tcp::endpoint& endpoint) {
  const auto deadline = steady_clock::now() + std::chrono::seconds(20);
  while (steady_clock::now() < deadline) {
    auto r = testing::HttpRequestTo(endpoint, boost::beast::http::verb::get, "/-/ready", {}, "",
                                    std::chrono::seconds(2));
    if (r.status == 200) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

TEST(IngestCrashTest, KillNineNeverLosesAnAcknowledgedBatchNorAppliesOneTwice) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("linkmon-crash-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::uint16_t port = linkmon::testing::FreePort();
  const std::string config_path = (dir / "linkmon.yaml").string();
  std::ofstream(config_path) << testing::IngestTestConfigYaml(dir, kPathsPerBatch / 2,
                                                              "127.0.0.1:" + std::to_string(port));
  const std::string daemon = std::string(LINKMON_BINARY_DIR) + "/tests/linkmon-crash-test-daemon";
  const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::address_v4::loopback(), port);

  // Batches fill consecutive minutes from 30 days ago: inside the 35-day retention, never ahead.
  const SystemTime base = std::chrono::floor<std::chrono::minutes>(
      std::chrono::system_clock::now() - std::chrono::hours(24 * 30));
  const SystemTime epoch = base - std::chrono::hours(1);
  auto make_batch = [&](std::uint64_t sequence) {
    batch::Batch b = batch::testing::ExampleBatch("xining", sequence, kPathsPerBatch,
                                                  base + std::chrono::minutes(sequence));
    b.probe_start = epoch;
    return batch::EncodeBatch(b);
  };

  std::mt19937 random(12345);
  std::set<std::uint64_t> acknowledged;
  std::uint64_t next_sequence = 0;
  std::optional<std::uint64_t> in_flight;  // sent, no answer: retried after the restart
  std::size_t uploads = 0;
  // Kills land 30-600 ms into a round, or up to 40 uploads' time where uploads are slower (the
  // sanitizer build on a loaded machine takes ~45 ms each), so that 80 rounds hold >= 1,000.
  std::chrono::nanoseconds upload_time{0};
  auto kill_after = [&] {
    const auto mean =
        uploads == 0 ? milliseconds(0) : upload_time / static_cast<std::int64_t>(uploads);
    const int upper = std::max<int>(
        600, static_cast<int>(40 * std::chrono::duration_cast<milliseconds>(mean).count()));
    return milliseconds(std::uniform_int_distribution<int>(30, upper)(random));
  };
  std::size_t duplicates_acknowledged = 0;
  int rounds = 0;
  const auto started = steady_clock::now();

  while ((uploads < kMinUploads || rounds < kMinRounds) && rounds < kMaxRounds &&
         steady_clock::now() - started < kTimeBudget) {
    ++rounds;
    linkmon::testing::DaemonProcess process({daemon, config_path}, (dir / "daemon.log").string());
    ASSERT_TRUE(process.started());
    ASSERT_TRUE(WaitReady(endpoint)) << "round " << rounds;

    std::atomic<bool> stop{false};
    std::thread client([&] {
      while (!stop.load()) {
        const std::uint64_t sequence = in_flight ? *in_flight : next_sequence++;
        in_flight = sequence;
        const auto sent = steady_clock::now();
        const auto r = testing::PostBatch(endpoint, testing::kXiningToken, make_batch(sequence));
        upload_time += steady_clock::now() - sent;
        ++uploads;
        if (r.status == 0) return;  // the collector died under this request
        ASSERT_EQ(r.status, 200u) << r.body;
        const std::string status = nlohmann::json::parse(r.body)["status"];
        if (status == "duplicate") ++duplicates_acknowledged;
        acknowledged.insert(sequence);
        in_flight.reset();
      }
    });
    std::this_thread::sleep_for(kill_after());
    process.Kill();
    stop = true;
    client.join();
  }
  RecordProperty("rounds", rounds);
  RecordProperty("uploads", static_cast<int>(uploads));
  std::cout << "rounds=" << rounds << " uploads=" << uploads
            << " acknowledged=" << acknowledged.size()
            << " duplicates_acknowledged=" << duplicates_acknowledged << "\n";
  EXPECT_GE(uploads, kMinUploads);
  EXPECT_GE(rounds, kMinRounds);

  // The daemon is dead; read what it left on disk.
  auto store = store::SummaryStore::Open({.path = dir / "collector.db"});
  ASSERT_TRUE(store.has_value()) << store.error().message;
  const SiteName xining = SiteName::Make("xining").value();
  auto all = (*store)->AllPathsSince(base);
  ASSERT_TRUE(all.has_value()) << all.error().message;
  std::map<SystemTime, std::size_t> paths_per_minute;
  for (const store::MinuteRecord& m : *all) {
    ++paths_per_minute[m.minute];
    EXPECT_EQ(m.summary.counts.sent, 10u)
        << "a batch was applied " << m.summary.counts.sent / 10 << " times";
  }
  std::size_t stored = 0;
  for (std::uint64_t sequence = 0; sequence < next_sequence; ++sequence) {
    const bool has_key = (*store)->HasBatch(xining, epoch, sequence).value();
    if (acknowledged.contains(sequence)) {
      EXPECT_TRUE(has_key) << "acknowledged batch " << sequence << " was lost";
    }
    // Key and data were committed together: both or neither.
    const auto it = paths_per_minute.find(base + std::chrono::minutes(sequence));
    const std::size_t paths = it == paths_per_minute.end() ? 0 : it->second;
    EXPECT_EQ(paths, has_key ? std::size_t{kPathsPerBatch} : 0u) << "batch " << sequence;
    if (has_key) ++stored;
  }
  EXPECT_EQ((*store)->BatchCount().value(), stored);
  EXPECT_GE(stored, acknowledged.size());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace linkmon::ingest
