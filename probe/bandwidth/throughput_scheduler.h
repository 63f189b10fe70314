#pragma once

// ThroughputScheduler: the probe daemon's scheduled throughput tests. Each configured target is
// tested every `every` (config `throughput: {rate, duration, every}`), the targets' first tests
// phased evenly over the shortest period so they do not bunch up, and never two tests at once:
// tests run one after another on one worker thread (RunThroughputTest blocks), and a test that
// comes due while another runs waits for it. Results are posted to the io_context and handed to
// the sink there, with the wall time the test started.
//
// ToPathSummary turns a result into the upload's PathSummary for method throughput: the test's
// span as the interval, the UDP RTT under load as its RTT histogram, and the receiver's goodput
// as `throughput` (what the collector's min_bandwidth judges).
//
// Stop() (or the destructor) waits for a running test to finish: at most its duration plus the
// control timeout.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/batch/batch.h"
#include "common/clock.h"
#include "common/ids.h"
#include "probe/bandwidth/throughput_test.h"

namespace linkmon::bandwidth {

struct ScheduledThroughputTest {
  TargetName target;
  ThroughputTestOptions options;
  std::chrono::nanoseconds every = std::chrono::hours(1);
};

using ThroughputSink = std::function<void(const TargetName& target, SystemTime started,
                                          const Result<ThroughputResult>& result)>;

class ThroughputScheduler {
 public:
  // Refuses (kInvalidArgument) a period not longer than its test's duration.
  static Result<std::unique_ptr<ThroughputScheduler>> Start(
      boost::asio::io_context& io, const Clock& clock, std::vector<ScheduledThroughputTest> tests,
      stamp::HmacKey key, ThroughputSink sink);
  ~ThroughputScheduler();
  ThroughputScheduler(const ThroughputScheduler&) = delete;
  ThroughputScheduler& operator=(const ThroughputScheduler&) = delete;

  void Stop();

 private:
  ThroughputScheduler(boost::asio::io_context& io, const Clock& clock,
                      std::vector<ScheduledThroughputTest> tests, stamp::HmacKey key,
                      ThroughputSink sink);
  void Run();

  boost::asio::io_context& io_;
  const Clock& clock_;
  std::vector<ScheduledThroughputTest> tests_;
  stamp::HmacKey key_;
  ThroughputSink sink_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread worker_;
};

batch::PathSummary ToPathSummary(const ThroughputResult& result, const SiteName& source,
                                 const TargetName& target, SystemTime started);

}  // namespace linkmon::bandwidth
