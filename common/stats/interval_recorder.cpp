#include "common/stats/interval_recorder.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <string>
#include <utility>

#include "common/stats/sequence_number.h"

namespace linkmon::stats {

namespace {

using std::chrono::nanoseconds;

constexpr std::size_t kMaxOutstandingLimit = std::size_t{1} << 20;
// A probe's sending time is kept in 60 bits of nanoseconds from the origin (36 years).
constexpr nanoseconds kMaxSinceOrigin{(std::int64_t{1} << 60) - 1};

tl::unexpected<Error> Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, "interval recorder: " + std::move(message));
}

}  // namespace

Result<IntervalRecorder> IntervalRecorder::Create(const IntervalRecorderOptions& options,
                                                  const Clock& clock) {
  if (options.interval <= nanoseconds(0)) return Invalid("interval must be positive");
  if (options.timeout <= nanoseconds(0)) return Invalid("timeout must be positive");
  if (options.late_horizon < options.timeout) {
    return Invalid("late_horizon must be at least the timeout");
  }
  if (options.max_outstanding < 1 || options.max_outstanding > kMaxOutstandingLimit) {
    return Invalid("max_outstanding must be between 1 and " + std::to_string(kMaxOutstandingLimit));
  }
  if (options.expected_outstanding > options.max_outstanding) {
    return Invalid("expected_outstanding must not exceed max_outstanding");
  }
  auto settings = std::make_shared<Settings>(
      Settings{.interval = options.interval,
               .timeout = options.timeout,
               .late_horizon = options.late_horizon,
               .max_outstanding = static_cast<std::uint32_t>(options.max_outstanding),
               .expected_outstanding = static_cast<std::uint32_t>(options.expected_outstanding),
               .clock = &clock,
               .origin = {},
               .wall_origin = {}});
  const MonotonicTime monotonic_now = clock.MonotonicNow();
  const SystemTime system_now = clock.SystemNow();
  if (options.origin) {
    const auto since_origin =
        std::chrono::duration_cast<SystemTime::duration>(monotonic_now - *options.origin);
    settings->origin = *options.origin;
    settings->wall_origin = system_now - since_origin;
    return IntervalRecorder(std::move(settings));
  }
  // The last wall-clock multiple of the interval, and the monotonic time it corresponds to.
  auto phase =
      std::chrono::duration_cast<nanoseconds>(system_now.time_since_epoch()) % options.interval;
  if (phase < nanoseconds(0)) phase += options.interval;  // wall clock before 1970
  settings->origin = monotonic_now - phase;
  settings->wall_origin = system_now - std::chrono::duration_cast<SystemTime::duration>(phase);
  return IntervalRecorder(std::move(settings));
}

Status IntervalRecorder::OnSent(const ProbeSent& event) {
  if (event.sent < settings_->origin) {
    ++counters_.rejected_events;
    return Invalid("probe " + std::to_string(event.sequence) + " sent before the first interval");
  }
  // The newest open interval holds the last probe sent; once every interval is closed, a probe
  // sent earlier than the last one falls in a closed interval, refused below.
  if (!open_.empty() && event.sent < open_.back().last_sent) {
    ++counters_.rejected_events;
    return Invalid("probe " + std::to_string(event.sequence) +
                   " sent earlier than the probe before it");
  }
  const std::uint64_t index = IndexOf(event.sent);
  if (index > std::numeric_limits<std::uint32_t>::max()) {
    ++counters_.rejected_events;
    return Invalid("probe " + std::to_string(event.sequence) + " sent 2^32 intervals or more " +
                   "after the origin");
  }
  if (event.sent - settings_->origin > kMaxSinceOrigin) {
    ++counters_.rejected_events;
    return Invalid("probe " + std::to_string(event.sequence) +
                   " sent 2^60 ns (36 years) or more after the origin");
  }
  if (index < closed_before_) {
    ++counters_.rejected_events;
    return Invalid("probe " + std::to_string(event.sequence) + " sent in interval " +
                   std::to_string(index) + ", which is already closed");
  }
  if (FindProbe(event.sequence) != nullptr) {
    ++counters_.rejected_events;
    return Invalid("probe " + std::to_string(event.sequence) + " is still outstanding");
  }
  OpenInterval& interval = IntervalFor(static_cast<std::uint32_t>(index));
  interval.last_sent = event.sent;

  if (count_ >= settings_->max_outstanding) {
    ++interval.untracked;
    ++counters_.untracked_probes;
    previous_send_tracked_ = false;
    return {};
  }
  // The mask only tells the compiler what the check above made sure of.
  const auto since_origin = static_cast<std::uint64_t>((event.sent - settings_->origin).count());
  PushProbe(Probe{.since_origin = since_origin & ((std::uint64_t{1} << 60) - 1),
                  .fate_bits = static_cast<std::uint64_t>(Fate::kWaiting),
                  .follows_previous = previous_send_tracked_,
                  .stamped = false},
            event.sequence);
  previous_send_tracked_ = true;
  return {};
}

