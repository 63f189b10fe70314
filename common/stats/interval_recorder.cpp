#include "common/stats/interval_recorder.h"

#include <algorithm>
#include <cassert>
#include <string>
#include <utility>

#include "common/stats/sequence_number.h"

namespace linkmon::stats {

namespace {

using std::chrono::nanoseconds;

constexpr std::size_t kMaxOutstandingLimit = std::size_t{1} << 20;

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
  const MonotonicTime monotonic_now = clock.MonotonicNow();
  const SystemTime system_now = clock.SystemNow();
  if (options.origin) {
    const auto since_origin =
        std::chrono::duration_cast<SystemTime::duration>(monotonic_now - *options.origin);
    return IntervalRecorder(options, clock, *options.origin, system_now - since_origin);
  }
  // The last wall-clock multiple of the interval, and the monotonic time it corresponds to.
  auto phase =
      std::chrono::duration_cast<nanoseconds>(system_now.time_since_epoch()) % options.interval;
  if (phase < nanoseconds(0)) phase += options.interval;  // wall clock before 1970
  return IntervalRecorder(options, clock, monotonic_now - phase,
                          system_now - std::chrono::duration_cast<SystemTime::duration>(phase));
}

IntervalRecorder::IntervalRecorder(const IntervalRecorderOptions& options, const Clock& clock,
                                   MonotonicTime origin, SystemTime wall_origin)
    : options_(options), clock_(&clock), origin_(origin), wall_origin_(wall_origin) {}

Status IntervalRecorder::OnSent(const ProbeSent& event) {
  if (event.sent < origin_) {
    ++counters_.rejected_events;
    return Invalid("probe " + std::to_string(event.sequence) + " sent before the first interval");
  }
  if (last_sent_ && event.sent < *last_sent_) {
    ++counters_.rejected_events;
    return Invalid("probe " + std::to_string(event.sequence) +
                   " sent earlier than the probe before it");
  }
  const auto index = static_cast<std::uint64_t>((event.sent - origin_) / options_.interval);
  if (closed_through_ && index <= *closed_through_) {
    ++counters_.rejected_events;
    return Invalid("probe " + std::to_string(event.sequence) + " sent in interval " +
                   std::to_string(index) + ", which is already closed");
  }
  if (slot_by_sequence_.contains(event.sequence)) {
    ++counters_.rejected_events;
    return Invalid("probe " + std::to_string(event.sequence) + " is still outstanding");
  }
  OpenInterval& interval = IntervalFor(index);
  interval.last_sent = event.sent;
  ++interval.summary.counts.sent;
  last_sent_ = event.sent;

  if (probes_.size() >= options_.max_outstanding) {
    ++interval.summary.counts.untracked;
    ++counters_.untracked_probes;
    previous_send_tracked_ = false;
    return {};
  }
  const std::uint64_t slot = first_slot_ + probes_.size();
  probes_.push_back(Probe{.sequence = event.sequence,
                          .slot = slot,
                          .interval = index,
                          .sent = event.sent,
                          .follows_previous = previous_send_tracked_});
  slot_by_sequence_.emplace(event.sequence, slot);
  previous_send_tracked_ = true;
  return {};
}

Result<ReplyOutcome> IntervalRecorder::OnReply(const ProbeReply& event) {
  Probe* probe = FindProbe(event.sequence);
  if (probe == nullptr) {
    ++counters_.unmatched_replies;
    return ReplyOutcome::kUnmatched;
  }
  if (event.arrival < probe->sent) {
    ++counters_.rejected_events;
    return Invalid("reply to probe " + std::to_string(event.sequence) +
                   " arrived before the probe was sent");
  }
  if (event.rtt < nanoseconds(0)) {
    ++counters_.rejected_events;
    return Invalid("reply to probe " + std::to_string(event.sequence) + " has a negative RTT");
  }
  // A probe stays in the table until its interval closes, so its interval is open.
  OpenInterval* interval = FindInterval(probe->interval);
  assert(interval != nullptr);
  IntervalSummary& summary = interval->summary;

  // Classified by the reply's own timestamps, so that the outcome does not depend on when
  // CloseDue() happens to run.
  const auto elapsed = event.arrival - probe->sent;
  if (elapsed > options_.late_horizon) {
    ++counters_.replies_after_horizon;
    return ReplyOutcome::kAfterHorizon;
  }
  if (probe->fate != Fate::kWaiting) {
    ++summary.counts.duplicated;
    return ReplyOutcome::kDuplicate;
  }
  if (elapsed > options_.timeout) {
    probe->fate = Fate::kLate;
    ++summary.counts.late;
    return ReplyOutcome::kLate;
  }
  RecordReceived(*probe, event, summary);
  return ReplyOutcome::kReceived;
}

void IntervalRecorder::RecordReceived(Probe& probe, const ProbeReply& event,
                                      IntervalSummary& summary) {
  probe.fate = Fate::kReceived;
  probe.rtt = event.rtt;
  ++summary.counts.received;
  summary.rtt.Record(event.rtt);
  summary.timestamp_source =
      CombineTimestampSources(summary.timestamp_source, event.timestamp_source);

  // RFC 4737 section 3.3: in order when s >= NextExp (then NextExp = s + 1), else reordered.
  if (next_expected_ && SequenceBefore(event.sequence, *next_expected_)) {
    ++summary.counts.reordered;
  } else {
    next_expected_ = event.sequence + 1;
  }

  // RFC 3550 section 6.4.1, with the RTT as the transit time and packets in arrival order.
  if (previous_arrival_rtt_) {
    jitter_.Update(event.rtt - *previous_arrival_rtt_);
    summary.rfc3550_jitter = jitter_.Value();
  }
  previous_arrival_rtt_ = event.rtt;

  // RFC 5481 IPDV with the neighbours in sending order, whichever of the pair arrives last.
  if (probe.follows_previous) {
    const Probe* earlier = ProbeAtSlot(probe.slot - 1);
    if (earlier != nullptr && earlier->fate == Fate::kReceived) RecordIpdv(*earlier, probe);
  }
  const Probe* later = ProbeAtSlot(probe.slot + 1);
  if (later != nullptr && later->follows_previous && later->fate == Fate::kReceived) {
    RecordIpdv(probe, *later);
  }

  if (event.one_way) {
    if (event.clock_sync == ClockSync::kBothSynchronized) {
      summary.forward_delay.Record(event.one_way->forward);
      summary.reverse_delay.Record(event.one_way->reverse);
    } else {
      ++summary.one_way_unsynchronized;
    }
  }
}

void IntervalRecorder::RecordIpdv(const Probe& earlier, const Probe& later) {
  // Belongs to the later probe's interval, which is open: the later probe is in the table.
  IntervalSummary& summary = FindInterval(later.interval)->summary;
  const nanoseconds ipdv = later.rtt - earlier.rtt;
  summary.ipdv_magnitude.Record(ipdv < nanoseconds(0) ? -ipdv : ipdv);
  summary.ipdv_min = summary.ipdv_min ? std::min(*summary.ipdv_min, ipdv) : ipdv;
  summary.ipdv_max = summary.ipdv_max ? std::max(*summary.ipdv_max, ipdv) : ipdv;
}

std::vector<IntervalSummary> IntervalRecorder::CloseDue() {
  const MonotonicTime now = clock_->MonotonicNow();
  std::vector<IntervalSummary> closed;
  // Intervals become final in index order: a later one ends later and its last probe was sent
  // later, so the loop can stop at the first that is not final.
  while (!open_.empty()) {
    OpenInterval& interval = open_.front();
    const MonotonicTime end =
        origin_ + options_.interval * static_cast<std::int64_t>(interval.index + 1);
    if (now < end || now < interval.last_sent + options_.late_horizon) break;
    Close(interval);
    closed_through_ = interval.index;
    closed.push_back(std::move(interval.summary));
    open_.pop_front();
  }
  return closed;
}

void IntervalRecorder::Close(OpenInterval& interval) {
  // The interval's probes are at the front of the table: older intervals are gone already.
  while (!probes_.empty() && probes_.front().interval == interval.index) {
    Probe& probe = probes_.front();
    if (probe.fate == Fate::kWaiting) ++interval.summary.counts.lost;
    slot_by_sequence_.erase(probe.sequence);
    last_removed_ = probe;
    probes_.pop_front();
    ++first_slot_;
  }
}

IntervalRecorder::OpenInterval& IntervalRecorder::IntervalFor(std::uint64_t index) {
  // Sending times do not go back, so a new probe's interval is the newest open one or a new one.
  if (open_.empty() || open_.back().index < index) {
    IntervalSummary summary;
    summary.start = wall_origin_ + std::chrono::duration_cast<SystemTime::duration>(
                                       options_.interval * static_cast<std::int64_t>(index));
    summary.duration = options_.interval;
    open_.push_back(OpenInterval{.index = index, .last_sent = {}, .summary = std::move(summary)});
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
  const auto found = slot_by_sequence_.find(sequence);
  if (found == slot_by_sequence_.end()) return nullptr;
  return &probes_[found->second - first_slot_];
}

const IntervalRecorder::Probe* IntervalRecorder::ProbeAtSlot(std::uint64_t slot) const {
  if (slot >= first_slot_ && slot - first_slot_ < probes_.size()) {
    return &probes_[slot - first_slot_];
  }
  if (last_removed_ && last_removed_->slot == slot) return &*last_removed_;
  return nullptr;
}

}  // namespace linkmon::stats
