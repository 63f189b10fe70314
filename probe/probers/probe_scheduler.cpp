#include "probe/probers/probe_scheduler.h"

#include <algorithm>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "probe/probers/recorder_listener.h"

namespace linkmon::probers {

namespace {

using std::chrono::nanoseconds;

}  // namespace

nanoseconds SpreadOffset(std::size_t index, std::size_t count, nanoseconds interval) {
  if (count == 0) return nanoseconds(0);
  // In 128 bits: 1,000 paths times an hour in nanoseconds would overflow 64.
  __extension__ using Wide = __int128;
  Wide offset =
      static_cast<Wide>(interval.count()) * static_cast<Wide>(index) / static_cast<Wide>(count);
  return nanoseconds(static_cast<nanoseconds::rep>(offset));
}

MonotonicTime NextSendWake(MonotonicTime next_due, MonotonicTime turn_start, nanoseconds send_slot,
                           bool capped) {
  if (capped) return turn_start;  // already due: the timer fires at once
  return std::max(next_due, turn_start + send_slot);
}

// One per path (10,000 on a large probe): it is its prober's listener itself rather than owning
// a listener object, and of its key it keeps the target and method: the source site, the same for
// most paths, is kept once by the scheduler (sources_).
struct ProbeScheduler::Path final : RecorderListener {
  Path(TargetName path_target, Method path_method, std::uint16_t path_source,
       stats::IntervalRecorder path_recorder, nanoseconds path_interval)
      : RecorderListener(std::move(path_recorder)),
        target(std::move(path_target)),
        interval(path_interval),
        source(path_source),
        method(path_method) {}

  TargetName target;
  std::unique_ptr<Prober> prober;
  nanoseconds interval;  // the next probe's time is in the send heap (Due), one interval on
  std::uint32_t next_sequence = 0;
  // With the sequence, 8 bytes: the Path is 216 bytes, 224 with malloc's header (232 -> 240
  // with a 32-bit index).
  std::uint16_t source;  // index in sources_
  Method method;
};

ProbeScheduler::ProbeScheduler(boost::asio::io_context& io, const Clock& clock,
                               const SchedulerOptions& options, SummarySink sink)
    : clock_(clock), options_(options), sink_(std::move(sink)), send_timer_(io), close_timer_(io) {}

ProbeScheduler::~ProbeScheduler() { Stop(); }

const Prober& ProbeScheduler::prober(std::size_t index) const { return *paths_[index]->prober; }

PathKey ProbeScheduler::path_key(std::size_t index) const { return KeyOf(*paths_[index]); }

PathKey ProbeScheduler::KeyOf(const Path& path) const {
  return PathKey{.source = sources_[path.source], .target = path.target, .method = path.method};
}

std::optional<std::uint16_t> ProbeScheduler::SourceIndex(const SiteName& source) {
  auto known = std::find(sources_.begin(), sources_.end(), source);
  if (known != sources_.end()) return static_cast<std::uint16_t>(known - sources_.begin());
  if (sources_.size() > std::numeric_limits<std::uint16_t>::max()) return std::nullopt;
  sources_.push_back(source);
  return static_cast<std::uint16_t>(sources_.size() - 1);
}

void ProbeScheduler::Reserve(std::size_t paths) { paths_.reserve(paths); }

Status ProbeScheduler::AddPath(const PathKey& key, nanoseconds interval, nanoseconds timeout,
                               const ProberMaker& make_prober) {
  if (running_) {
    return MakeError(ErrorCode::kInvalidArgument, "scheduler: paths are added before Start");
  }
  if (interval <= nanoseconds(0) || timeout <= nanoseconds(0) || timeout > interval) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("scheduler: path {}: need 0 < timeout <= interval", key.ToString()));
  }
  Result<stats::IntervalRecorder> recorder = MakeRecorder(interval, timeout);
  if (!recorder) return tl::unexpected(recorder.error());
  std::optional<std::uint16_t> source = SourceIndex(key.source);
  if (!source) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("scheduler: path {}: more than 65,536 source sites", key.ToString()));
  }
  auto path =
      std::make_unique<Path>(key.target, key.method, *source, std::move(*recorder), interval);
  Result<std::unique_ptr<Prober>> prober = make_prober(*path);
  if (!prober) return tl::unexpected(prober.error());
  path->prober = std::move(*prober);
  paths_.push_back(std::move(path));
  return {};
}

