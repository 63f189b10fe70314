// Scheduled throughput tests against a responder on loopback: each target tested every period,
// one test at a time (the responder would refuse an overlapping one as busy), results delivered
// on the io_context, and the upload's PathSummary made from a result.

#include "probe/bandwidth/throughput_scheduler.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <future>
#include <thread>

#include "probe/bandwidth/throughput_responder.h"

namespace linkmon::bandwidth {
namespace {

using std::chrono::milliseconds;

stamp::HmacKey Key() {
  std::array<std::uint8_t, 32> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i);
  return *stamp::HmacKey::FromBytes(bytes);
}

struct Delivered {
  std::string target;
  SystemTime started;
  bool ok;
  std::string error;
  std::thread::id thread;
};

TEST(ThroughputSchedulerTest, TestsEachTargetEveryPeriodOneAtATime) {
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  RealClock clock;
  ThroughputResponderOptions options;
  options.listen = {boost::asio::ip::make_address("127.0.0.1"), 0};
  options.allowed_sources = {*net::IpPrefix::Parse("127.0.0.0/8")};
  options.max_duty_cycle = 1;
  options.drain = milliseconds(50);
  auto responder = ThroughputResponder::Start(io, clock, options, Key());
  ASSERT_TRUE(responder) << responder.error().message;
  std::thread io_thread([&] { io.run(); });
  std::promise<std::thread::id> io_id;
  io.post([&] { io_id.set_value(std::this_thread::get_id()); });
  const std::thread::id io_thread_id = io_id.get_future().get();

  auto test_of = [&](const char* name) {
    return ScheduledThroughputTest{.target = *TargetName::Make(name),
                                   .options = {.target = boost::asio::ip::make_address("127.0.0.1"),
                                               .port = (*responder)->port(),
                                               .mode = TestMode::kUdp,
                                               .rate = Bandwidth{1'000'000},
                                               .duration = milliseconds(150),
                                               .datagram_bytes = 200,
                                               .sample_every = milliseconds(100),
                                               .control_timeout = milliseconds(2000)},
                                   .every = milliseconds(600)};
  };
  std::mutex mutex;
  std::vector<Delivered> delivered;
  auto scheduler = ThroughputScheduler::Start(
      io, clock, {test_of("beijing"), test_of("shanghai")}, Key(),
      [&](const TargetName& target, SystemTime started, const Result<ThroughputResult>& result) {
        std::lock_guard lock(mutex);
        delivered.push_back({target.str(), started, result.has_value(),
                             result ? "" : result.error().message, std::this_thread::get_id()});
      });
  ASSERT_TRUE(scheduler) << scheduler.error().message;
  // beijing at 0 and 600 ms, shanghai at 300 and 900 ms.
  std::this_thread::sleep_for(milliseconds(1150));
  (*scheduler)->Stop();
  io.post([&] { responder->reset(); });
  work.reset();
  io_thread.join();

  ASSERT_GE(delivered.size(), 4u);
  const std::vector<std::string> order = {"beijing", "shanghai", "beijing", "shanghai"};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(delivered[i].target, order[i]);
    EXPECT_TRUE(delivered[i].ok) << delivered[i].error;
    EXPECT_EQ(delivered[i].thread, io_thread_id);  // the sink runs on the io_context
    if (i > 0) {
      EXPECT_GE(delivered[i].started - delivered[i - 1].started, milliseconds(150));
    }
  }
}

TEST(ThroughputSchedulerTest, RefusesAPeriodNotLongerThanTheTest) {
  boost::asio::io_context io;
  RealClock clock;
  ScheduledThroughputTest test{.target = *TargetName::Make("beijing"),
                               .options = {.duration = milliseconds(500)},
                               .every = milliseconds(500)};
  auto scheduler = ThroughputScheduler::Start(io, clock, {test}, Key(), {});
  ASSERT_FALSE(scheduler);
  EXPECT_EQ(scheduler.error().message,
            "throughput schedule for beijing: every must be longer than the test's duration");
}

TEST(ThroughputSchedulerTest, PathSummaryCarriesGoodputAndRttUnderLoad) {
  ThroughputResult result;
  result.goodput = Bandwidth{93'600'000};
  result.send_time = milliseconds(5000);
  result.rtt_under_load.Record(milliseconds(58));
  const SystemTime started{std::chrono::seconds(1'700'000'000)};
  auto summary =
      ToPathSummary(result, *SiteName::Make("xining"), *TargetName::Make("beijing"), started);
  EXPECT_EQ(summary.path.ToString(), "xining->beijing/throughput");
  EXPECT_EQ(summary.throughput, Bandwidth{93'600'000});
  EXPECT_EQ(summary.summary.start, started);
  EXPECT_EQ(summary.summary.duration, milliseconds(5000));
  EXPECT_EQ(summary.summary.rtt.Count(), 1u);
  EXPECT_EQ(summary.summary.timestamp_source, stats::TimestampSource::kUserspace);
}

}  // namespace
}  // namespace linkmon::bandwidth
