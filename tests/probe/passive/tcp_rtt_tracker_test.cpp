#include "probe/passive/tcp_rtt_tracker.h"

#include <gtest/gtest.h>

#include "tests/probe/passive/packet_builder.h"

namespace linkmon::passive {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::BuildTcpFrame;
using testing::TcpFrame;

const SystemTime kT0 = SystemTime(seconds(1'700'000'000));

ParsedPacket Parse(const TcpFrame &frame) { return *ParsePacket(1, BuildTcpFrame(frame)); }

TcpFrame Out(std::uint16_t port, std::uint32_t tsval, std::uint8_t flags = kTcpAck,
             std::uint32_t seq = 1) {
  return {.source = "10.0.0.1",
          .destination = "10.0.1.1",
          .source_port = port,
          .destination_port = 80,
          .sequence = seq,
          .flags = flags,
          .tsval = tsval};
}

TcpFrame Back(std::uint16_t port, std::uint32_t tsecr, std::uint8_t flags = kTcpAck,
              std::uint32_t ack = 0) {
  return {.source = "10.0.1.1",
          .destination = "10.0.0.1",
          .source_port = 80,
          .destination_port = port,
          .acknowledgment = ack,
          .flags = flags,
          .tsval = 1,
          .tsecr = tsecr};
}

TEST(TcpRttTrackerTest, TimestampEchoGivesTheRoundTripFromTheFirstOccurrence) {
  TcpRttTracker tracker({});
  EXPECT_FALSE(tracker.OnSegment(kT0, Parse(Out(1000, 7))));
  EXPECT_FALSE(tracker.OnSegment(kT0 + milliseconds(3), Parse(Out(1000, 7))));
  auto sample = tracker.OnSegment(kT0 + milliseconds(20), Parse(Back(1000, 7)));
  ASSERT_TRUE(sample);
  EXPECT_EQ(sample->rtt, milliseconds(20));
  EXPECT_EQ(sample->kind, RttSample::Kind::kTimestamp);
  EXPECT_EQ(sample->far_end, Parse(Back(1000, 7)).source);
  // The echo is used once.
  EXPECT_FALSE(tracker.OnSegment(kT0 + milliseconds(21), Parse(Back(1000, 7))));
  // An older TSval (reordered) is not remembered again.
  EXPECT_FALSE(tracker.OnSegment(kT0 + milliseconds(22), Parse(Out(1000, 6))));
  EXPECT_FALSE(tracker.OnSegment(kT0 + milliseconds(30), Parse(Back(1000, 6))));
  EXPECT_EQ(tracker.counters().timestamp_samples, 1u);
}

TEST(TcpRttTrackerTest, TimestampsCompareAcrossTheWrap) {
  TcpRttTracker tracker({});
  EXPECT_FALSE(tracker.OnSegment(kT0, Parse(Out(1000, 0xFFFFFFF0u))));
  EXPECT_FALSE(tracker.OnSegment(kT0 + milliseconds(1), Parse(Out(1000, 5))));
  auto sample = tracker.OnSegment(kT0 + milliseconds(9), Parse(Back(1000, 5)));
  ASSERT_TRUE(sample);
  EXPECT_EQ(sample->rtt, milliseconds(8));
}

TEST(TcpRttTrackerTest, HandshakeSampleAndRetransmittedSynCancelsIt) {
  TcpRttTracker tracker({});
  EXPECT_FALSE(tracker.OnSegment(kT0, Parse(Out(1000, 9, kTcpSyn, 500))));
  auto sample =
      tracker.OnSegment(kT0 + milliseconds(12), Parse(Back(1000, 0, kTcpSyn | kTcpAck, 501)));
  ASSERT_TRUE(sample);
  EXPECT_EQ(sample->rtt, milliseconds(12));
  EXPECT_EQ(sample->kind, RttSample::Kind::kHandshake);

  EXPECT_FALSE(tracker.OnSegment(kT0, Parse(Out(2000, 0, kTcpSyn, 700))));
  EXPECT_FALSE(tracker.OnSegment(kT0 + seconds(1), Parse(Out(2000, 0, kTcpSyn, 700))));
  EXPECT_FALSE(
      tracker.OnSegment(kT0 + milliseconds(1012), Parse(Back(2000, 0, kTcpSyn | kTcpAck, 701))));
  EXPECT_EQ(tracker.counters().retransmitted_handshakes, 1u);
  EXPECT_EQ(tracker.counters().handshake_samples, 1u);
}

TEST(TcpRttTrackerTest, BoundedTablesCountEvictionsAndExpiry) {
  TcpRttTracker tracker({.max_flows = 2, .max_pending = 3, .max_age = seconds(1)});
  for (std::uint16_t port = 1; port <= 4; ++port) {
    tracker.OnSegment(kT0 + milliseconds(port), Parse(Out(port, 100)));
  }
  EXPECT_EQ(tracker.flows(), 2u);
  EXPECT_EQ(tracker.counters().flow_evictions, 2u);
  EXPECT_EQ(tracker.pending(), 3u);
  EXPECT_EQ(tracker.counters().pending_evictions, 1u);
  // Port 1's value was evicted; port 4's is still there.
  EXPECT_FALSE(tracker.OnSegment(kT0 + milliseconds(10), Parse(Back(1, 100))));
  EXPECT_TRUE(tracker.OnSegment(kT0 + milliseconds(10), Parse(Back(4, 100))));
  // Two seconds later the rest have expired: port 3's value and the TSvals of
  // the two answers (which are remembered like any other); the third answer's
  // own TSval stays.
  EXPECT_FALSE(tracker.OnSegment(kT0 + seconds(2), Parse(Back(3, 100))));
  EXPECT_EQ(tracker.counters().pending_expired, 3u);
  EXPECT_EQ(tracker.pending(), 1u);
}

TEST(TcpRttTrackerTest, EchoStampedBeforeItsOriginalIsDropped) {
  TcpRttTracker tracker({});
  tracker.OnSegment(kT0 + milliseconds(5), Parse(Out(1000, 7)));
  EXPECT_FALSE(tracker.OnSegment(kT0, Parse(Back(1000, 7))));
  EXPECT_EQ(tracker.counters().backwards_samples, 1u);
}

TEST(TcpRttTrackerTest, PendingQueueStaysBoundedWhenEveryValueIsMatched) {
  TcpRttTracker tracker({.max_flows = 4, .max_pending = 8, .max_age = seconds(100)});
  for (std::uint32_t i = 1; i <= 1000; ++i) {
    tracker.OnSegment(kT0 + milliseconds(i), Parse(Out(1000, i)));
    ASSERT_TRUE(tracker.OnSegment(kT0 + milliseconds(i), Parse(Back(1000, i))));
  }
  EXPECT_EQ(tracker.pending(), 1u);  // the answers' own first TSval
  EXPECT_EQ(tracker.counters().pending_evictions, 0u);
}

}  // namespace
}  // namespace linkmon::passive
