#include "common/stats/interval_recorder.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace linkmon::stats {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// Intervals of 10 s starting at the fake clock's start, timeout 1 s, late horizon 2 s. Times in
// the tests are offsets from that start.
class IntervalRecorderTest : public ::testing::Test {
 protected:
  IntervalRecorder Make(IntervalRecorderOptions options) {
    options.origin = t0_;
    auto recorder = IntervalRecorder::Create(options, clock_);
    EXPECT_TRUE(recorder.has_value()) << recorder.error().message;
    return std::move(*recorder);
  }
  static IntervalRecorderOptions Defaults() {
    return IntervalRecorderOptions{.interval = seconds(10),
                                   .timeout = seconds(1),
                                   .late_horizon = seconds(2),
                                   .max_outstanding = 4096,
                                   .origin = std::nullopt};
  }

  MonotonicTime At(nanoseconds offset) const { return t0_ + offset; }

  void Sent(std::uint32_t sequence, nanoseconds at) {
    ASSERT_TRUE(recorder_.OnSent(ProbeSent{.sequence = sequence, .sent = At(at)}).has_value());
  }
  ReplyOutcome Reply(std::uint32_t sequence, nanoseconds arrival, nanoseconds rtt) {
    auto outcome =
        recorder_.OnReply(ProbeReply{.sequence = sequence, .arrival = At(arrival), .rtt = rtt});
    EXPECT_TRUE(outcome.has_value()) << outcome.error().message;
    return outcome.value_or(ReplyOutcome::kUnmatched);
  }
  // Moves the clock to `offset` and closes what is due.
  std::vector<IntervalSummary> CloseAt(nanoseconds offset) {
    clock_.Advance(At(offset) - clock_.MonotonicNow());
    return recorder_.CloseDue();
  }
  // Closes everything sent so far and returns the only summary.
  IntervalSummary OnlySummary() {
    auto closed = CloseAt(seconds(1'000));
    EXPECT_EQ(closed.size(), 1u);
    return closed.empty() ? IntervalSummary{} : closed.front();
  }

  FakeClock clock_;
  MonotonicTime t0_ = clock_.MonotonicNow();
  IntervalRecorder recorder_ = Make(Defaults());
};

void ExpectFatesAddUp(const IntervalSummary& summary) {
  const ProbeCounts& c = summary.counts;
  EXPECT_EQ(c.sent, c.received + c.late + c.lost + c.untracked);
}

TEST_F(IntervalRecorderTest, LossDuplicatesAndLateRepliesByHand) {
  // Ten probes, 100 ms apart, in interval 0. Timeout 1 s, horizon 2 s.
  for (std::uint32_t seq = 0; seq < 10; ++seq) Sent(seq, milliseconds(100 * seq));
  EXPECT_EQ(Reply(0, milliseconds(20), milliseconds(20)), ReplyOutcome::kReceived);
  // 1: no reply at all                                  -> lost
  EXPECT_EQ(Reply(2, milliseconds(220), milliseconds(20)), ReplyOutcome::kReceived);
  EXPECT_EQ(Reply(2, milliseconds(225), milliseconds(25)), ReplyOutcome::kDuplicate);
  // 6..9 on time
  for (std::uint32_t seq = 6; seq < 10; ++seq) {
    EXPECT_EQ(Reply(seq, milliseconds(100 * seq + 20), milliseconds(20)), ReplyOutcome::kReceived);
  }
  // 3: sent at 0.3 s, reply at 1.8 s: 1.5 s > timeout, < horizon -> late, not received, not lost
  EXPECT_EQ(Reply(3, milliseconds(1'800), milliseconds(1'500)), ReplyOutcome::kLate);
  // 4: late, then a copy of the late reply                  -> late + 1 duplicate
  EXPECT_EQ(Reply(4, milliseconds(1'900), milliseconds(1'500)), ReplyOutcome::kLate);
  EXPECT_EQ(Reply(4, milliseconds(2'000), milliseconds(1'600)), ReplyOutcome::kDuplicate);
  // 5: sent at 0.5 s, reply at 3.0 s: 2.5 s > horizon       -> lost; the reply is not counted
  EXPECT_EQ(Reply(5, milliseconds(3'000), milliseconds(2'500)), ReplyOutcome::kAfterHorizon);

  const IntervalSummary summary = OnlySummary();
  // received {0, 2, 6, 7, 8, 9} = 6, late {3, 4} = 2, lost {1, 5} = 2, duplicates {2, 4} = 2.
  EXPECT_EQ(summary.counts.sent, 10u);
  EXPECT_EQ(summary.counts.received, 6u);
  EXPECT_EQ(summary.counts.late, 2u);
  EXPECT_EQ(summary.counts.lost, 2u);
  EXPECT_EQ(summary.counts.duplicated, 2u);
  EXPECT_EQ(summary.counts.untracked, 0u);
  // Received sequence numbers arrived in increasing order: nothing reordered.
  EXPECT_EQ(summary.counts.reordered, 0u);
  ExpectFatesAddUp(summary);
  // Only the six received replies are in the RTT histogram, all 20 ms.
  EXPECT_EQ(summary.rtt.Count(), 6u);
  EXPECT_EQ(summary.rtt.Max(), milliseconds(20));
  EXPECT_EQ(recorder_.counters().replies_after_horizon, 1u);
}

TEST_F(IntervalRecorderTest, ReorderingPerRfc4737) {
  // Sent 1..6, arriving in the order 1 3 2 6 4 5 (all on time). RFC 4737 section 3.3: a packet
  // is reordered if s < NextExp; otherwise NextExp = s + 1.
  //   1: NextExp -> 2 | 3: 3 >= 2, NextExp -> 4 | 2: 2 < 4 reordered
  //   6: 6 >= 4, NextExp -> 7 | 4: 4 < 7 reordered | 5: 5 < 7 reordered
  // So 3 reordered: 2, 4 and 5 (4 and 5 are "late" relative to 6, though in order themselves).
  for (std::uint32_t seq = 1; seq <= 6; ++seq) Sent(seq, milliseconds(10 * seq));
  int arrival = 100;
  for (std::uint32_t seq : {1u, 3u, 2u, 6u, 4u, 5u}) {
    Reply(seq, milliseconds(arrival++), milliseconds(30));
  }
  const IntervalSummary summary = OnlySummary();
  EXPECT_EQ(summary.counts.received, 6u);
  EXPECT_EQ(summary.counts.reordered, 3u);
}

TEST_F(IntervalRecorderTest, SequenceNumbersWrapAround) {
  // 0xfffffffd .. 0x00000002, replies arriving as fd fe 00 ff 01 01; 02 never arrives.
  // NextExp: fd -> fe -> ff; 00 is after ff in serial order -> NextExp 01; ff is before 01
  // (serial) -> reordered; 01 -> NextExp 02; the second 01 is a duplicate.
  const std::uint32_t seqs[] = {0xfffffffdu, 0xfffffffeu, 0xffffffffu, 0u, 1u, 2u};
  for (int i = 0; i < 6; ++i) Sent(seqs[i], milliseconds(10 * i));
  int arrival = 100;
  for (std::uint32_t seq : {0xfffffffdu, 0xfffffffeu, 0u, 0xffffffffu, 1u}) {
    EXPECT_EQ(Reply(seq, milliseconds(arrival++), milliseconds(20 + (seq & 3))),
              ReplyOutcome::kReceived);
  }
  EXPECT_EQ(Reply(1u, milliseconds(arrival++), milliseconds(20)), ReplyOutcome::kDuplicate);
  const IntervalSummary summary = OnlySummary();
  EXPECT_EQ(summary.counts.sent, 6u);
  EXPECT_EQ(summary.counts.received, 5u);
  EXPECT_EQ(summary.counts.lost, 1u);
  EXPECT_EQ(summary.counts.duplicated, 1u);
  EXPECT_EQ(summary.counts.reordered, 1u);
  // IPDV pairs are neighbours in sending order, across the wrap: fd-fe, fe-ff, ff-00, 00-01 (the
  // pair 01-02 has a lost probe). RTTs 20 + (seq & 3): fd 21, fe 22, ff 23, 00 20, 01 21,
  // so IPDV = +1, +1, -3, +1.
  EXPECT_EQ(summary.ipdv_magnitude.Count(), 4u);
  EXPECT_EQ(summary.ipdv_min, milliseconds(-3));
  EXPECT_EQ(summary.ipdv_max, milliseconds(1));
}

TEST_F(IntervalRecorderTest, FindsProbesWhoseSequenceNumbersDoNotFollowOneAnother) {
  // The scheduler numbers a path's probes 0, 1, 2, ...; other callers need not. Nine probes (the
  // table grows past its first size) with scattered numbers, answered newest first.
  const std::uint32_t seqs[] = {7, 3, 1000, 4, 0xffffffffu, 8, 9, 12, 5};
  for (int i = 0; i < 9; ++i) Sent(seqs[i], milliseconds(10 * i));
  EXPECT_EQ(
      recorder_.OnSent(ProbeSent{.sequence = 1000, .sent = At(milliseconds(95))}).error().message,
      "interval recorder: probe 1000 is still outstanding");
  for (int i = 8; i >= 0; --i) {
    EXPECT_EQ(Reply(seqs[i], milliseconds(200 + i), milliseconds(20)), ReplyOutcome::kReceived)
        << seqs[i];
  }
  EXPECT_EQ(Reply(6, milliseconds(300), milliseconds(20)), ReplyOutcome::kUnmatched);
  const IntervalSummary summary = OnlySummary();
  EXPECT_EQ(summary.counts.sent, 9u);
  EXPECT_EQ(summary.counts.received, 9u);
  EXPECT_EQ(summary.ipdv_magnitude.Count(), 8u);
  EXPECT_EQ(recorder_.outstanding(), 0u);
}

TEST_F(IntervalRecorderTest, SequenceNumbersThatStopFollowingOneAnotherAndStartAgain) {
  // The table keeps sequence numbers only once they stop following one another, and forgets
  // them when it empties. 0 1 2, then a jump to 10 11 (kept from there on, through a growth of
  // the table from its first 4 slots), all answered; then, in the next interval after the close,
  // 20 21 22 follow one another again.
  for (std::uint32_t seq : {0u, 1u, 2u, 10u, 11u}) Sent(seq, milliseconds(10 * seq));
  EXPECT_EQ(Reply(3, milliseconds(150), milliseconds(20)), ReplyOutcome::kUnmatched);
  for (std::uint32_t seq : {11u, 0u, 10u, 2u, 1u}) {
    EXPECT_EQ(Reply(seq, milliseconds(200 + seq), milliseconds(20)), ReplyOutcome::kReceived)
        << seq;
  }
  auto first = CloseAt(seconds(13));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].counts.received, 5u);
  EXPECT_EQ(recorder_.outstanding(), 0u);
  for (std::uint32_t seq : {20u, 21u, 22u}) Sent(seq, seconds(14) + milliseconds(seq));
  EXPECT_EQ(Reply(10, seconds(15), milliseconds(20)), ReplyOutcome::kUnmatched);
  EXPECT_EQ(Reply(22, seconds(15), milliseconds(20)), ReplyOutcome::kReceived);
  EXPECT_EQ(Reply(21, seconds(15), milliseconds(20)), ReplyOutcome::kReceived);
  const IntervalSummary second = OnlySummary();
  EXPECT_EQ(second.counts.sent, 3u);
  EXPECT_EQ(second.counts.received, 2u);
  EXPECT_EQ(second.counts.lost, 1u);
}

