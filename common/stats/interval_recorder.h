#pragma once

// IntervalRecorder: turns one path's probe events into IntervalSummary values, one per interval.
//
// Time. Interval k covers sending times [origin + k*interval, origin + (k+1)*interval) on the
// monotonic clock. By default the origin is the last wall-clock multiple of the interval before
// the recorder was made (10 s intervals start at :00, :10, ...), so that intervals of all probes
// line up in the collector. Events carry their own times (the prober's or the kernel's stamps);
// CloseDue() reads the clock. A summary's wall-clock `start` is fixed arithmetic from the origin
// (origin's wall time + k * interval): an NTP step later does not move labels.
//
// A probe's fate, decided by its own timestamps only, never by when CloseDue() runs:
//   reply arrives within `timeout` of sending           -> received (RTT, IPDV, jitter recorded)
//   first reply arrives after `timeout`, before `late_horizon` -> late
//   no reply before `late_horizon`                      -> lost
//   further replies to an answered probe                -> duplicated
//   replies to unknown, untracked or closed probes      -> counted in RecorderCounters only
//
// When an interval is final. Interval k closes at the first CloseDue() at which
//   now >= end of interval k            (no probe can be sent into it any more), and
//   now >= last probe sent in k + late_horizon   (every probe's fate is decided)
// So a summary appears late_horizon after the interval's last probe at the latest, whatever the
// network does, and it never changes afterwards. Deliver the events up to `now` before calling
// CloseDue(now): a reply processed after its probe's interval closed is only an unmatched reply.
// Intervals in which no probe was sent produce no summary.
//
// Bounded memory. Each probe sent occupies one slot in the outstanding table until its interval
// closes, so the table holds about rate * (interval + late_horizon) probes. `max_outstanding`
// bounds it; a probe sent while it is full is counted as sent and untracked (its reply will be
// unmatched), never silently dropped. The default 4096 is enough for 100 probes/s with 10 s
// intervals and a 30 s horizon. The table is a ring that grows to what the path needs (a slot is
// 16 bytes), and an open interval keeps only its counters (48 bytes): the summary, with its
// histograms, is built when the interval closes, from the fates and RTTs its probes carry. A path
// probed once a second with 1 s intervals and a 3 s horizon thus holds ~5 probes and ~5 open
// intervals in well under a kilobyte, where whole summaries (4 histograms each) took ~3.5 KB.
//
// The table also serves a prober that keeps none of its own (ICMP): Tracked() gives a probe's
// sending time and its kernel transmit stamp, which AttachTransmitStamp() stores in the slot
// until the RTT takes its place.
//
// Sequence numbers are 32-bit and wrap (sequence_number.h). Sending times must not go backwards.
// Not thread-safe: one per path, driven from the prober's io_context.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "common/stats/interval_summary.h"
#include "common/stats/probe_events.h"
#include "common/stats/rfc3550_jitter.h"

namespace linkmon::stats {

struct IntervalRecorderOptions {
  // Length of one summary interval. Default 10 s.
  std::chrono::nanoseconds interval = std::chrono::seconds(10);
  // A reply later than this after sending is late, not received. Default 1 s.
  std::chrono::nanoseconds timeout = std::chrono::seconds(1);
  // A reply later than this after sending is not waited for: the probe is lost. >= timeout.
  // Default 3 s.
  std::chrono::nanoseconds late_horizon = std::chrono::seconds(3);
  // Most probes tracked at once (see above). 1 .. 1'048'576. Default 4096.
  std::size_t max_outstanding = 4096;
  // Slots the table is given at the first probe, when the caller knows the path's rate: what an
  // interval and its late horizon hold. 0: start at 4 and double as needed (a path holding 14
  // then has 16). At most max_outstanding.
  std::size_t expected_outstanding = 0;
  // Start of interval 0 on the monotonic clock; nullopt: wall-clock aligned (see above).
  std::optional<MonotonicTime> origin;
};

// What became of a reply; for the prober's own logs and metrics.
enum class ReplyOutcome {
  kReceived,      // first reply, in time
  kLate,          // first reply, after the timeout
  kDuplicate,     // a further reply to the same probe
  kAfterHorizon,  // after the late horizon: the probe counts as lost
  kUnmatched,     // no such probe outstanding: never sent, untracked, or its interval closed
};

// Totals over the recorder's life, for the probe's /metrics.
struct RecorderCounters {
  std::uint64_t unmatched_replies = 0;      // ReplyOutcome::kUnmatched
  std::uint64_t replies_after_horizon = 0;  // ReplyOutcome::kAfterHorizon
  std::uint64_t untracked_probes = 0;       // sent while the table was full
  std::uint64_t rejected_events = 0;        // events refused with an error
};

class IntervalRecorder {
 public:
  // Refuses options out of range (kInvalidArgument, naming the option).
  static Result<IntervalRecorder> Create(const IntervalRecorderOptions& options,
                                         const Clock& clock);
  // A recorder with this one's options, clock and origin, and nothing recorded. Recorders made
  // this way share what they never change (64 bytes kept once instead of once a path).
  IntervalRecorder Sibling() const { return IntervalRecorder(settings_); }