Result<stats::IntervalRecorder> ProbeScheduler::MakeRecorder(nanoseconds interval,
                                                             nanoseconds timeout) {
  // Paths probed alike share their recorders' settings (Sibling): one copy, not one a path.
  auto alike = recorder_prototypes_.find({interval, timeout});
  if (alike != recorder_prototypes_.end()) return alike->second.Sibling();
  stats::IntervalRecorderOptions recorder_options;
  recorder_options.interval = options_.summary_interval;
  recorder_options.timeout = timeout;
  recorder_options.late_horizon = std::max(3 * timeout, timeout + options_.min_late_wait);
  // Enough slots for every probe of an interval and its late horizon, with room to spare.
  auto probes = static_cast<std::size_t>(
      (options_.summary_interval + recorder_options.late_horizon) / interval + 16);
  recorder_options.max_outstanding = std::clamp<std::size_t>(2 * probes, 64, 1'048'576);
  // What the table holds at most while nothing stalls: an interval's probes, those sent during
  // its late horizon and until the next close.
  recorder_options.expected_outstanding = std::min<std::size_t>(
      static_cast<std::size_t>(
          (options_.summary_interval + recorder_options.late_horizon + options_.close_every) /
          interval) +
          1,
      recorder_options.max_outstanding);
  Result<stats::IntervalRecorder> prototype =
      stats::IntervalRecorder::Create(recorder_options, clock_);
  if (!prototype) return prototype;
  stats::IntervalRecorder recorder = prototype->Sibling();
  recorder_prototypes_.emplace(std::make_pair(interval, timeout), std::move(*prototype));
  return recorder;
}

void ProbeScheduler::Start() {
  if (running_) return;
  running_ = true;
  // Start one interval's worth ahead of the recorder's origin, never before it.
  MonotonicTime start = clock_.MonotonicNow() + std::chrono::milliseconds(1);
  // Every path is due once at any time: the heap is made at its final size, not by doubling.
  std::vector<Due> due;
  due.reserve(paths_.size());
  for (std::size_t i = 0; i < paths_.size(); ++i) {
    due.push_back({start + SpreadOffset(i, paths_.size(), paths_[i]->interval), i});
  }
  due_ = decltype(due_)(std::greater<>(), std::move(due));
  next_close_ = clock_.MonotonicNow() + options_.close_every;
  ArmSendTimer(start);
  ArmCloseTimer();
}

void ProbeScheduler::Stop() {
  running_ = false;
  send_timer_.cancel();
  close_timer_.cancel();
}

void ProbeScheduler::ArmSendTimer(MonotonicTime at) {
  if (!running_ || due_.empty()) return;
  send_timer_.expires_at(at);
  send_timer_.async_wait([this](const boost::system::error_code& error) {
    if (!error && running_) SendDue();
  });
}

void ProbeScheduler::SendDue() {
  MonotonicTime now = clock_.MonotonicNow();
  std::size_t sent = 0;
  for (; sent < options_.max_sends_per_turn && !due_.empty() && due_.top().at <= now; ++sent) {
    Due due = due_.top();
    due_.pop();
    Path& path = *paths_[due.path];
    if (now - due.at > path.interval) ++counters_.late_sends;
    ++counters_.probes_scheduled;
    if (!path.prober->Send(path.next_sequence)) ++counters_.send_errors;
    ++path.next_sequence;
    // From the time it was due, not from now: lateness never accumulates (integer nanoseconds,
    // so k additions are exactly the first time plus k intervals).
    due_.push({due.at + path.interval, due.path});
  }
  if (due_.empty()) return;
  bool capped = sent == options_.max_sends_per_turn && due_.top().at <= now;
  ArmSendTimer(NextSendWake(due_.top().at, now, options_.send_slot, capped));
}

void ProbeScheduler::ArmCloseTimer() {
  if (!running_) return;
  close_timer_.expires_at(next_close_);
  close_timer_.async_wait([this](const boost::system::error_code& error) {
    if (error || !running_) return;
    CloseDue();
    next_close_ += options_.close_every;
    ArmCloseTimer();
  });
}

void ProbeScheduler::CloseDue() {
  for (const auto& path : paths_) {
    std::vector<stats::IntervalSummary> closed = path->recorder().CloseDue();
    if (closed.empty()) continue;
    const PathKey key = KeyOf(*path);
    for (const stats::IntervalSummary& summary : closed) {
      ++counters_.summaries;
      sink_(key, summary);
    }
  }
}

}  // namespace linkmon::probers
