// `linkmon-lab set` changes a running link: the delay fping sees moves within one second, and
// moves back, as a test or the demo causes and ends an SLA breach.

#include <algorithm>
#include <chrono>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/lab/integration/lab_fixture.h"

namespace linkmon::lab::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Reply {
  double sent = 0;  // wall-clock seconds: the printed receive time minus the RTT
  double rtt_ms = 0;
};

// fping -D lines: "[1795443053.123456] 10.77.2.2 : [12], 64 bytes, 12.1 ms (12.1 avg, 0% loss)".
std::vector<Reply> ParseTimestamped(const std::string& output) {
  std::vector<Reply> replies;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    double received = 0, rtt = 0;
    char target[64];
    int seq = 0;
    if (std::sscanf(line.c_str(), "[%lf] %63s : [%d], %*d bytes, %lf ms", &received, target, &seq,
                    &rtt) == 4) {
      replies.push_back({received - rtt / 1000, rtt});
    }
  }
  return replies;
}

class SetTest : public LabTest {};

TEST_F(SetTest, DelayChangeSeenByFpingWithinOneSecondAndUndone) {
  Up("lt3.yaml");
  BackgroundProcess& fping =
      StartInSite("xining", {"fping", "-D", "-c", "300", "-p", "10", "-t", "500", "10.77.2.2"});
  std::this_thread::sleep_for(milliseconds(800));
  const double breach_at = WallSeconds();
  Set("xining", "beijing", {"delay=20ms"});  // RTT 12 ms -> 26 ms
  std::this_thread::sleep_for(milliseconds(1000));
  const double recover_at = WallSeconds();
  Set("xining", "beijing", {"delay=6ms"});
  ASSERT_EQ(fping.Wait(seconds(15)), 0) << fping.Output();

  const std::vector<Reply> replies = ParseTimestamped(fping.Output());
  ASSERT_GT(replies.size(), 250u);
  // A reply is "slow" when its RTT is nearer 26 ms than 12 ms. A busy machine can only make a
  // reply later, never earlier, so "slow" is what it cannot fake after the change, and medians
  // judge the phases where a stalled reply could pass for slow.
  constexpr double kMidpointMs = 19.0;
  std::optional<double> first_slow, first_fast_again;
  std::vector<double> before, after_recovery;
  for (const Reply& reply : replies) {
    if (reply.sent < breach_at) {
      before.push_back(reply.rtt_ms);
    } else if (reply.sent < recover_at) {
      if (reply.rtt_ms > kMidpointMs && !first_slow) first_slow = reply.sent;
      if (reply.sent > breach_at + 1.0) {
        EXPECT_GT(reply.rtt_ms, kMidpointMs) << "a second after the change";
      }
    } else {
      if (reply.rtt_ms < kMidpointMs && !first_fast_again) first_fast_again = reply.sent;
      if (reply.sent > recover_at + 1.0) after_recovery.push_back(reply.rtt_ms);
    }
  }
  ASSERT_FALSE(before.empty());
  ASSERT_FALSE(after_recovery.empty());
  std::sort(before.begin(), before.end());
  std::sort(after_recovery.begin(), after_recovery.end());
  EXPECT_LT(before[before.size() / 2], 13.0);
  EXPECT_LT(after_recovery[after_recovery.size() / 2], 13.0);
  EXPECT_LT(after_recovery[after_recovery.size() * 95 / 100], kMidpointMs);
  ASSERT_TRUE(first_slow.has_value());
  ASSERT_TRUE(first_fast_again.has_value());
  const double breach_latency = *first_slow - breach_at;
  const double recovery_latency = *first_fast_again - recover_at;
  const std::string summary = fmt::format(
      "delay change seen {:.0f} ms after set began, recovery {:.0f} ms after (fping "
      "every 10 ms)",
      breach_latency * 1000, recovery_latency * 1000);
  std::printf("%s\n", summary.c_str());
  RecordProperty("set_latency", summary);
  EXPECT_LT(breach_latency, 1.0);
  EXPECT_LT(recovery_latency, 1.0);
}

}  // namespace
}  // namespace linkmon::lab::testing
