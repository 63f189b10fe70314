// kill -9 of the collector at random moments while probe-like clients upload batches, over
// several rounds and at least 1,000 uploads: no acknowledged batch is lost and none is applied
// twice. The collector is the real daemon code (RunCollectorDaemon) on a real socket on
// 127.0.0.1, killed by PID with SIGKILL; each client retries the batch that was in flight when
// the collector died, as a probe's spool does. Two clients (two probes) upload at once, so the
// store writer commits groups of uploads and kills land inside group commits too.
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
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <vector>

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
  auto make_batch = [&](const std::string& probe, std::uint64_t sequence) {
    batch::Batch b = batch::testing::ExampleBatch(probe, sequence, kPathsPerBatch,
                                                  base + std::chrono::minutes(sequence));
    b.probe_start = epoch;
    return batch::EncodeBatch(b);
  };

  // One probe's uploads: what it sent, what was acknowledged, what it retries.
  struct Client {
    std::string probe;
    std::string token;
    std::set<std::uint64_t> acknowledged = {};
    std::uint64_t next_sequence = 0;
    std::optional<std::uint64_t> in_flight = std::nullopt;  // sent, no answer: retried later
    std::size_t uploads = 0;
    std::size_t duplicates_acknowledged = 0;
    std::chrono::nanoseconds upload_time{0};
  };
  std::vector<Client> clients = {{.probe = "xining", .token = testing::kXiningToken},
                                 {.probe = "haidong", .token = testing::kHaidongToken}};
  auto total_uploads = [&] {
    std::size_t n = 0;
    for (const Client& c : clients) n += c.uploads;
    return n;
  };

  std::mt19937 random(12345);
  // Kills land 30-600 ms into a round, or up to 40 uploads' time where uploads are slower (the
  // sanitizer build on a loaded machine takes ~45 ms each), so that 80 rounds hold >= 1,000.
  auto kill_after = [&] {
    std::chrono::nanoseconds time{0};
    for (const Client& c : clients) time += c.upload_time;
    const std::size_t uploads = total_uploads();
    const auto mean = uploads == 0 ? milliseconds(0) : time / static_cast<std::int64_t>(uploads);
    const int upper = std::max<int>(
        600, static_cast<int>(40 * std::chrono::duration_cast<milliseconds>(mean).count()));
    return milliseconds(std::uniform_int_distribution<int>(30, upper)(random));
  };
  int rounds = 0;
  const auto started = steady_clock::now();

  while ((total_uploads() < kMinUploads || rounds < kMinRounds) && rounds < kMaxRounds &&
         steady_clock::now() - started < kTimeBudget) {
    ++rounds;
    linkmon::testing::DaemonProcess process({daemon, config_path}, (dir / "daemon.log").string());
    ASSERT_TRUE(process.started());
    ASSERT_TRUE(WaitReady(endpoint)) << "round " << rounds;

    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (Client& client : clients) {
      threads.emplace_back([&, &c = client] {
        while (!stop.load()) {
          const std::uint64_t sequence = c.in_flight ? *c.in_flight : c.next_sequence++;
          c.in_flight = sequence;
          const auto sent = steady_clock::now();
          const auto r = testing::PostBatch(endpoint, c.token, make_batch(c.probe, sequence));
          c.upload_time += steady_clock::now() - sent;
          ++c.uploads;
          if (r.status == 0) return;  // the collector died under this request
          ASSERT_EQ(r.status, 200u) << r.body;
          const std::string status = nlohmann::json::parse(r.body)["status"];
          if (status == "duplicate") ++c.duplicates_acknowledged;
          c.acknowledged.insert(sequence);
          c.in_flight.reset();
        }
      });
    }
    std::this_thread::sleep_for(kill_after());
    process.Kill();
    stop = true;
    for (std::thread& t : threads) t.join();
  }
  RecordProperty("rounds", rounds);
  RecordProperty("uploads", static_cast<int>(total_uploads()));
  for (const Client& c : clients) {
    std::cout << "probe=" << c.probe << " rounds=" << rounds << " uploads=" << c.uploads
              << " acknowledged=" << c.acknowledged.size()
              << " duplicates_acknowledged=" << c.duplicates_acknowledged << "\n";
  }
  EXPECT_GE(total_uploads(), kMinUploads);
  EXPECT_GE(rounds, kMinRounds);

  // The daemon is dead; read what it left on disk.
  auto store = store::SummaryStore::Open({.path = dir / "collector.db"});
  ASSERT_TRUE(store.has_value()) << store.error().message;
  auto all = (*store)->AllPathsSince(base);
  ASSERT_TRUE(all.has_value()) << all.error().message;
  std::map<std::pair<std::string, SystemTime>, std::size_t> paths_per_minute;
  for (const store::MinuteRecord& m : *all) {
    ++paths_per_minute[{m.path.source.str(), m.minute}];
    EXPECT_EQ(m.summary.counts.sent, 10u)
        << "a batch was applied " << m.summary.counts.sent / 10 << " times";
  }
  std::size_t stored = 0;
  std::size_t acknowledged = 0;
  for (const Client& c : clients) {
    const SiteName probe = SiteName::Make(c.probe).value();
    for (std::uint64_t sequence = 0; sequence < c.next_sequence; ++sequence) {
      const bool has_key = (*store)->HasBatch(probe, epoch, sequence).value();
      if (c.acknowledged.contains(sequence)) {
        EXPECT_TRUE(has_key) << "acknowledged batch " << c.probe << " " << sequence << " was lost";
      }
      // Key and data were committed together: both or neither.
      const auto it = paths_per_minute.find({c.probe, base + std::chrono::minutes(sequence)});
      const std::size_t paths = it == paths_per_minute.end() ? 0 : it->second;
      EXPECT_EQ(paths, has_key ? std::size_t{kPathsPerBatch} : 0u)
          << "batch " << c.probe << " " << sequence;
      if (has_key) ++stored;
    }
    acknowledged += c.acknowledged.size();
  }
  EXPECT_EQ((*store)->BatchCount().value(), stored);
  EXPECT_GE(stored, acknowledged);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace linkmon::ingest
