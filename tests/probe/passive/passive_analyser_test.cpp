// The passive analyser over a capture file written by the test: every figure
// below is worked out by hand from the frames' timestamps and sizes.

#include "probe/passive/passive_analyser.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "probe/passive/passive_monitor.h"
#include "tests/probe/passive/packet_builder.h"
#include "tests/probe/passive/pcap_writer.h"

namespace linkmon::passive {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using testing::BuildTcpFrame;
using testing::TcpFrame;
using testing::TimedFrame;

constexpr nanoseconds kT0 = seconds(1'700'000'000);  // a multiple of 10 s

SitePrefixMap Sites() {
  return *SitePrefixMap::Create(
      {{*TargetName::Make("beijing"), boost::asio::ip::make_address("10.0.1.0"), 24},
       {*TargetName::Make("shanghai"), boost::asio::ip::make_address("fd00:2::"), 32}});
}

TcpFrame Client(std::uint8_t flags, std::uint32_t seq, std::uint32_t ack, std::uint32_t tsval,
                std::uint32_t tsecr, std::uint32_t payload = 0) {
  return {.source = "10.0.0.1",
          .destination = "10.0.1.1",
          .source_port = 40000,
          .destination_port = 5201,
          .sequence = seq,
          .acknowledgment = ack,
          .flags = flags,
          .tsval = tsval,
          .tsecr = tsecr,
          .payload_bytes = payload};
}

TcpFrame Server(std::uint8_t flags, std::uint32_t seq, std::uint32_t ack, std::uint32_t tsval,
                std::uint32_t tsecr) {
  return {.source = "10.0.1.1",
          .destination = "10.0.0.1",
          .source_port = 5201,
          .destination_port = 40000,
          .sequence = seq,
          .acknowledgment = ack,
          .flags = flags,
          .tsval = tsval,
          .tsecr = tsecr};
}

// Interval 1 (IPv4 flow to beijing, captured at the client 10.0.0.1):
//   0.000    SYN          tsval 100                      remembered (handshake,
//   ts 100) 0.024    SYN-ACK      tsval 900 tsecr 100            handshake
//   sample 24 ms -> beijing 0.0241   ACK          tsval 101 tsecr 900 handshake
//   sample 0.1 ms -> client:
//                                                         unattributed
//   0.050    ARP                                        non-IP
//   0.060    IPv4 version 5                             malformed
//   0.100    data 1000 B  tsval 200 tsecr 900            remembered (ts 200)
//   0.101    data 1000 B  tsval 200                      same TSval: not
//   remembered 0.125    ACK          tsval 925 tsecr 200            timestamp
//   sample 25 ms -> beijing 0.126    ACK          tsval 925 tsecr 200 already
//   matched: nothing 0.200    data 1000 B  tsval 300 tsecr 925 timestamp sample
//   75 ms -> client:
//                                                         unattributed
//   0.230    ACK          tsval 930 tsecr 300            timestamp sample 30 ms
//   -> beijing
// Interval 2 (IPv6 to shanghai): 10.500 SYN tsval 1, 10.540 SYN-ACK: handshake
// sample 40 ms.
std::vector<TimedFrame> Frames() {
  auto at = [](microseconds offset) { return kT0 + offset; };
  std::vector<std::uint8_t> arp(42, 0);
  arp[12] = 0x08;
  arp[13] = 0x06;
  std::vector<std::uint8_t> malformed(34, 0);
  malformed[12] = 0x08;
  malformed[14] = 0x55;
  TcpFrame syn6{.source = "fd00::1", .destination = "fd00:2::9", .flags = kTcpSyn, .tsval = 1};
  TcpFrame synack6{.source = "fd00:2::9",
                   .destination = "fd00::1",
                   .source_port = 5201,
                   .destination_port = 40000,
                   .sequence = 77,
                   .acknowledgment = 1001,
                   .flags = kTcpSyn | kTcpAck,
                   .tsval = 50,
                   .tsecr = 1};
  return {
      {at(microseconds(0)), BuildTcpFrame(Client(kTcpSyn, 1000, 0, 100, 0))},
      {at(microseconds(24'000)), BuildTcpFrame(Server(kTcpSyn | kTcpAck, 5000, 1001, 900, 100))},
      {at(microseconds(24'100)), BuildTcpFrame(Client(kTcpAck, 1001, 5001, 101, 900))},
      {at(microseconds(50'000)), arp},
      {at(microseconds(60'000)), malformed},
      {at(microseconds(100'000)), BuildTcpFrame(Client(kTcpAck, 1001, 5001, 200, 900, 1000))},
      {at(microseconds(101'000)), BuildTcpFrame(Client(kTcpAck, 2001, 5001, 200, 900, 1000))},
      {at(microseconds(125'000)), BuildTcpFrame(Server(kTcpAck, 5001, 3001, 925, 200))},
      {at(microseconds(126'000)), BuildTcpFrame(Server(kTcpAck, 5001, 3001, 925, 200))},
      {at(microseconds(200'000)), BuildTcpFrame(Client(kTcpAck, 3001, 5001, 300, 925, 1000))},
      {at(microseconds(230'000)), BuildTcpFrame(Server(kTcpAck, 5001, 4001, 930, 300))},
      {at(microseconds(10'500'000)), BuildTcpFrame(syn6)},
      {at(microseconds(10'540'000)), BuildTcpFrame(synack6)},
  };
}

class PassiveAnalyserFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "passive_analyser_test_" + std::to_string(::getpid()) + ".pcap";
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_;
};

TEST_F(PassiveAnalyserFileTest, HandCheckedIntervalsFromCaptureFile) {
  ASSERT_TRUE(testing::WritePcap(path_, Frames()));
  auto analysis = AnalysePcapFile(path_, PassiveAnalyserOptions{}, Sites());
  ASSERT_TRUE(analysis) << analysis.error().message;
  ASSERT_EQ(analysis->intervals.size(), 2u);

  const PassiveInterval &first = analysis->intervals[0];
  EXPECT_EQ(first.start, SystemTime(seconds(1'700'000'000)));
  EXPECT_EQ(first.duration, seconds(10));
  // 66-byte SYN, SYN-ACK, ACK and the three pure ACKs; 42 ARP; 34 malformed; 3
  // x 1066 data.
  EXPECT_EQ(first.frames, (TrafficCounts{11, 6 * 66 + 42 + 34 + 3 * 1066}));
  ASSERT_EQ(first.sites.size(), 1u);
  const SiteInterval &beijing = first.sites[0];
  EXPECT_EQ(beijing.site.str(), "beijing");
  EXPECT_EQ(beijing.to_site, (TrafficCounts{5, 52 + 52 + 3 * 1052}));
  EXPECT_EQ(beijing.from_site, (TrafficCounts{4, 4 * 52}));
  EXPECT_EQ(beijing.handshake_samples, 1u);
  EXPECT_EQ(beijing.timestamp_samples, 2u);
  EXPECT_EQ(beijing.summary.rtt.Count(), 3u);
  EXPECT_EQ(beijing.summary.rtt.Min(), milliseconds(24));
  EXPECT_EQ(beijing.summary.rtt.Max(), milliseconds(30));
  EXPECT_EQ(beijing.summary.rtt.Sum(), 79'000'000);
  EXPECT_EQ(beijing.summary.timestamp_source, stats::TimestampSource::kKernel);
  EXPECT_EQ(beijing.summary.counts, stats::ProbeCounts{});
  EXPECT_EQ(AverageRate(beijing.to_site, first.duration), (Bandwidth{(104 + 3156) * 8 / 10}));

  const PassiveInterval &second = analysis->intervals[1];
  EXPECT_EQ(second.start, SystemTime(seconds(1'700'000'010)));
  EXPECT_EQ(second.frames, (TrafficCounts{2, 2 * (14 + 40 + 32)}));
  ASSERT_EQ(second.sites.size(), 1u);
  EXPECT_EQ(second.sites[0].site.str(), "shanghai");
  EXPECT_EQ(second.sites[0].handshake_samples, 1u);
  EXPECT_EQ(second.sites[0].summary.rtt.Min(), milliseconds(40));
  EXPECT_EQ(second.sites[0].summary.rtt.Count(), 1u);

  EXPECT_EQ(analysis->counters.frames, 13u);
  EXPECT_EQ(analysis->counters.non_ip_frames, 1u);
  EXPECT_EQ(analysis->counters.malformed_frames, 1u);
  EXPECT_EQ(analysis->counters.unattributed_samples, 2u);
  EXPECT_EQ(analysis->counters.tcp.handshake_samples, 3u);
  EXPECT_EQ(analysis->counters.tcp.timestamp_samples, 3u);

  auto summaries = ToPathSummaries(first, *SiteName::Make("xining"));
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].path.ToString(), "xining->beijing/passive");
  EXPECT_EQ(summaries[0].summary.rtt.Count(), 3u);
  EXPECT_FALSE(summaries[0].throughput);
}

TEST_F(PassiveAnalyserFileTest, WireLengthCountsBeyondTheSnapLength) {
  auto frame = BuildTcpFrame(Client(kTcpAck, 1, 1, 5, 0, 1400));
  const auto wire = static_cast<std::uint32_t>(frame.size());
  frame.resize(96);  // captured with a 96-byte snap length
  ASSERT_TRUE(testing::WritePcap(path_, {{kT0, frame, wire}}));
  auto analysis = AnalysePcapFile(path_, PassiveAnalyserOptions{}, Sites());
  ASSERT_TRUE(analysis) << analysis.error().message;
  ASSERT_EQ(analysis->intervals.size(), 1u);
  EXPECT_EQ(analysis->intervals[0].frames, (TrafficCounts{1, 14 + 20 + 32 + 1400}));
  EXPECT_EQ(analysis->intervals[0].sites[0].to_site, (TrafficCounts{1, 20 + 32 + 1400}));
  EXPECT_EQ(analysis->counters.malformed_frames, 0u);
}

TEST_F(PassiveAnalyserFileTest, RefusesFilesThatAreNotCaptures) {
  {
    std::ofstream out(path_);
    out << "not a capture file";
  }
  auto analysis = AnalysePcapFile(path_, PassiveAnalyserOptions{}, Sites());
  ASSERT_FALSE(analysis);
  EXPECT_EQ(analysis.error().code, ErrorCode::kIo);

  // A record cut short by the end of the file.
  ASSERT_TRUE(testing::WritePcap(path_, Frames()));
  std::filesystem::resize_file(path_, std::filesystem::file_size(path_) - 10);
  auto cut = AnalysePcapFile(path_, PassiveAnalyserOptions{}, Sites());
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().code, ErrorCode::kCorrupt);

  EXPECT_EQ(AnalysePcapFile(path_ + ".missing", PassiveAnalyserOptions{}, Sites()).error().code,
            ErrorCode::kIo);
}

TEST(PassiveAnalyserTest, RefusesBadOptions) {
  EXPECT_FALSE(PassiveAnalyser::Create({.interval = seconds(7)}, Sites()));
  EXPECT_FALSE(PassiveAnalyser::Create({.interval = nanoseconds(0)}, Sites()));
  EXPECT_FALSE(PassiveAnalyser::Create({.tracker = {.max_flows = 0}}, Sites()));
}

TEST(PassiveAnalyserTest, CloseDueWaitsForTheIntervalEnd) {
  auto analyser = PassiveAnalyser::Create({}, Sites());
  ASSERT_TRUE(analyser);
  auto frame = BuildTcpFrame(Client(kTcpAck, 1, 1, 5, 0));
  EXPECT_FALSE(analyser->OnFrame(SystemTime(kT0 + seconds(3)), 1, frame, 66));
  EXPECT_FALSE(analyser->CloseDue(SystemTime(kT0 + milliseconds(9999))));
  auto closed = analyser->CloseDue(SystemTime(kT0 + seconds(10)));
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->frames.packets, 1u);
  EXPECT_FALSE(analyser->CloseAll());
}

}  // namespace
}  // namespace linkmon::passive
