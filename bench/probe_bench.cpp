// The probe's CPU cost: CPU seconds of the probing thread per 1,000 probes, with 1,000 targets at
// 1 probe/s each, spread evenly (one probe every millisecond), each reply fed to the target's
// IntervalRecorder as the daemon does. STAMP probes go to a reflector on another thread (its CPU
// is not counted); ICMP probes to 127.0.0.1 share one socket, answered by the kernel.
// Figures are valid for loopback, where the network costs nothing: they are the probe's own cost.
//
//   build/bench/linkmon-bench-probe   (runs 5 s of probing per method)

#include <time.h>

#include <memory>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/stats/interval_recorder.h"
#include "probe/probers/icmp_prober.h"
#include "probe/probers/recorder_listener.h"
#include "probe/probers/stamp_prober.h"
#include "probe/reflector/stamp_reflector.h"

namespace linkmon {
namespace {

using boost::asio::ip::make_address;
using std::chrono::milliseconds;

constexpr int kTargets = 1000;
constexpr auto kRunTime = std::chrono::seconds(5);

double ThreadCpuSeconds() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Counts the replies its prober reports.
class CountingListener final : public probers::RecorderListener {
 public:
  using RecorderListener::RecorderListener;
  std::uint64_t replies = 0;

 private:
  void Replied(const stats::ProbeReply& /*reply*/,
               const Result<stats::ReplyOutcome>& /*outcome*/) override {
    ++replies;
  }
};

// Sends one probe every millisecond, round robin over the probers, for kRunTime; returns the
// probes sent. Also closes due intervals every second, as the daemon would.
std::uint64_t ProbeEvenly(boost::asio::io_context& io,
                          std::vector<std::unique_ptr<probers::Prober>>& probers,
                          std::vector<std::unique_ptr<CountingListener>>& listeners) {
  boost::asio::steady_timer timer(io);
  auto start = std::chrono::steady_clock::now();
  std::uint64_t sent = 0;
  std::vector<std::uint32_t> sequence(probers.size(), 0);
  std::function<void()> tick = [&] {
    timer.expires_at(start + milliseconds(static_cast<long>(sent)));
    timer.async_wait([&](const boost::system::error_code& error) {
      if (error) return;
      std::size_t index = sent % probers.size();
      (void)probers[index]->Send(sequence[index]++);
      ++sent;
      if (std::chrono::steady_clock::now() - start < kRunTime) {
        tick();
      } else {
        io.stop();
      }
    });
  };
  tick();
  io.run();
  io.restart();
  io.run_for(milliseconds(100));  // the last replies
  (void)listeners;
  return sent;
}

std::unique_ptr<CountingListener> MakeListener(const Clock& clock) {
  stats::IntervalRecorderOptions options;  // 10 s intervals, 1 s timeout, 3 s horizon
  return std::make_unique<CountingListener>(*stats::IntervalRecorder::Create(options, clock));
}

void BM_StampProbes1000Targets(benchmark::State& state) {
  RealClock clock;
  boost::asio::io_context reflector_io;
  reflector::ReflectorOptions options;
  options.listen = {make_address("127.0.0.1"), 0};
  options.per_source = {.packets_per_second = 10'000, .burst = 10'000};
  auto reflector = reflector::StampReflector::Start(reflector_io, clock, options);
  if (!reflector) {
    state.SkipWithError(reflector.error().message.c_str());
    return;
  }
  auto work = boost::asio::make_work_guard(reflector_io);
  std::thread reflector_thread([&] { reflector_io.run(); });

  for (auto _ : state) {
    boost::asio::io_context io;
    std::vector<std::unique_ptr<CountingListener>> listeners;
    std::vector<std::unique_ptr<probers::Prober>> probers;
    for (int i = 0; i < kTargets; ++i) {
      listeners.push_back(MakeListener(clock));
      auto prober = probers::StampProber::Make(io, clock, stamp::StampCodec::Unauthenticated(),
                                               {.reflector = (*reflector)->local_endpoint()},
                                               *listeners.back());
      if (!prober) {
        state.SkipWithError(prober.error().message.c_str());
        break;
      }
      probers.push_back(std::move(*prober));
    }
    double cpu_before = ThreadCpuSeconds();
    std::uint64_t sent = ProbeEvenly(io, probers, listeners);
    double cpu = ThreadCpuSeconds() - cpu_before;
    std::uint64_t replies = 0;
    for (const auto& listener : listeners) replies += listener->replies;
    state.counters["probes"] = static_cast<double>(sent);
    state.counters["replies"] = static_cast<double>(replies);
    state.counters["cpu_s_per_1000_probes"] = cpu / static_cast<double>(sent) * 1000;
  }
  reflector_io.stop();
  reflector_thread.join();
}
BENCHMARK(BM_StampProbes1000Targets)->Iterations(1)->Unit(benchmark::kSecond);

void BM_IcmpProbes1000Targets(benchmark::State& state) {
  RealClock clock;
  for (auto _ : state) {
    boost::asio::io_context io;
    auto service = probers::IcmpEchoService::Open(io, clock, {.version = icmp::IpVersion::kV4},
                                                  icmp::RandomCookie());
    if (!service) {
      state.SkipWithError(service.error().message.c_str());
      break;
    }
    std::vector<std::unique_ptr<CountingListener>> listeners;
    std::vector<std::unique_ptr<probers::Prober>> probers;
    for (int i = 0; i < kTargets; ++i) {
      listeners.push_back(MakeListener(clock));
      auto prober = probers::IcmpProber::Make(**service, {.target = make_address("127.0.0.1")},
                                              *listeners.back());
      probers.push_back(std::move(*prober));
    }
    double cpu_before = ThreadCpuSeconds();
    std::uint64_t sent = ProbeEvenly(io, probers, listeners);
    double cpu = ThreadCpuSeconds() - cpu_before;
    std::uint64_t replies = 0;
    for (const auto& listener : listeners) replies += listener->replies;
    state.counters["probes"] = static_cast<double>(sent);
    state.counters["replies"] = static_cast<double>(replies);
    state.counters["cpu_s_per_1000_probes"] = cpu / static_cast<double>(sent) * 1000;
    (*service)->Close();
  }
}
BENCHMARK(BM_IcmpProbes1000Targets)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
}  // namespace linkmon
