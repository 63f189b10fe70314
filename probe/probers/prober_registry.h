#pragma once

// How main turns a configured target and method into a prober: a ProberRegistry maps each method
// to a factory (builtin_probers.cpp adds one line per type; no static self-registration), and
// ProberResources holds what probers share: the io_context, the clock, the process's ICMP cookie
// and echo sockets, the STAMP key. Build every prober at start-up, before dropping privileges:
// the ICMP sockets (raw ones need CAP_NET_RAW) are opened on first use.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/io_context.hpp>

#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"
#include "config/config.h"
#include "probe/icmp/echo_packet.h"
#include "probe/icmp/icmp_socket.h"
#include "probe/probers/icmp_echo_service.h"
#include "probe/probers/prober.h"
#include "probe/stamp/error_estimate.h"
#include "probe/stamp/hmac_key.h"

namespace linkmon::probers {

class ProberResources {
 public:
  ProberResources(boost::asio::io_context& io, const Clock& clock, icmp::Cookie cookie)
      : io_(io), clock_(clock), cookie_(cookie) {}

  boost::asio::io_context& io() { return io_; }
  const Clock& clock() const { return clock_; }

  // Which ICMP socket kind to use (default: datagram where ping_group_range allows, else raw).
  void set_icmp_socket(icmp::SocketPreference preference) { icmp_socket_ = preference; }
  // The shared key for authenticated STAMP towards reflectors; unset: unauthenticated.
  void set_stamp_key(std::optional<stamp::HmacKey> key) { stamp_key_ = std::move(key); }
  const std::optional<stamp::HmacKey>& stamp_key() const { return stamp_key_; }
  // This host's clock quality for STAMP probes (host_clock.h); main refreshes it.
  void set_clock_estimate(stamp::ErrorEstimate estimate) { clock_estimate_ = estimate; }
  stamp::ErrorEstimate clock_estimate() const { return clock_estimate_; }

  // The echo socket for an IP version and DSCP, opened on first use.
  Result<std::shared_ptr<IcmpEchoService>> IcmpService(icmp::IpVersion version, std::uint8_t dscp);
  const std::map<std::pair<icmp::IpVersion, std::uint8_t>, std::shared_ptr<IcmpEchoService>>&
  icmp_services() const {
    return icmp_services_;
  }
  // Closes the shared sockets (at shutdown).
  void Close();

 private:
  boost::asio::io_context& io_;
  const Clock& clock_;
  icmp::Cookie cookie_;
  icmp::SocketPreference icmp_socket_ = icmp::SocketPreference::kDatagramThenRaw;
  std::optional<stamp::HmacKey> stamp_key_;
  stamp::ErrorEstimate clock_estimate_;
  std::map<std::pair<icmp::IpVersion, std::uint8_t>, std::shared_ptr<IcmpEchoService>>
      icmp_services_;
};

using ProberFactory = std::function<Result<std::unique_ptr<Prober>>(
    const config::Target& target, ProberResources& resources, ProbeListener& listener)>;

class ProberRegistry {
 public:
  void Add(Method method, ProberFactory factory);
  // kUnsupported when no prober is registered for the method.
  Result<std::unique_ptr<Prober>> Make(Method method, const config::Target& target,
                                       ProberResources& resources, ProbeListener& listener) const;

 private:
  std::map<Method, ProberFactory> factories_;
};

}  // namespace linkmon::probers