  // Records a probe leaving. Errors (kInvalidArgument; the event is not recorded): a sending time
  // before the origin or before the previous probe's, a sequence number still outstanding.
  Status OnSent(const ProbeSent& event);

  // Records a reply. Errors (kInvalidArgument): arrival before the probe was sent, negative RTT.
  Result<ReplyOutcome> OnReply(const ProbeReply& event);

  // The path's table of probes also serves a prober that keeps none of its own (ICMP), so that a
  // probe is remembered once per path, not in two tables (at 10,000 paths the prober's own table
  // was 2.4 MB of a 14 MB heap).
  //
  // The probe as the table holds it (probe_events.h); nullopt when the table does not hold the
  // sequence: never sent, untracked, or its interval closed (any reply to it is unmatched).
  std::optional<TrackedProbe> Tracked(std::uint32_t sequence) const;
  // Attaches the kernel's transmit stamp to a probe; false when the table does not hold it or it
  // has a stamp already. A probe answered before its stamp was read takes it (true) but does not
  // keep it: its RTT is measured by then.
  bool AttachTransmitStamp(std::uint32_t sequence, SystemTime kernel_sent);

  // Closes every interval that is final at the clock's current time and returns their summaries,
  // oldest first.
  std::vector<IntervalSummary> CloseDue();

  const RecorderCounters& counters() const { return counters_; }
  // Probes currently in the table.
  std::size_t outstanding() const { return count_; }

 private:
  enum class Fate : std::uint8_t { kWaiting, kReceived, kLate };

  // "None" for the RTTs and jitter below, which are never negative (a negative RTT is refused):
  // a sentinel rather than a std::optional saves 8 bytes each, in an object kept per path.
  static constexpr std::chrono::nanoseconds kNoDuration{-1};

  // 16 bytes: a path probed once a second with 10 s summaries holds ~15 of them (at 10,000
  // paths, 8 bytes less a slot is 1.2 MB). The interval a probe belongs to is computed from its
  // sending time (IndexOf) rather than kept, its sequence number from its place in the table
  // (SequenceAt), and its sending time is kept from the origin, leaving room for the flags.
  struct Probe {
    // Sending time - origin, in nanoseconds: 2^60 ns is 36 years (OnSent refuses later ones).
    std::uint64_t since_origin : 60;
    std::uint64_t fate_bits : 2;
    // The probe sent just before this one is tracked (no untracked probe in between): the pair
    // is consecutive for IPDV.
    std::uint64_t follows_previous : 1;
    std::uint64_t stamped : 1;
    // Received: the RTT. Otherwise, when `stamped`: the kernel's transmit stamp, in nanoseconds
    // since the epoch. One field for both, as a probe needs the stamp only until it is answered.
    std::chrono::nanoseconds rtt_or_stamp{0};

    Fate fate() const { return static_cast<Fate>(fate_bits); }
    void set_fate(Fate fate) { fate_bits = static_cast<std::uint64_t>(fate) & 3U; }
  };

  // One-way delays of an interval's received probes; only methods that measure them (STAMP with
  // synchronised clocks) have any, so they are kept apart from the probes' slots.
  struct OneWayHistograms {
    histogram::LogHistogram forward;
    histogram::LogHistogram reverse;
  };