Result<ReplyOutcome> IntervalRecorder::OnReply(const ProbeReply& event) {
  Probe* probe = FindProbe(event.sequence);
  if (probe == nullptr) {
    ++counters_.unmatched_replies;
    return ReplyOutcome::kUnmatched;
  }
  const MonotonicTime sent = SentAt(*probe);
  if (event.arrival < sent) {
    ++counters_.rejected_events;
    return Invalid("reply to probe " + std::to_string(event.sequence) +
                   " arrived before the probe was sent");
  }
  if (event.rtt < nanoseconds(0)) {
    ++counters_.rejected_events;
    return Invalid("reply to probe " + std::to_string(event.sequence) + " has a negative RTT");
  }
  // A probe stays in the table until its interval closes, so its interval is open.
  OpenInterval* interval = FindInterval(IndexOf(sent));
  assert(interval != nullptr);

  // Classified by the reply's own timestamps, so that the outcome does not depend on when
  // CloseDue() happens to run.
  const auto elapsed = event.arrival - sent;
  if (elapsed > settings_->late_horizon) {
    ++counters_.replies_after_horizon;
    return ReplyOutcome::kAfterHorizon;
  }
  if (probe->fate() != Fate::kWaiting) {
    ++interval->duplicated;
    return ReplyOutcome::kDuplicate;
  }
  if (elapsed > settings_->timeout) {
    probe->set_fate(Fate::kLate);
    return ReplyOutcome::kLate;
  }
  RecordReceived(*probe, event, *interval);
  return ReplyOutcome::kReceived;
}

// What depends on the order of arrival is decided now, and one-way delays are recorded; what the
// probe's fate and RTT give (counts, RTT and IPDV histograms) waits for the close.
void IntervalRecorder::RecordReceived(Probe& probe, const ProbeReply& event,
                                      OpenInterval& interval) {
  probe.set_fate(Fate::kReceived);
  probe.rtt_or_stamp = event.rtt;
  interval.timestamp_source =
      CombineTimestampSources(interval.timestamp_source, event.timestamp_source);

  // RFC 4737 section 3.3: in order when s >= NextExp (then NextExp = s + 1), else reordered.
  if (next_expected_ && SequenceBefore(event.sequence, *next_expected_)) {
    ++interval.reordered;
  } else {
    next_expected_ = event.sequence + 1;
  }

  // RFC 3550 section 6.4.1, with the RTT as the transit time and packets in arrival order.
  if (previous_arrival_rtt_ != kNoDuration) {
    jitter_.Update(event.rtt - previous_arrival_rtt_);
    interval.rfc3550_jitter = jitter_.Value();
  }
  previous_arrival_rtt_ = event.rtt;

  if (event.one_way) {
    if (event.clock_sync == ClockSync::kBothSynchronized) {
      if (!interval.one_way) interval.one_way = std::make_unique<OneWayHistograms>();
      interval.one_way->forward.Record(event.one_way->forward);
      interval.one_way->reverse.Record(event.one_way->reverse);
    } else {
      ++interval.one_way_unsynchronized;
    }
  }
}

