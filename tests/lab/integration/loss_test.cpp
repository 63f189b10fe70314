// Loss, duplication and reordering as fping and irtt see them. The emulator's random choices are
// seeded from the topology (lt3: seed 11), so each run loses the same packets: these statistical
// checks cannot flake, and the 99 % intervals say the seeded run is an ordinary one.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/lab/integration/lab_fixture.h"
#include "tests/lab/integration/measurements.h"

namespace linkmon::lab::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class LossTest : public LabTest {
 protected:
  void SetUp() override {
    LabTest::SetUp();
    if (!IsSkipped()) Up("lt3.yaml");
  }

  // Sends `count` echoes from Xining to Beijing at 10,000 a second.
  FpingSeries Fping(int count) {
    const CommandResult ping = InSite("xining",
                                      {"fping", "-C", std::to_string(count), "-p", "0.1", "-i",
                                       "0.05", "-t", "500", "-q", "10.77.2.2"},
                                      seconds(60));
    auto series = ParseFpingCounts(ping.output, "10.77.2.2");
    EXPECT_TRUE(series.has_value()) << ping.output.substr(0, 2000);
    return series.value_or(FpingSeries{});
  }

  std::optional<IrttRun> Irtt(int packets) {
    char path[] = "/tmp/linkmon-lab-irtt-XXXXXX.json";
    close(mkstemps(path, 5));
    const CommandResult client =
        InSite("xining",
               {"irtt", "client", "-Q", "-i", "1ms", "-d", fmt::format("{}ms", packets),
                "--fill=none", "-o", path, "10.77.2.2:2112"},
               seconds(60));
    std::ifstream file(path);
    auto json = nlohmann::json::parse(file, nullptr, false);
    std::filesystem::remove(path);
    EXPECT_EQ(client.exit_code, 0) << client.output;
    if (json.is_discarded()) return std::nullopt;
    return ParseIrtt(json);
  }

  nlohmann::json Counters(int direction) { return Status()["directions"][direction]["counters"]; }
};

