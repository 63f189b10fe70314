// The passive analyser's CPU per captured frame: a bulk TCP flow (data and acknowledgments with
// timestamps, the RTT tracker matching every new TSval) across many concurrent flows, through
// PassiveAnalyser::OnFrame as libpcap hands frames over. At 1 Gbit/s of 1514-byte frames an
// interface carries some 82,000 data frames a second plus their ACKs: the figure says what share
// of a core that costs.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "probe/net/big_endian.h"
#include "probe/passive/passive_analyser.h"

namespace linkmon::passive {
namespace {

// Ethernet + IPv4 + TCP with the timestamp option, 1448 bytes of payload claimed by the IP
// length (only 96 bytes captured, as with a small snap length).
std::vector<std::uint8_t> Frame(std::uint32_t source, std::uint32_t destination,
                                std::uint16_t source_port, std::uint32_t tsval, std::uint32_t tsecr,
                                bool data) {
  std::vector<std::uint8_t> frame(14 + 20 + 32, 0);
  frame[12] = 0x08;
  std::uint8_t* ip = &frame[14];
  ip[0] = 0x45;
  net::PutU16(ip + 2, static_cast<std::uint16_t>(20 + 32 + (data ? 1448 : 0)));
  ip[9] = 6;
  net::PutU32(ip + 12, source);
  net::PutU32(ip + 16, destination);
  std::uint8_t* tcp = ip + 20;
  net::PutU16(tcp, source_port);
  net::PutU16(tcp + 2, 5201);
  tcp[12] = 8 << 4;
  tcp[13] = 0x10;
  tcp[20] = 1;
  tcp[21] = 1;
  tcp[22] = 8;
  tcp[23] = 10;
  net::PutU32(tcp + 24, tsval);
  net::PutU32(tcp + 28, tsecr);
  return frame;
}

void BM_BulkFlows(benchmark::State& state) {
  const auto flows = static_cast<std::uint16_t>(state.range(0));
  auto sites = SitePrefixMap::Create(
      {{*TargetName::Make("beijing"), boost::asio::ip::make_address("10.2.0.0"), 16},
       {*TargetName::Make("shanghai"), boost::asio::ip::make_address("10.3.0.0"), 16}});
  auto analyser = PassiveAnalyser::Create({}, std::move(*sites));
  const std::uint32_t local = 0x0A010002;   // 10.1.0.2
  const std::uint32_t remote = 0x0A020002;  // 10.2.0.2
  std::int64_t now_ns = 1'700'000'000'000'000'000;
  std::uint32_t tick = 1;
  std::uint64_t frames = 0;
  for (auto _ : state) {
    // Per flow: two data segments with a new TSval, then the ACK echoing it 20 ms later.
    for (std::uint16_t flow = 0; flow < flows; ++flow) {
      const auto port = static_cast<std::uint16_t>(40000 + flow);
      auto data = Frame(local, remote, port, tick, tick, true);
      auto ack = Frame(remote, local, 5201, tick, tick, false);
      ack[14 + 20] = 0x14;  // source port 5201
      ack[14 + 21] = 0x51;
      net::PutU16(&ack[14 + 22], port);
      const SystemTime at{std::chrono::nanoseconds(now_ns)};
      benchmark::DoNotOptimize(analyser->OnFrame(at, 1, data, 1514));
      benchmark::DoNotOptimize(analyser->OnFrame(at, 1, data, 1514));
      benchmark::DoNotOptimize(analyser->OnFrame(at + std::chrono::milliseconds(20), 1, ack, 66));
      frames += 3;
      now_ns += 10'000;
    }
    ++tick;
  }
  state.counters["frames_per_second"] =
      benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
  state.counters["seconds_per_frame"] = benchmark::Counter(
      static_cast<double>(frames), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["rtt_samples"] = static_cast<double>(analyser->counters().tcp.timestamp_samples);
}
BENCHMARK(BM_BulkFlows)->Arg(1)->Arg(100)->Arg(10000);

}  // namespace
}  // namespace linkmon::passive