std::optional<TrackedProbe> IntervalRecorder::Tracked(std::uint32_t sequence) const {
  const Probe* probe = FindProbe(sequence);
  if (probe == nullptr) return std::nullopt;
  TrackedProbe tracked{.sent = SentAt(*probe), .kernel_sent = std::nullopt};
  if (probe->fate() != Fate::kReceived && probe->stamped) {
    tracked.kernel_sent =
        SystemTime(std::chrono::duration_cast<SystemTime::duration>(probe->rtt_or_stamp));
  }
  return tracked;
}

bool IntervalRecorder::AttachTransmitStamp(std::uint32_t sequence, SystemTime kernel_sent) {
  Probe* probe = FindProbe(sequence);
  if (probe == nullptr || probe->stamped) return false;
  probe->stamped = true;
  // An answered probe's slot holds its RTT: a stamp read after the reply came too late to serve.
  if (probe->fate() != Fate::kReceived) {
    probe->rtt_or_stamp = std::chrono::duration_cast<nanoseconds>(kernel_sent.time_since_epoch());
  }
  return true;
}

std::vector<IntervalSummary> IntervalRecorder::CloseDue() {
  const MonotonicTime now = settings_->clock->MonotonicNow();
  std::vector<IntervalSummary> closed;
  // Intervals become final in index order: a later one ends later and its last probe was sent
  // later, so the loop can stop at the first that is not final.
  std::size_t final_count = 0;
  for (OpenInterval& interval : open_) {
    const MonotonicTime end =
        settings_->origin + settings_->interval * static_cast<std::int64_t>(interval.index + 1);
    if (now < end || now < interval.last_sent + settings_->late_horizon) break;
    if (closed.empty()) closed.reserve(open_.size());
    closed.push_back(Close(interval));
    closed_before_ = std::uint64_t{interval.index} + 1;
    ++final_count;
  }
  open_.erase(open_.begin(), open_.begin() + static_cast<std::ptrdiff_t>(final_count));
  return closed;
}

IntervalSummary IntervalRecorder::Close(OpenInterval& interval) {
  IntervalSummary summary;
  summary.start =
      settings_->wall_origin + std::chrono::duration_cast<SystemTime::duration>(
                                   settings_->interval * static_cast<std::int64_t>(interval.index));
  summary.duration = settings_->interval;
  summary.timestamp_source = interval.timestamp_source;
  summary.counts.sent = interval.untracked;
  summary.counts.untracked = interval.untracked;
  summary.counts.duplicated = interval.duplicated;
  summary.counts.reordered = interval.reordered;
  summary.one_way_unsynchronized = interval.one_way_unsynchronized;
  if (interval.rfc3550_jitter != kNoDuration) summary.rfc3550_jitter = interval.rfc3550_jitter;
  if (interval.one_way) {
    summary.forward_delay = std::move(interval.one_way->forward);
    summary.reverse_delay = std::move(interval.one_way->reverse);
  }
  // The interval's probes are at the front of the table: older intervals are gone already. The
  // probe before each one in sending order is the previous one here, or for the first, the last
  // one removed at an earlier close.
  while (count_ > 0 && IndexOf(SentAt(ProbeAt(0))) == interval.index) {
    const Probe& probe = ProbeAt(0);
    ++summary.counts.sent;
    switch (probe.fate()) {
      case Fate::kWaiting:
        ++summary.counts.lost;
        break;
      case Fate::kLate:
        ++summary.counts.late;
        break;
      case Fate::kReceived:
        ++summary.counts.received;
        summary.rtt.Record(probe.rtt_or_stamp);
        // RFC 5481 IPDV with the neighbour before it in sending order; the pair belongs to the
        // later probe's interval.
        if (probe.follows_previous && last_removed_rtt_ != kNoDuration) {
          const nanoseconds ipdv = probe.rtt_or_stamp - last_removed_rtt_;
          summary.ipdv_magnitude.Record(ipdv < nanoseconds(0) ? -ipdv : ipdv);
          summary.ipdv_min = summary.ipdv_min ? std::min(*summary.ipdv_min, ipdv) : ipdv;
          summary.ipdv_max = summary.ipdv_max ? std::max(*summary.ipdv_max, ipdv) : ipdv;
        }
        break;
    }
    last_removed_rtt_ = probe.fate() == Fate::kReceived ? probe.rtt_or_stamp : kNoDuration;
    PopProbe();
  }
  return summary;
}

