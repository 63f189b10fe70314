// libFuzzer target for the passive path's packet parsing: the first byte picks
// the link type, the rest is a captured frame. Every frame decodes or is
// refused with an error, never crashes or reads out of bounds; decoded frames
// then go through the analyser (RTT tracking, site lookup).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "probe/passive/packet_parser.h"
#include "probe/passive/passive_analyser.h"

namespace {

using linkmon::passive::PassiveAnalyser;
using linkmon::passive::SitePrefixMap;

constexpr int kLinkTypes[] = {1, 12, 113, 101, 228, 229, 276, 0};

PassiveAnalyser &Analyser() {
  static PassiveAnalyser analyser = [] {
    auto sites = SitePrefixMap::Create(
        {{*linkmon::TargetName::Make("a"), boost::asio::ip::make_address("10.0.0.0"), 8},
         {*linkmon::TargetName::Make("b"), boost::asio::ip::make_address("fd00::"), 8}});
    return *PassiveAnalyser::Create({.tracker = {.max_flows = 64, .max_pending = 64}},
                                    std::move(*sites));
  }();
  return analyser;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  if (size == 0) return 0;
  const int link_type = kLinkTypes[data[0] % std::size(kLinkTypes)];
  std::span<const std::uint8_t> frame(data + 1, size - 1);
  auto packet = linkmon::passive::ParsePacket(link_type, frame);
  if (packet) {
    // The IP length is the header's claim; the TCP payload can never exceed it.
    if (packet->tcp && packet->tcp->payload_bytes > packet->ip_bytes) std::abort();
  }
  static std::int64_t tick = 0;
  tick += 1'000'000;
  (void)Analyser().OnFrame(linkmon::SystemTime(std::chrono::nanoseconds(tick)), link_type, frame,
                           static_cast<std::uint32_t>(frame.size()));
  return 0;
}
