#include "probe/probers/probe_scheduler.h"

#include <map>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "probe/probers/stamp_prober.h"
#include "probe/reflector/stamp_reflector.h"

namespace linkmon::probers {
namespace {

using boost::asio::ip::make_address;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

TEST(SpreadOffsetTest, PhasesPathsEvenlyOverTheInterval) {
  EXPECT_EQ(SpreadOffset(0, 4, std::chrono::seconds(1)), milliseconds(0));
  EXPECT_EQ(SpreadOffset(1, 4, std::chrono::seconds(1)), milliseconds(250));
  EXPECT_EQ(SpreadOffset(3, 4, std::chrono::seconds(1)), milliseconds(750));
  // 1,000 targets at 1 probe/s: one probe every millisecond.
  EXPECT_EQ(SpreadOffset(999, 1000, std::chrono::seconds(1)), milliseconds(999));
  // No overflow with long intervals and many paths.
  EXPECT_EQ(SpreadOffset(99'999, 100'000, std::chrono::hours(24)),
            nanoseconds(std::chrono::hours(24)) / 100'000 * 99'999);
  EXPECT_EQ(SpreadOffset(0, 0, std::chrono::seconds(1)), nanoseconds(0));
}

TEST(NextSendWakeTest, WakesAtTheNextProbeButAtMostOncePerSlot) {
  const MonotonicTime turn(milliseconds(100));
  // The next probe is due after the slot: wake for it.
  EXPECT_EQ(NextSendWake(MonotonicTime(milliseconds(110)), turn, milliseconds(4), false),
            MonotonicTime(milliseconds(110)));
  // Due within the slot: it waits for the slot's end and leaves with the others due by then.
  EXPECT_EQ(NextSendWake(MonotonicTime(milliseconds(101)), turn, milliseconds(4), false),
            MonotonicTime(milliseconds(104)));
  // No slot: every probe at its time.
  EXPECT_EQ(NextSendWake(MonotonicTime(milliseconds(101)), turn, milliseconds(0), false),
            MonotonicTime(milliseconds(101)));
  // The turn stopped at its cap with probes overdue: at once.
  EXPECT_EQ(NextSendWake(MonotonicTime(milliseconds(99)), turn, milliseconds(4), true), turn);
}

PathKey Key(int i) {
  return PathKey{*SiteName::Make("xining"), *TargetName::Make("hub" + std::to_string(i)),
                 Method::kStamp};
}

TEST(ProbeSchedulerTest, ProbesEveryPathAndSummarisesEachInterval) {
  boost::asio::io_context io;
  RealClock clock;
  reflector::ReflectorOptions reflector_options;
  reflector_options.listen = {make_address("127.0.0.1"), 0};
  reflector_options.per_source = {.packets_per_second = 5'000, .burst = 500};
  auto reflector = reflector::StampReflector::Start(io, clock, reflector_options);
  ASSERT_TRUE(reflector.has_value());

  std::map<std::string, std::vector<stats::IntervalSummary>> summaries;
  ProbeScheduler scheduler(io, clock,
                           {.summary_interval = milliseconds(200),
                            .close_every = milliseconds(50),
                            .min_late_wait = milliseconds(50),
                            .max_sends_per_turn = 64},
                           [&](const PathKey& key, const stats::IntervalSummary& summary) {
                             summaries[key.target.str()].push_back(summary);
                           });
  constexpr int kPaths = 10;
  for (int i = 0; i < kPaths; ++i) {
    Status added =
        scheduler.AddPath(Key(i), milliseconds(20), milliseconds(10), [&](ProbeListener& listener) {
          return StampProber::Make(io, clock, stamp::StampCodec::Unauthenticated(),
                                   {.reflector = (*reflector)->local_endpoint()}, listener)
              .map([](auto prober) { return std::unique_ptr<Prober>(std::move(prober)); });
        });
    ASSERT_TRUE(added.has_value()) << added.error().message;
  }
  scheduler.Start();
  io.run_for(milliseconds(1500));
  scheduler.Stop();
  io.run_for(milliseconds(100));  // the replies to the last probes

  ASSERT_EQ(summaries.size(), static_cast<std::size_t>(kPaths));
  for (const auto& [target, list] : summaries) {
    std::string counts;
    for (const auto& summary : list) {
      counts += fmt::format(" {}/{}/{}/{}", summary.counts.sent, summary.counts.received,
                            summary.counts.late, summary.counts.lost);
    }
    ASSERT_GE(list.size(), 4u) << target << " sent/received/late/lost:" << counts << " scheduled "
                               << scheduler.counters().probes_scheduled << " prober0 sent "
                               << scheduler.prober(0).counters().probes_sent;
    // The first interval may be partial (the scheduler started inside it); the others hold 10
    // probes of 20 ms each (one more or less when timer lateness moves a send across the edge).
    for (std::size_t i = 1; i < list.size(); ++i) {
      EXPECT_GE(list[i].counts.sent, 9u) << target << " interval " << i;
      EXPECT_LE(list[i].counts.sent, 11u) << target << " interval " << i;
      EXPECT_EQ(list[i].counts.received + list[i].counts.late, list[i].counts.sent) << target;
      EXPECT_EQ(list[i].counts.lost, 0u) << target;
      EXPECT_EQ(list[i].duration, milliseconds(200));
    }
  }
  EXPECT_EQ((*reflector)->session_count(), static_cast<std::size_t>(kPaths));
  EXPECT_EQ(scheduler.counters().send_errors, 0u);
  EXPECT_GT(scheduler.counters().summaries, 0u);
  // Each path's sequence numbers start at 0 and follow its own probes.
  EXPECT_EQ(scheduler.prober(0).counters().probes_sent, scheduler.prober(0).counters().replies);
}

TEST(ProbeSchedulerTest, RefusesATimeoutLongerThanTheInterval) {
  boost::asio::io_context io;
  RealClock clock;
  ProbeScheduler scheduler(io, clock, {}, [](const PathKey&, const stats::IntervalSummary&) {});
  Status added = scheduler.AddPath(Key(1), milliseconds(10), milliseconds(20),
                                   [](ProbeListener&) -> Result<std::unique_ptr<Prober>> {
                                     return MakeError(ErrorCode::kIo, "not reached");
                                   });
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().message,
            "scheduler: path xining->hub1/stamp: need 0 < timeout <= interval");
}

}  // namespace
}  // namespace linkmon::probers
