#include "probe/probers/builtin_probers.h"

#include <fmt/format.h>

#include "probe/probers/dns_prober.h"
#include "probe/probers/icmp_prober.h"
#include "probe/probers/sent_probes.h"
#include "probe/probers/stamp_prober.h"
#include "probe/probers/tcp_connect_prober.h"

namespace linkmon::probers {

namespace {

bool IsIpv6(const boost::asio::ip::address& address) {
  return address.is_v6() && !address.to_v6().is_v4_mapped();
}

template <typename T>
Result<std::unique_ptr<Prober>> AsProber(Result<std::unique_ptr<T>> made) {
  if (!made) return tl::unexpected(made.error());
  return std::unique_ptr<Prober>(std::move(*made));
}

Result<std::unique_ptr<Prober>> MakeIcmp(const config::Target& target, ProberResources& resources,
                                         ProbeListener& listener) {
  icmp::IpVersion version = IsIpv6(target.address) ? icmp::IpVersion::kV6 : icmp::IpVersion::kV4;
  auto service = resources.IcmpService(version, static_cast<std::uint8_t>(target.dscp));
  if (!service) return tl::unexpected(service.error());
  return AsProber(IcmpProber::Make(
      **service,
      {.target = target.address, .icmp_size = IcmpSizeForPacketSize(target.packet_size, version)},
      listener));
}

Result<std::unique_ptr<Prober>> MakeStamp(const config::Target& target, ProberResources& resources,
                                          ProbeListener& listener) {
  stamp::StampCodec codec = resources.stamp_key()
                                ? stamp::StampCodec::Authenticated(*resources.stamp_key())
                                : stamp::StampCodec::Unauthenticated();
  std::uint16_t port = target.stamp ? target.stamp->port : 862;
  StampProberOptions options{
      .reflector = boost::asio::ip::udp::endpoint(target.address, port),
      .payload_size = StampPayloadSize(target.packet_size, IsIpv6(target.address), codec),
      .dscp = static_cast<std::uint8_t>(target.dscp),
      .remembered_probes = RememberedProbesFor(target.interval, target.timeout)};
  auto prober =
      StampProber::Make(resources.io(), resources.clock(), std::move(codec), options, listener);
  if (prober) (*prober)->SetClockErrorEstimate(resources.clock_estimate());
  return AsProber(std::move(prober));
}

Result<std::unique_ptr<Prober>> MakeTcp(const config::Target& target, ProberResources& resources,
                                        ProbeListener& listener) {
  if (!target.tcp) return MakeError(ErrorCode::kInvalidArgument, "tcp settings missing");
  return AsProber(TcpConnectProber::Make(
      resources.io(), resources.clock(),
      {.target = boost::asio::ip::tcp::endpoint(target.address, target.tcp->port),
       .timeout = target.timeout,
       .dscp = static_cast<std::uint8_t>(target.dscp)},
      listener));
}

Result<std::unique_ptr<Prober>> MakeDns(const config::Target& target, ProberResources& resources,
                                        ProbeListener& listener) {
  if (!target.dns) return MakeError(ErrorCode::kInvalidArgument, "dns settings missing");
  return AsProber(
      DnsProber::Make(resources.io(), resources.clock(),
                      {.resolver = boost::asio::ip::udp::endpoint(target.address, target.dns->port),
                       .query = target.dns->query,
                       .dscp = static_cast<std::uint8_t>(target.dscp),
                       .remembered_probes = RememberedProbesFor(target.interval, target.timeout)},
                      listener));
}

}  // namespace

void AddBuiltinProbers(ProberRegistry& registry) {
  registry.Add(Method::kIcmp, MakeIcmp);
  registry.Add(Method::kStamp, MakeStamp);
  registry.Add(Method::kTcp, MakeTcp);
  registry.Add(Method::kDns, MakeDns);
}

}  // namespace linkmon::probers