TEST_F(IntervalRecorderTest, ASiblingSharesTheIntervalsAndNothingRecorded) {
  Sent(0, milliseconds(100));
  Sent(1, milliseconds(1'100));
  Reply(0, milliseconds(120), milliseconds(20));
  IntervalRecorder sibling = recorder_.Sibling();
  EXPECT_EQ(sibling.outstanding(), 0u);
  // Numbered on its own: its probe 0 is not the first recorder's.
  ASSERT_TRUE(sibling.OnSent(ProbeSent{.sequence = 0, .sent = At(milliseconds(5'000))}));
  ASSERT_TRUE(sibling.OnReply(
      ProbeReply{.sequence = 0, .arrival = At(milliseconds(5'030)), .rtt = milliseconds(30)}));
  EXPECT_EQ(Reply(0, milliseconds(130), milliseconds(30)), ReplyOutcome::kDuplicate);
  clock_.Advance(At(seconds(100)) - clock_.MonotonicNow());
  const std::vector<IntervalSummary> mine = recorder_.CloseDue();
  const std::vector<IntervalSummary> theirs = sibling.CloseDue();
  ASSERT_EQ(mine.size(), 1u);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(mine[0].start, theirs[0].start);
  EXPECT_EQ(mine[0].duration, theirs[0].duration);
  EXPECT_EQ(mine[0].counts.sent, 2u);
  EXPECT_EQ(mine[0].counts.received, 1u);
  EXPECT_EQ(mine[0].counts.duplicated, 1u);
  EXPECT_EQ(theirs[0].counts.sent, 1u);
  EXPECT_EQ(theirs[0].counts.received, 1u);
  EXPECT_EQ(theirs[0].rtt.Max(), milliseconds(30));
}

TEST_F(IntervalRecorderTest, JitterAsIpdvAndRfc3550ByHand) {
  // RTTs 10, 14, 11, 11, 20 ms, sent 100 ms apart, arriving in order.
  const int rtts[] = {10, 14, 11, 11, 20};
  for (std::uint32_t seq = 0; seq < 5; ++seq) Sent(seq, milliseconds(100 * seq));
  for (std::uint32_t seq = 0; seq < 5; ++seq) {
    Reply(seq, milliseconds(100 * seq + rtts[seq]), milliseconds(rtts[seq]));
  }
  const IntervalSummary summary = OnlySummary();
  // IPDV (RFC 5481): 14-10 = +4, 11-14 = -3, 11-11 = 0, 20-11 = +9.
  // |IPDV| sorted: 0, 3, 4, 9 ms. p50 is rank 2 -> 3 ms; p99 is rank 4 -> 9 ms.
  EXPECT_EQ(summary.ipdv_magnitude.Count(), 4u);
  EXPECT_EQ(summary.ipdv_magnitude.UnderflowCount(), 1u);  // the 0
  EXPECT_NEAR(static_cast<double>(summary.ipdv_magnitude.Quantile(0.5)->value.count()), 3e6,
              3e6 * 0.01);
  EXPECT_EQ(summary.ipdv_magnitude.Quantile(0.99)->value, milliseconds(9));
  EXPECT_EQ(summary.ipdv_min, milliseconds(-3));
  EXPECT_EQ(summary.ipdv_max, milliseconds(9));
  // RFC 3550: D = +4, -3, 0, +9 ms in arrival order; J = 0.25, 0.421875, 0.3955078125,
  // 0.93328857421875 ms (rfc3550_jitter_test.cpp), reported as integer 933288 ns.
  EXPECT_EQ(summary.rfc3550_jitter, nanoseconds(933'288));
}

TEST_F(IntervalRecorderTest, IpdvSkipsPairsWithALostProbe) {
  // RTTs 10, (lost), 12, 13: only the pair (2, 3) is consecutive and received: IPDV +1 ms.
  // RFC 3550 pairs by arrival instead: 0 -> 2 (D = +2), 2 -> 3 (D = +1).
  for (std::uint32_t seq = 0; seq < 4; ++seq) Sent(seq, milliseconds(100 * seq));
  Reply(0, milliseconds(10), milliseconds(10));
  Reply(2, milliseconds(212), milliseconds(12));
  Reply(3, milliseconds(313), milliseconds(13));
  const IntervalSummary summary = OnlySummary();
  EXPECT_EQ(summary.ipdv_magnitude.Count(), 1u);
  EXPECT_EQ(summary.ipdv_max, milliseconds(1));
  // J = 2/16 = 0.125 ms, then 0.125 + (1 - 0.125)/16 = 0.1796875 ms.
  EXPECT_EQ(summary.rfc3550_jitter, nanoseconds(179'687));
}

TEST_F(IntervalRecorderTest, IpdvPairStraddlingAClosedInterval) {
  // Probe 0 at 9.9 s (interval 0), closed at 12 s; probe 1 at 12.5 s (interval 1). The pair is
  // consecutive, so its IPDV (15 - 10 = +5 ms) is recorded in interval 1.
  Sent(0, milliseconds(9'900));
  Reply(0, milliseconds(9'910), milliseconds(10));
  ASSERT_EQ(CloseAt(milliseconds(12'000)).size(), 1u);
  Sent(1, milliseconds(12'500));
  Reply(1, milliseconds(12'515), milliseconds(15));
  const IntervalSummary summary = OnlySummary();
  EXPECT_EQ(summary.ipdv_magnitude.Count(), 1u);
  EXPECT_EQ(summary.ipdv_max, milliseconds(5));
}

TEST_F(IntervalRecorderTest, OneWayDelayOnlyWithSynchronizedClocks) {
  for (std::uint32_t seq = 0; seq < 4; ++seq) Sent(seq, milliseconds(100 * seq));
  const OneWayDelays delays{.forward = milliseconds(6), .reverse = milliseconds(4)};
  auto reply = [&](std::uint32_t seq, ClockSync sync, std::optional<OneWayDelays> one_way) {
    ASSERT_TRUE(recorder_.OnReply(ProbeReply{.sequence = seq,
                                             .arrival = At(milliseconds(100 * seq + 10)),
                                             .rtt = milliseconds(10),
                                             .one_way = one_way,
                                             .clock_sync = sync}));
  };
  reply(0, ClockSync::kBothSynchronized, delays);
  reply(1, ClockSync::kNotSynchronized, delays);         // the -2.6 s kind: left out
  reply(2, ClockSync::kBothSynchronized, std::nullopt);  // method without one-way delays
  reply(3, ClockSync::kBothSynchronized, delays);
  const IntervalSummary summary = OnlySummary();
  EXPECT_TRUE(summary.OneWayDelayAvailable());
  EXPECT_EQ(summary.forward_delay.Count(), 2u);
  EXPECT_EQ(summary.reverse_delay.Count(), 2u);
  EXPECT_EQ(summary.forward_delay.Max(), milliseconds(6));
  EXPECT_EQ(summary.reverse_delay.Max(), milliseconds(4));
  EXPECT_EQ(summary.one_way_unsynchronized, 1u);
  EXPECT_EQ(summary.rtt.Count(), 4u);
}

TEST_F(IntervalRecorderTest, NoOneWayDelayWhenNoClockIsSynchronized) {
  Sent(0, milliseconds(0));
  ASSERT_TRUE(recorder_.OnReply(
      ProbeReply{.sequence = 0,
                 .arrival = At(milliseconds(10)),
                 .rtt = milliseconds(10),
                 .one_way = OneWayDelays{.forward = seconds(-2) - milliseconds(600),
                                         .reverse = seconds(2) + milliseconds(610)},
                 .clock_sync = ClockSync::kNotSynchronized}));
  const IntervalSummary summary = OnlySummary();
  EXPECT_FALSE(summary.OneWayDelayAvailable());
  EXPECT_TRUE(summary.forward_delay.Empty());
  EXPECT_TRUE(summary.reverse_delay.Empty());
  EXPECT_EQ(summary.forward_delay.Quantile(0.5).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(summary.one_way_unsynchronized, 1u);
}

TEST_F(IntervalRecorderTest, TimestampSourceOfTheReplies) {
  for (std::uint32_t seq = 0; seq < 3; ++seq) Sent(seq, milliseconds(100 * seq));
  Sent(3, seconds(15));  // interval 1: no reply
  ASSERT_TRUE(recorder_.OnReply(ProbeReply{.sequence = 0,
                                           .arrival = At(milliseconds(10)),
                                           .rtt = milliseconds(10),
                                           .timestamp_source = TimestampSource::kKernel}));
  ASSERT_TRUE(recorder_.OnReply(ProbeReply{.sequence = 1,
                                           .arrival = At(milliseconds(110)),
                                           .rtt = milliseconds(10),
                                           .timestamp_source = TimestampSource::kKernel}));
  auto closed = CloseAt(seconds(1'000));
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[0].timestamp_source, TimestampSource::kKernel);
  EXPECT_EQ(closed[1].timestamp_source, TimestampSource::kNone);
}

TEST_F(IntervalRecorderTest, AnIntervalClosesWhenItHasEndedAndEveryFateIsDecided) {
  // Interval 0 is [0, 10 s). Its last probe leaves at 9.5 s, so it is final at
  // max(10 s, 9.5 s + 2 s) = 11.5 s, whether or not the probe was answered.
  Sent(0, milliseconds(1'000));
  Reply(0, milliseconds(1'010), milliseconds(10));
  Sent(1, milliseconds(9'500));
  EXPECT_TRUE(CloseAt(milliseconds(9'999)).empty());
  EXPECT_TRUE(CloseAt(milliseconds(11'499)).empty());
  EXPECT_EQ(recorder_.outstanding(), 2u);
  auto closed = CloseAt(milliseconds(11'500));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].counts.received, 1u);
  EXPECT_EQ(closed[0].counts.lost, 1u);
  EXPECT_EQ(closed[0].start, clock_.SystemNow() - milliseconds(11'500));
  EXPECT_EQ(closed[0].duration, seconds(10));
  EXPECT_EQ(recorder_.outstanding(), 0u);
  // Nothing more to close; a reply to the closed probe is unmatched.
  EXPECT_TRUE(CloseAt(seconds(100)).empty());
  EXPECT_EQ(Reply(1, seconds(100), milliseconds(10)), ReplyOutcome::kUnmatched);
  EXPECT_EQ(recorder_.counters().unmatched_replies, 1u);
}

TEST_F(IntervalRecorderTest, IntervalsWithoutProbesProduceNothing) {
  // Probes in intervals 0 and 3; 1 and 2 are silent (the prober was paused).
  Sent(0, seconds(1));
  Sent(1, seconds(31));
  auto closed = CloseAt(seconds(100));
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[1].start - closed[0].start, seconds(30));
}

TEST_F(IntervalRecorderTest, DefaultOriginAlignsIntervalsWithTheWallClock) {
  // The fake wall clock starts at 2026-01-01T00:00:00Z; 3.5 s later the recorder is made.
  const SystemTime midnight = clock_.SystemNow();
  clock_.Advance(milliseconds(3'500));
  auto aligned = IntervalRecorder::Create(Defaults(), clock_);
  ASSERT_TRUE(aligned.has_value());
  ASSERT_TRUE(aligned->OnSent(ProbeSent{.sequence = 0, .sent = clock_.MonotonicNow()}));
  ASSERT_TRUE(aligned->OnSent(
      ProbeSent{.sequence = 1, .sent = clock_.MonotonicNow() + milliseconds(6'500)}));
  clock_.Advance(seconds(60));
  auto closed = aligned->CloseDue();
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[0].start, midnight);                // 00:00:00, although made at 00:00:03.5
  EXPECT_EQ(closed[1].start, midnight + seconds(10));  // the probe at 00:00:10.0
}

TEST_F(IntervalRecorderTest, BoundedTableCountsWhatDoesNotFit) {
  recorder_ = Make(IntervalRecorderOptions{.interval = seconds(10),
                                           .timeout = seconds(1),
                                           .late_horizon = seconds(2),
                                           .max_outstanding = 3,
                                           .origin = std::nullopt});
  // Five probes, room for three: 3 and 4 are untracked, their replies unmatched.
  for (std::uint32_t seq = 0; seq < 5; ++seq) {
    Sent(seq, milliseconds(100 * seq));
    EXPECT_EQ(Reply(seq, milliseconds(100 * seq + 10), milliseconds(10)),
              seq < 3 ? ReplyOutcome::kReceived : ReplyOutcome::kUnmatched);
  }
  EXPECT_EQ(recorder_.outstanding(), 3u);
  auto closed = CloseAt(seconds(12));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].counts.sent, 5u);
  EXPECT_EQ(closed[0].counts.received, 3u);
  EXPECT_EQ(closed[0].counts.untracked, 2u);
  ExpectFatesAddUp(closed[0]);
  EXPECT_EQ(recorder_.counters().untracked_probes, 2u);
  EXPECT_EQ(recorder_.counters().unmatched_replies, 2u);

  // The table is empty again. Probe 5 follows an untracked probe, so (2, 5) is no IPDV pair.
  Sent(5, seconds(13));
  Sent(6, seconds(13) + milliseconds(100));
  Reply(5, seconds(13) + milliseconds(11), milliseconds(11));
  Reply(6, seconds(13) + milliseconds(113), milliseconds(13));
  closed = CloseAt(seconds(30));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].counts.untracked, 0u);
  EXPECT_EQ(closed[0].ipdv_magnitude.Count(), 1u);  // only (5, 6)
  EXPECT_EQ(closed[0].ipdv_max, milliseconds(2));
}

TEST_F(IntervalRecorderTest, RefusesImpossibleEvents) {
  Sent(10, seconds(5));
  auto sent = [&](std::uint32_t seq, nanoseconds at) {
    return recorder_.OnSent(ProbeSent{.sequence = seq, .sent = At(at)});
  };
  EXPECT_EQ(sent(11, seconds(-1)).error().message,
            "interval recorder: probe 11 sent before the first interval");
  EXPECT_EQ(sent(11, seconds(4)).error().message,
            "interval recorder: probe 11 sent earlier than the probe before it");
  EXPECT_EQ(sent(10, seconds(6)).error().message,
            "interval recorder: probe 10 is still outstanding");
  auto reply = [&](std::uint32_t seq, nanoseconds arrival, nanoseconds rtt) {
    return recorder_.OnReply(ProbeReply{.sequence = seq, .arrival = At(arrival), .rtt = rtt});
  };
  EXPECT_EQ(reply(10, seconds(4), milliseconds(1)).error().message,
            "interval recorder: reply to probe 10 arrived before the probe was sent");
  EXPECT_EQ(reply(10, seconds(5), milliseconds(-1)).error().message,
            "interval recorder: reply to probe 10 has a negative RTT");
  // Interval 0 closes at 10 s; a probe stamped inside it afterwards is refused.
  auto closed = CloseAt(seconds(10));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].counts.sent, 1u);  // the refused events left no trace
  EXPECT_EQ(sent(13, seconds(9)).error().message,
            "interval recorder: probe 13 sent in interval 0, which is already closed");
  EXPECT_EQ(recorder_.counters().rejected_events, 6u);
}

// The table serves a prober that keeps none (ICMP): a probe's sending time, and its transmit stamp
// until it is answered, when the slot holds the RTT instead.
TEST_F(IntervalRecorderTest, ServesTrackedProbesAndTheirTransmitStamps) {
  const SystemTime stamp{std::chrono::duration_cast<SystemTime::duration>(seconds(1'700'000'000))};
  Sent(5, seconds(1));
  ASSERT_TRUE(recorder_.Tracked(5).has_value());
  EXPECT_EQ(recorder_.Tracked(5)->sent, At(seconds(1)));
  EXPECT_FALSE(recorder_.Tracked(5)->kernel_sent.has_value());
  EXPECT_FALSE(recorder_.Tracked(6).has_value());

  EXPECT_TRUE(recorder_.AttachTransmitStamp(5, stamp));
  EXPECT_FALSE(recorder_.AttachTransmitStamp(5, stamp + seconds(1)));  // the first one stays
  EXPECT_FALSE(recorder_.AttachTransmitStamp(6, stamp));
  EXPECT_EQ(recorder_.Tracked(5)->kernel_sent, stamp);

  EXPECT_EQ(Reply(5, seconds(1) + milliseconds(3), milliseconds(3)), ReplyOutcome::kReceived);
  EXPECT_FALSE(recorder_.Tracked(5)->kernel_sent.has_value());
  EXPECT_FALSE(recorder_.AttachTransmitStamp(5, stamp));
  EXPECT_EQ(Reply(5, seconds(1) + milliseconds(4), milliseconds(4)), ReplyOutcome::kDuplicate);

  // A stamp read after the reply is taken (the kernel did stamp the probe) and not kept: the slot
  // holds the RTT.
  Sent(6, seconds(2));
  EXPECT_EQ(Reply(6, seconds(2) + milliseconds(5), milliseconds(5)), ReplyOutcome::kReceived);
  EXPECT_TRUE(recorder_.AttachTransmitStamp(6, stamp));
  EXPECT_FALSE(recorder_.AttachTransmitStamp(6, stamp));
  EXPECT_FALSE(recorder_.Tracked(6)->kernel_sent.has_value());

  IntervalSummary summary = OnlySummary();
  EXPECT_EQ(summary.rtt.Count(), 2u);
  EXPECT_EQ(summary.rtt.Max(), milliseconds(5));   // the RTTs, not the stamps that shared a slot
  EXPECT_FALSE(recorder_.Tracked(5).has_value());  // their interval closed
}

// An open interval keeps its index in 32 bits (136 years of 1 s intervals); a probe further from
// the origin is refused, not filed under a wrapped index.
TEST_F(IntervalRecorderTest, RefusesAProbeBeyondTwoToTheThirtyTwoIntervals) {
  recorder_ = Make(IntervalRecorderOptions{.interval = nanoseconds(1),
                                           .timeout = nanoseconds(1),
                                           .late_horizon = nanoseconds(1),
                                           .max_outstanding = 64,
                                           .origin = std::nullopt});
  Sent(1, nanoseconds(4'294'967'295));  // interval 2^32 - 1: the last one
  auto beyond = recorder_.OnSent(ProbeSent{.sequence = 2, .sent = At(nanoseconds(4'294'967'296))});
  ASSERT_FALSE(beyond.has_value());
  EXPECT_EQ(beyond.error().message,
            "interval recorder: probe 2 sent 2^32 intervals or more after the origin");
  EXPECT_EQ(recorder_.counters().rejected_events, 1u);
}

TEST_F(IntervalRecorderTest, RefusesAProbeBeyondSixtyBitsOfNanoseconds) {
  // A slot keeps the sending time in 60 bits of nanoseconds from the origin.
  recorder_ = Make(IntervalRecorderOptions{.interval = seconds(1),
                                           .timeout = seconds(1),
                                           .late_horizon = seconds(1),
                                           .max_outstanding = 64,
                                           .origin = std::nullopt});
  const nanoseconds last((std::int64_t{1} << 60) - 1);
  Sent(1, last);
  EXPECT_EQ(Reply(1, last + milliseconds(5), milliseconds(5)), ReplyOutcome::kReceived);
  auto beyond = recorder_.OnSent(ProbeSent{.sequence = 2, .sent = At(last + nanoseconds(1))});
  ASSERT_FALSE(beyond.has_value());
  EXPECT_EQ(beyond.error().message,
            "interval recorder: probe 2 sent 2^60 ns (36 years) or more after the origin");
}

TEST_F(IntervalRecorderTest, RefusesBadOptions) {
  auto error = [&](IntervalRecorderOptions options) {
    auto recorder = IntervalRecorder::Create(options, clock_);
    EXPECT_FALSE(recorder.has_value());
    return recorder.has_value() ? std::string() : recorder.error().message;
  };
  IntervalRecorderOptions options = Defaults();
  options.interval = seconds(0);
  EXPECT_EQ(error(options), "interval recorder: interval must be positive");
  options = Defaults();
  options.timeout = seconds(-1);
  EXPECT_EQ(error(options), "interval recorder: timeout must be positive");
  options = Defaults();
  options.late_horizon = milliseconds(500);
  EXPECT_EQ(error(options), "interval recorder: late_horizon must be at least the timeout");
  options = Defaults();
  options.max_outstanding = 0;
  EXPECT_EQ(error(options), "interval recorder: max_outstanding must be between 1 and 1048576");
  options = Defaults();
  options.max_outstanding = 8;
  options.expected_outstanding = 9;
  EXPECT_EQ(error(options),
            "interval recorder: expected_outstanding must not exceed max_outstanding");
}

// A random stream against a naive model that decides each probe's fate from its definition, in
// unwrapped 64-bit sequence space (so that it checks the recorder's wrap-around handling rather
// than sharing it): loss, late replies beyond the timeout and the horizon, duplicates, reordering
// by variable RTT, across the 2^32 wrap and over many intervals, with CloseDue after every event.
// The parameter is the table's first size (expected_outstanding): doubling from 4, growing from 5,
// and 240, about what the stream holds at most (200 probes an interval, 40 a horizon).
class IntervalRecorderPropertyTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(IntervalRecorderPropertyTest, RandomStreamMatchesANaiveModel) {
  constexpr nanoseconds kInterval = seconds(10);
  constexpr nanoseconds kTimeout = seconds(1);
  constexpr nanoseconds kHorizon = seconds(2);
  constexpr int kProbes = 3'000;
  constexpr std::uint32_t kFirstSeq = 0xffffff00u;  // wraps after 256 probes

  std::mt19937_64 rng(20261123);
  std::uniform_int_distribution<std::int64_t> spacing_ns(0, 40'000'000);
  std::exponential_distribution<double> tail(1.0 / 0.3);  // mean 300 ms above the base RTT
  std::uniform_real_distribution<double> uniform(0.0, 1.0);

  struct Reply {
    nanoseconds arrival;  // offset from origin
    nanoseconds rtt;
  };
  struct Probe {
    nanoseconds sent;
    std::vector<Reply> replies;  // by arrival
  };
  std::vector<Probe> probes(kProbes);
  for (int i = 0; i < kProbes; ++i) {
    Probe& probe = probes[i];
    probe.sent = milliseconds(50) * i + nanoseconds(spacing_ns(rng));
    if (uniform(rng) < 0.1) continue;  // lost outright
    // Mostly 20-40 ms, sometimes far beyond the timeout or the horizon.
    nanoseconds rtt = milliseconds(20) + nanoseconds(static_cast<std::int64_t>(uniform(rng) * 2e7));
    if (uniform(rng) < 0.1) rtt += nanoseconds(static_cast<std::int64_t>(tail(rng) * 4e9));
    const nanoseconds arrival = probe.sent + rtt + nanoseconds(rng() % 100'000);
    probe.replies.push_back({arrival, rtt});
    if (uniform(rng) < 0.05) {
      probe.replies.push_back(
          {arrival + nanoseconds(static_cast<std::int64_t>(uniform(rng) * 3e9)), rtt});
    }
  }

  // --- The model. ---
  struct Expected {
    ProbeCounts counts;
    histogram::LogHistogram rtt, ipdv_magnitude;
    std::optional<nanoseconds> ipdv_min, ipdv_max;
    std::optional<double> jitter_ns;
  };
  std::map<std::int64_t, Expected> model;
  auto interval_of = [&](int i) { return probes[i].sent / kInterval; };
  std::vector<std::optional<nanoseconds>> received_rtt(kProbes);
  struct Arrival {
    nanoseconds at;
    int probe;
  };
  std::vector<Arrival> first_arrivals;  // of received probes
  for (int i = 0; i < kProbes; ++i) {
    Expected& e = model[interval_of(i)];
    ++e.counts.sent;
    const Probe& probe = probes[i];
    if (probe.replies.empty() || probe.replies[0].arrival - probe.sent > kHorizon) {
      ++e.counts.lost;
    } else if (probe.replies[0].arrival - probe.sent > kTimeout) {
      ++e.counts.late;
    } else {
      ++e.counts.received;
      e.rtt.Record(probe.replies[0].rtt);
      received_rtt[i] = probe.replies[0].rtt;
      first_arrivals.push_back({probe.replies[0].arrival, i});
    }
    for (std::size_t r = 1; r < probe.replies.size(); ++r) {
      if (probe.replies[r].arrival - probe.sent <= kHorizon) ++e.counts.duplicated;
    }
    if (i > 0 && received_rtt[i] && received_rtt[i - 1]) {
      const nanoseconds ipdv = *received_rtt[i] - *received_rtt[i - 1];
      e.ipdv_magnitude.Record(ipdv < nanoseconds(0) ? -ipdv : ipdv);
      e.ipdv_min = std::min(e.ipdv_min.value_or(ipdv), ipdv);
      e.ipdv_max = std::max(e.ipdv_max.value_or(ipdv), ipdv);
    }
  }
  std::sort(first_arrivals.begin(), first_arrivals.end(),
            [](const Arrival& a, const Arrival& b) { return a.at < b.at; });
  std::int64_t next_expected = -1;  // RFC 4737 NextExp, in unwrapped probe numbers
  std::optional<double> previous_rtt;
  double jitter = 0.0;
  for (const Arrival& arrival : first_arrivals) {
    Expected& e = model[interval_of(arrival.probe)];
    if (arrival.probe < next_expected) {
      ++e.counts.reordered;
    } else {
      next_expected = arrival.probe + 1;
    }
    const auto rtt = static_cast<double>(received_rtt[arrival.probe]->count());
    if (previous_rtt) {
      jitter += (std::abs(rtt - *previous_rtt) - jitter) / 16.0;
      e.jitter_ns = jitter;
    }
    previous_rtt = rtt;
  }

  // --- The recorder, fed every event in time order, closing after each. ---
  FakeClock clock;
  const MonotonicTime origin = clock.MonotonicNow();
  auto recorder = IntervalRecorder::Create({.interval = kInterval,
                                            .timeout = kTimeout,
                                            .late_horizon = kHorizon,
                                            .max_outstanding = 4096,
                                            .expected_outstanding = GetParam(),
                                            .origin = origin},
                                           clock);
  ASSERT_TRUE(recorder.has_value());
  struct Event {
    nanoseconds at;
    int kind;  // 0 = sent, 1 = reply
    int probe;
    nanoseconds rtt;
  };
  std::vector<Event> events;
  for (int i = 0; i < kProbes; ++i) {
    events.push_back({probes[i].sent, 0, i, {}});
    for (const Reply& reply : probes[i].replies) events.push_back({reply.arrival, 1, i, reply.rtt});
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.at < b.at; });
  std::vector<IntervalSummary> summaries;
  for (const Event& event : events) {
    if (origin + event.at > clock.MonotonicNow())
      clock.Advance(origin + event.at - clock.MonotonicNow());
    const auto seq =
        static_cast<std::uint32_t>(kFirstSeq + static_cast<std::uint32_t>(event.probe));
    if (event.kind == 0) {
      ASSERT_TRUE(recorder->OnSent({.sequence = seq, .sent = origin + event.at}));
    } else {
      ASSERT_TRUE(
          recorder->OnReply({.sequence = seq, .arrival = origin + event.at, .rtt = event.rtt}));
    }
    for (IntervalSummary& summary : recorder->CloseDue()) summaries.push_back(std::move(summary));
  }
  clock.Advance(seconds(100));
  for (IntervalSummary& summary : recorder->CloseDue()) summaries.push_back(std::move(summary));

  // --- Compare, interval by interval. ---
  ASSERT_EQ(summaries.size(), model.size());
  std::size_t index = 0;
  IntervalSummary merged;
  histogram::LogHistogram all_rtts;
  for (const auto& [k, e] : model) {
    const IntervalSummary& got = summaries[index++];
    SCOPED_TRACE("interval " + std::to_string(k));
    EXPECT_EQ(got.counts, e.counts);
    EXPECT_EQ(got.rtt, e.rtt);
    EXPECT_EQ(got.ipdv_magnitude, e.ipdv_magnitude);
    EXPECT_EQ(got.ipdv_min, e.ipdv_min);
    EXPECT_EQ(got.ipdv_max, e.ipdv_max);
    ASSERT_EQ(got.rfc3550_jitter.has_value(), e.jitter_ns.has_value());
    if (e.jitter_ns) {
      // The RFC's integer form differs from the real-valued recurrence by rounding only.
      EXPECT_NEAR(static_cast<double>(got.rfc3550_jitter->count()), *e.jitter_ns, 100.0);
    }
    ExpectFatesAddUp(got);
    ASSERT_TRUE(merged.Merge(got));
    ASSERT_TRUE(all_rtts.Merge(e.rtt));
  }
  // The stream must have exercised every kind of fate.
  EXPECT_GT(merged.counts.late, 10u);
  EXPECT_GT(merged.counts.lost, 100u);
  EXPECT_GT(merged.counts.duplicated, 10u);
  EXPECT_GT(merged.counts.reordered, 10u);
  EXPECT_EQ(merged.counts.sent, static_cast<std::uint64_t>(kProbes));
  EXPECT_EQ(merged.rtt, all_rtts);
  EXPECT_EQ(recorder->outstanding(), 0u);
}

INSTANTIATE_TEST_SUITE_P(FirstTableSize, IntervalRecorderPropertyTest,
                         ::testing::Values(std::size_t{0}, std::size_t{5}, std::size_t{240}));

}  // namespace
}  // namespace linkmon::stats