TEST_F(LossTest, IndependentLossLiesInTheBinomialInterval) {
  Set("xining", "beijing", {"loss=1%"});  // one direction only: every lost echo was lost going
  const FpingSeries series = Fping(20'000);
  const auto n = static_cast<std::int64_t>(series.rtt_ms.size());
  ASSERT_EQ(n, 20'000);
  const auto lost = static_cast<std::int64_t>(series.lost());
  const CountInterval interval = Binomial99(n, 0.01);
  std::printf("lost %lld of %lld (99%% interval %lld..%lld)\n", static_cast<long long>(lost),
              static_cast<long long>(n), static_cast<long long>(interval.low),
              static_cast<long long>(interval.high));
  RecordProperty("loss_1pct", fmt::format("{} of {} lost, 99% interval {}..{}", lost, n,
                                          interval.low, interval.high));
  EXPECT_GE(lost, interval.low);
  EXPECT_LE(lost, interval.high);
  // The emulator dropped them, not the machine: it counts the same losses.
  EXPECT_EQ(Counters(0)["lost"], lost);
  // Independent losses seldom touch: mean run length 1 / (1 - 0.01).
  std::vector<bool> lost_flags;
  for (const auto& rtt : series.rtt_ms) lost_flags.push_back(!rtt.has_value());
  std::vector<double> bursts;
  for (int b : LossBursts(lost_flags)) bursts.push_back(b);
  EXPECT_LT(MeanAndSd(bursts).mean, 1.1);
}

TEST_F(LossTest, BurstyLossHasTheConfiguredMeanBurstLength) {
  Set("xining", "beijing", {"loss=5%", "loss_burst=4"});
  const FpingSeries series = Fping(20'000);
  std::vector<bool> lost_flags;
  for (const auto& rtt : series.rtt_ms) lost_flags.push_back(!rtt.has_value());
  std::vector<double> bursts;
  for (int b : LossBursts(lost_flags)) bursts.push_back(b);
  ASSERT_GT(bursts.size(), 100u);
  const MeanSd burst = MeanAndSd(bursts);
  const double half_width = 2.576 * burst.sd / std::sqrt(static_cast<double>(bursts.size()));
  // The loss ratio of a bursty channel varies more than a binomial one: the state's lag-1
  // correlation 1 - p - r widens the variance by (2 - p - r) / (p + r).
  const double r = 0.25, p = 0.05 * r / 0.95;
  const double n = static_cast<double>(series.rtt_ms.size());
  const double ratio = static_cast<double>(series.lost()) / n;
  const double ratio_half_width = 2.576 * std::sqrt(0.05 * 0.95 / n * (2 - p - r) / (p + r));
  const std::string summary = fmt::format(
      "{} bursts, mean length {:.2f} (99% interval {:.2f}..{:.2f}), loss {:.2f}% (99% interval "
      "{:.2f}..{:.2f}%)",
      bursts.size(), burst.mean, burst.mean - half_width, burst.mean + half_width, ratio * 100,
      (0.05 - ratio_half_width) * 100, (0.05 + ratio_half_width) * 100);
  std::printf("%s\n", summary.c_str());
  RecordProperty("bursty_loss", summary);
  EXPECT_NEAR(burst.mean, 4.0, half_width);
  EXPECT_NEAR(ratio, 0.05, ratio_half_width);
}

TEST_F(LossTest, IrttSeesLossOnlyInTheLossyDirection) {
  StartInSite("beijing", {"irtt", "server", "-b", "10.77.2.2:2112", "-i", "0", "--timeout=30s"});
  std::this_thread::sleep_for(milliseconds(300));
  Set("xining", "beijing", {"loss=3%"});
  const auto run = Irtt(3000);
  ASSERT_TRUE(run.has_value());
  const auto lost_up = std::count(run->lost_up.begin(), run->lost_up.end(), true);
  const CountInterval interval = Binomial99(run->packets_sent, 0.03);
  const std::string summary =
      fmt::format("irtt: {} of {} requests lost upstream (99% interval {}..{}), {} replies lost",
                  lost_up, run->packets_sent, interval.low, interval.high,
                  run->server_packets_received - run->packets_received);
  std::printf("%s\n", summary.c_str());
  RecordProperty("irtt_upstream_loss", summary);
  EXPECT_GE(lost_up, interval.low);
  EXPECT_LE(lost_up, interval.high);
  EXPECT_EQ(run->packets_sent - run->server_packets_received, lost_up);
  EXPECT_EQ(run->server_packets_received, run->packets_received) << "nothing lost coming back";
}

TEST_F(LossTest, DuplicationAndReorderingAsIrttCountsThem) {
  StartInSite("beijing", {"irtt", "server", "-b", "10.77.2.2:2112", "-i", "0", "--timeout=30s"});
  std::this_thread::sleep_for(milliseconds(300));
  // Duplicates on the way back (irtt counts duplicate replies); on the way out, 5 % of requests
  // are held 3 ms longer, so the requests sent in the next 3 ms overtake them.
  Set("beijing", "xining", {"duplicate=5%"});
  Set("xining", "beijing", {"reorder=5%", "reorder_gap=3ms"});
  const auto run = Irtt(3000);
  ASSERT_TRUE(run.has_value());
  const nlohmann::json up = Counters(0), down = Counters(1);
  const std::string summary = fmt::format(
      "irtt: {} duplicate replies of {} (emulator duplicated {}), {} late (emulator reordered {})",
      run->duplicates, run->packets_received, down["duplicated"].get<int>(), run->late_packets,
      up["reordered"].get<int>());
  std::printf("%s\n", summary.c_str());
  RecordProperty("irtt_duplicates_and_reordering", summary);
  const CountInterval duplicates = Binomial99(run->packets_received, 0.05);
  EXPECT_GE(run->duplicates, duplicates.low);
  EXPECT_LE(run->duplicates, duplicates.high);
  EXPECT_EQ(run->duplicates, down["duplicated"].get<std::int64_t>());
  const CountInterval reordered = Binomial99(run->packets_sent, 0.05);
  EXPECT_GE(up["reordered"].get<std::int64_t>(), reordered.low);
  EXPECT_LE(up["reordered"].get<std::int64_t>(), reordered.high);
  // Each held-back request arrives after those that passed it; irtt counts it late.
  EXPECT_GT(run->late_packets, 0);
  EXPECT_LE(run->late_packets, up["reordered"].get<std::int64_t>());
}

TEST_F(LossTest, JitterWithoutReorderingKeepsOrder) {
  SetBoth("xining", "beijing", {"jitter=2ms"});  // 10x the spacing of irtt's requests
  StartInSite("beijing", {"irtt", "server", "-b", "10.77.2.2:2112", "-i", "0", "--timeout=30s"});
  std::this_thread::sleep_for(milliseconds(300));
  const auto run = Irtt(2000);
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->late_packets, 0);
  const double spread = Percentile(run->rtt_ms, 0.95) - Percentile(run->rtt_ms, 0.05);
  EXPECT_GT(spread, 1.0) << "the jitter is really there";
}

}  // namespace
}  // namespace linkmon::lab::testing
