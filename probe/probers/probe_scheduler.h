#pragma once

// Drives every prober of the probe from one io_context and summarises each path's intervals.
//
// Spreading: the n paths are phased evenly over their intervals, path i's probes leaving at
// start + i * interval / n + k * interval (absolute times, so timer lateness never accumulates),
// so 1,000 targets at 1 probe/s send one probe a millisecond, never a burst. One timer serves all
// paths (a heap of next send times), and at most `max_sends_per_turn` probes leave per wake-up.
// The timer wakes at most once per `send_slot`: a wake-up (timer interrupt, epoll_wait, re-arm)
// costs more than a probe on a virtual machine, so the probes that fell due within one slot
// leave together, each at most one slot late; each path still sends once per interval, on
// average exactly on its phase, and the spreading over the interval is kept at slot resolution.
// The default slot, 10 ms, is the shortest interval a target may have (config/README.md), so a
// path never sends two probes in one wake-up unless the process stalls; measured with 1,000
// targets at 1/s, it cost 11-12.5 µs of CPU per probe against 16.5-20.5 µs with 4 ms
// (bench/README).
//
// Each path has its own sequence numbers (from 0, wrapping at 2^32) and its own
// stats::IntervalRecorder: interval = summary_interval, timeout = the path's, late horizon = three
// timeouts, and at least the timeout plus `min_late_wait` (a reply after the timeout is counted
// as late, not lost, until then). Every `close_every` the scheduler closes the intervals
// that are final and hands their summaries to the sink, with the path's key.
//
// Not thread-safe; lives on the daemon's io_context. Destroy it before the probers' resources.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"
#include "common/stats/interval_recorder.h"
#include "common/stats/interval_summary.h"
#include "probe/probers/prober.h"

namespace linkmon::probers {

// When path `index` of `count` sends its first probe, after the start: index * interval / count.
std::chrono::nanoseconds SpreadOffset(std::size_t index, std::size_t count,
                                      std::chrono::nanoseconds interval);

// When the send timer next fires, after a turn that started at `turn_start`: at the next probe's
// time `next_due`, but not before one `send_slot` after the turn, unless the turn stopped at its
// cap with probes still due (`capped`): then at once.
MonotonicTime NextSendWake(MonotonicTime next_due, MonotonicTime turn_start,
                           std::chrono::nanoseconds send_slot, bool capped);

struct SchedulerOptions {
  std::chrono::nanoseconds summary_interval = std::chrono::seconds(10);
  std::chrono::nanoseconds close_every = std::chrono::seconds(1);
  std::chrono::nanoseconds min_late_wait = std::chrono::seconds(1);
  std::size_t max_sends_per_turn = 64;
  // Shortest time between two wake-ups of the send timer (see above); 0 wakes for every probe.
  std::chrono::nanoseconds send_slot = std::chrono::milliseconds(10);
};

using SummarySink = std::function<void(const PathKey& path, const stats::IntervalSummary&)>;
// Builds a path's prober, reporting to `listener` (which the scheduler owns).
using ProberMaker = std::function<Result<std::unique_ptr<Prober>>(ProbeListener& listener)>;

struct SchedulerCounters {
  std::uint64_t probes_scheduled = 0;
  std::uint64_t send_errors = 0;  // Send() refused: counted here, not as loss
  std::uint64_t late_sends = 0;   // probes that left more than one interval after their time
  std::uint64_t summaries = 0;
};

class ProbeScheduler {
 public:
  ProbeScheduler(boost::asio::io_context& io, const Clock& clock, const SchedulerOptions& options,
                 SummarySink sink);
  ~ProbeScheduler();
  ProbeScheduler(const ProbeScheduler&) = delete;
  ProbeScheduler& operator=(const ProbeScheduler&) = delete;

  // Room for `paths` paths, given before the first is added (a probe may have 10,000).
  void Reserve(std::size_t paths);

  // Adds a path before Start. `interval` between probes, > 0; `timeout` <= interval.
  Status AddPath(const PathKey& key, std::chrono::nanoseconds interval,
                 std::chrono::nanoseconds timeout, const ProberMaker& make_prober);

  // Phases the paths and starts sending and closing intervals.
  void Start();
  // Stops sending; pending summaries are not closed.
  void Stop();

  std::size_t path_count() const { return paths_.size(); }
  const Prober& prober(std::size_t index) const;
  PathKey path_key(std::size_t index) const;
  const SchedulerCounters& counters() const { return counters_; }

 private:
  struct Path;
  struct Due {
    MonotonicTime at;
    std::size_t path;
    bool operator>(const Due& other) const { return at > other.at; }
  };

  PathKey KeyOf(const Path& path) const;
  // `source`'s index in sources_, added if new; nullopt when 2^16 are known already.
  std::optional<std::uint16_t> SourceIndex(const SiteName& source);
  // A recorder for a path probed every `interval` with `timeout`.
  Result<stats::IntervalRecorder> MakeRecorder(std::chrono::nanoseconds interval,
                                               std::chrono::nanoseconds timeout);
  void ArmSendTimer(MonotonicTime at);
  void SendDue();
  void ArmCloseTimer();
  void CloseDue();

  const Clock& clock_;
  SchedulerOptions options_;
  SummarySink sink_;
  std::vector<std::unique_ptr<Path>> paths_;
  std::vector<SiteName> sources_;  // the paths' source sites, each once
  // An empty recorder per (interval, timeout) of the paths, whose siblings the paths' are.
  std::map<std::pair<std::chrono::nanoseconds, std::chrono::nanoseconds>, stats::IntervalRecorder>
      recorder_prototypes_;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
  boost::asio::steady_timer send_timer_;
  boost::asio::steady_timer close_timer_;
  MonotonicTime next_close_{};
  bool running_ = false;
  SchedulerCounters counters_;
};

}  // namespace linkmon::probers