std::uint64_t IntervalRecorder::IndexOf(MonotonicTime sent) const {
  return static_cast<std::uint64_t>((sent - settings_->origin) / settings_->interval);
}

IntervalRecorder::OpenInterval& IntervalRecorder::IntervalFor(std::uint32_t index) {
  // Sending times do not go back, so a new probe's interval is the newest open one or a new one.
  if (open_.empty() || open_.back().index < index) {
    // Room for every interval that can be open at once, the newest and those still waiting out
    // their late horizon, given at the first so that the vector never grows past it (doubling
    // from one, 1 s intervals with a 3 s horizon held 8 instead of 5).
    if (open_.capacity() == 0)
      open_.reserve(static_cast<std::size_t>(2 + settings_->late_horizon / settings_->interval));
    open_.push_back(OpenInterval{.index = index, .last_sent = {}});
  }
  return open_.back();
}

IntervalRecorder::OpenInterval* IntervalRecorder::FindInterval(std::uint64_t index) {
  for (auto it = open_.rbegin(); it != open_.rend(); ++it) {
    if (it->index == index) return &*it;
  }
  return nullptr;
}

IntervalRecorder::Probe* IntervalRecorder::FindProbe(std::uint32_t sequence) {
  return const_cast<Probe*>(std::as_const(*this).FindProbe(sequence));
}

const IntervalRecorder::Probe* IntervalRecorder::FindProbe(std::uint32_t sequence) const {
  if (count_ == 0) return nullptr;
  // Sequence numbers wrap: the difference is the distance from the oldest probe in any case.
  const std::uint32_t offset = sequence - SequenceAt(0);
  if (offset < count_ && SequenceAt(offset) == sequence) return &ProbeAt(offset);
  if (consecutive_) return nullptr;
  for (std::size_t i = 0; i < count_; ++i) {
    if (SequenceAt(i) == sequence) return &ProbeAt(i);
  }
  return nullptr;
}

void IntervalRecorder::PushProbe(const Probe& probe, std::uint32_t sequence) {
  if (count_ == 0) {
    first_sequence_ = sequence;
  } else if (consecutive_ && sequence != SequenceAt(count_ - 1) + 1) {
    KeepSequences();
  }
  if (count_ == ring_size_) {
    // Grows by doubling up to the bound: a path holds what its rate and horizon need, no more.
    const std::uint32_t first =
        settings_->expected_outstanding > 0 ? settings_->expected_outstanding : std::uint32_t{4};
    const std::uint32_t size =
        ring_size_ == 0 ? first : std::min(2 * ring_size_, settings_->max_outstanding);
    auto grown = std::make_unique<Probe[]>(size);
    for (std::uint32_t i = 0; i < count_; ++i) grown[i] = ProbeAt(i);
    if (sequences_) {
      auto grown_sequences = std::make_unique<std::uint32_t[]>(size);
      for (std::uint32_t i = 0; i < count_; ++i) grown_sequences[i] = sequences_[SlotOf(i)];
      sequences_ = std::move(grown_sequences);
    }
    ring_ = std::move(grown);
    ring_size_ = size;
    head_ = 0;
  }
  const std::size_t slot = SlotOf(count_);
  ring_[slot] = probe;
  if (sequences_) sequences_[slot] = sequence;
  ++count_;
}

// From now on, until the table empties, every slot's sequence number is kept.
void IntervalRecorder::KeepSequences() {
  if (!sequences_) sequences_ = std::make_unique<std::uint32_t[]>(ring_size_);
  for (std::uint32_t i = 0; i < count_; ++i) sequences_[SlotOf(i)] = first_sequence_ + i;
  consecutive_ = false;
}

void IntervalRecorder::PopProbe() {
  head_ = (head_ + 1) % ring_size_;
  ++first_sequence_;
  if (--count_ == 0) {
    head_ = 0;
    consecutive_ = true;
  }
}

}  // namespace linkmon::stats