  // What an interval gathers while open that its probes do not carry; 48 bytes, and a path keeps
  // 2 + late_horizon / interval of them. Its counts are 32-bit: an interval is at most an hour of
  // probes 10 ms apart (360,000); its index too, which at 1 s intervals lasts 136 years from the
  // origin (OnSent refuses a probe beyond it).
  struct OpenInterval {
    std::uint32_t index;
    TimestampSource timestamp_source = TimestampSource::kNone;
    MonotonicTime last_sent;
    std::uint32_t untracked = 0;
    std::uint32_t duplicated = 0;
    std::uint32_t reordered = 0;
    std::uint32_t one_way_unsynchronized = 0;
    // The RFC 3550 jitter after the interval's last reply in arrival order; kNoDuration before
    // the second reply of the path.
    std::chrono::nanoseconds rfc3550_jitter = kNoDuration;
    std::unique_ptr<OneWayHistograms> one_way = nullptr;  // made at the first one-way sample
  };

  struct Settings;
  explicit IntervalRecorder(std::shared_ptr<const Settings> settings)
      : settings_(std::move(settings)) {}

  // Index k of the interval a probe sent at `sent` belongs to.
  std::uint64_t IndexOf(MonotonicTime sent) const;
  OpenInterval& IntervalFor(std::uint32_t index);
  OpenInterval* FindInterval(std::uint64_t index);
  Probe* FindProbe(std::uint32_t sequence);
  const Probe* FindProbe(std::uint32_t sequence) const;
  MonotonicTime SentAt(const Probe& probe) const {
    return settings_->origin + std::chrono::nanoseconds(probe.since_origin);
  }
  void RecordReceived(Probe& probe, const ProbeReply& event, OpenInterval& interval);
  IntervalSummary Close(OpenInterval& interval);

  // The table of tracked probes, a ring in sending order: probe i (0 = oldest) is at
  // ring_[(head_ + i) % ring_size_].
  std::size_t SlotOf(std::size_t i) const { return (head_ + i) % ring_size_; }
  Probe& ProbeAt(std::size_t i) { return ring_[SlotOf(i)]; }
  const Probe& ProbeAt(std::size_t i) const { return ring_[SlotOf(i)]; }
  // Probe i's sequence number: the oldest one's plus i while they follow one another, else kept
  // in sequences_.
  std::uint32_t SequenceAt(std::size_t i) const {
    return consecutive_ ? first_sequence_ + static_cast<std::uint32_t>(i) : sequences_[SlotOf(i)];
  }
  void PushProbe(const Probe& probe, std::uint32_t sequence);
  void PopProbe();
  void KeepSequences();

  // What a running recorder reads and never changes: its options, narrowed (the origin is spent
  // by then), its clock, and the origin on both clocks. Recorders made alike (Sibling) share one
  // copy: a probe keeps a recorder per path, 10,000 of them on a large one.
  struct Settings {
    std::chrono::nanoseconds interval;
    std::chrono::nanoseconds timeout;
    std::chrono::nanoseconds late_horizon;
    std::uint32_t max_outstanding;  // <= 2^20
    std::uint32_t expected_outstanding;
    const Clock* clock;
    MonotonicTime origin;
    SystemTime wall_origin;
  };

  std::shared_ptr<const Settings> settings_;

  // An array and its size rather than a vector: with the 32-bit positions, 8 bytes saved.
  std::unique_ptr<Probe[]> ring_;
  std::uint32_t ring_size_ = 0;
  std::uint32_t head_ = 0;
  std::uint32_t count_ = 0;
  // The oldest tracked probe's sequence number, while `consecutive_`.
  std::uint32_t first_sequence_ = 0;
  // True while the tracked probes' sequence numbers follow one another (as the scheduler numbers
  // them): a probe's number is then its place in the table, and a reply finds its probe by
  // subtraction. Otherwise (a caller numbering its probes its own way) the numbers are kept in
  // sequences_, slot for slot with ring_, made the first time they are needed.
  bool consecutive_ = true;
  bool previous_send_tracked_ = false;
  std::optional<std::uint32_t> next_expected_;  // RFC 4737 NextExp
  std::unique_ptr<std::uint32_t[]> sequences_;
  // The RTT of the last probe removed from the table when it was received (else kNoDuration),
  // for the IPDV pair that straddles an interval's close.
  std::chrono::nanoseconds last_removed_rtt_ = kNoDuration;

  std::vector<OpenInterval> open_;   // by increasing index; a handful
  std::uint64_t closed_before_ = 0;  // intervals with a lower index are closed
  Rfc3550Jitter jitter_;
  std::chrono::nanoseconds previous_arrival_rtt_ = kNoDuration;  // for RFC 3550's D
  RecorderCounters counters_;
};

}  // namespace linkmon::stats
