#include "probe/bandwidth/throughput_scheduler.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <memory>

namespace linkmon::bandwidth {

Result<std::unique_ptr<ThroughputScheduler>> ThroughputScheduler::Start(
    boost::asio::io_context& io, const Clock& clock, std::vector<ScheduledThroughputTest> tests,
    stamp::HmacKey key, ThroughputSink sink) {
  for (const ScheduledThroughputTest& test : tests) {
    if (test.every <= test.options.duration) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "throughput schedule for " + test.target.str() +
                           ": every must be longer than the test's duration");
    }
  }
  std::unique_ptr<ThroughputScheduler> scheduler(
      new ThroughputScheduler(io, clock, std::move(tests), std::move(key), std::move(sink)));
  scheduler->worker_ = std::thread([raw = scheduler.get()] { raw->Run(); });
  return scheduler;
}

ThroughputScheduler::ThroughputScheduler(boost::asio::io_context& io, const Clock& clock,
                                         std::vector<ScheduledThroughputTest> tests,
                                         stamp::HmacKey key, ThroughputSink sink)
    : io_(io),
      clock_(clock),
      tests_(std::move(tests)),
      key_(std::move(key)),
      sink_(std::move(sink)) {}

ThroughputScheduler::~ThroughputScheduler() { Stop(); }

void ThroughputScheduler::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void ThroughputScheduler::Run() {
  if (tests_.empty()) return;
  // First runs phased over the shortest period: target i of n starts at i/n of it.
  std::chrono::nanoseconds shortest = tests_.front().every;
  for (const auto& test : tests_) shortest = std::min(shortest, test.every);
  const MonotonicTime origin = clock_.MonotonicNow();
  std::vector<MonotonicTime> due(tests_.size());
  for (std::size_t i = 0; i < tests_.size(); ++i) {
    due[i] =
        origin + shortest * static_cast<std::int64_t>(i) / static_cast<std::int64_t>(tests_.size());
  }
  for (;;) {
    const auto next =
        static_cast<std::size_t>(std::min_element(due.begin(), due.end()) - due.begin());
    {
      std::unique_lock lock(mutex_);
      // The clock may be a test's; wait in steps so a due time on it is noticed.
      while (!stopping_ && clock_.MonotonicNow() < due[next]) {
        wake_.wait_for(lock, std::min<std::chrono::nanoseconds>(due[next] - clock_.MonotonicNow(),
                                                                std::chrono::milliseconds(50)));
      }
      if (stopping_) return;
    }
    const ScheduledThroughputTest& test = tests_[next];
    const SystemTime started = clock_.SystemNow();
    auto result = std::make_shared<Result<ThroughputResult>>(RunThroughputTest(test.options, key_));
    // The next test of this target counts from its due time, so the schedule does not drift;
    // one that overran its period runs again after a full period from now.
    due[next] += test.every;
    if (due[next] < clock_.MonotonicNow()) due[next] = clock_.MonotonicNow() + test.every;
    // A copy of the sink, not `this`: the handler may run after the scheduler is gone.
    boost::asio::post(io_, [sink = sink_, target = test.target, started, result] {
      sink(target, started, *result);
    });
  }
}

batch::PathSummary ToPathSummary(const ThroughputResult& result, const SiteName& source,
                                 const TargetName& target, SystemTime started) {
  batch::PathSummary summary{
      .path = PathKey{.source = source, .target = target, .method = Method::kThroughput},
      .summary = {},
      .throughput = result.goodput};
  summary.summary.start = started;
  summary.summary.duration =
      std::max<std::chrono::nanoseconds>(result.send_time, std::chrono::nanoseconds(1));
  summary.summary.rtt = result.rtt_under_load;
  summary.summary.timestamp_source = result.rtt_under_load.Empty()
                                         ? stats::TimestampSource::kNone
                                         : stats::TimestampSource::kUserspace;
  return summary;
}

}  // namespace linkmon::bandwidth
