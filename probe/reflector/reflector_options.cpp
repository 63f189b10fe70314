#include "probe/reflector/reflector_options.h"

#include <cmath>

#include <fmt/format.h>

namespace linkmon::reflector {

namespace {

Status CheckRate(const RateLimit& limit, const char* name) {
  if (!(limit.packets_per_second > 0) || !std::isfinite(limit.packets_per_second)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("reflector: {} rate must be a positive number of packets per "
                                 "second",
                                 name));
  }
  if (!(limit.burst >= 1) || !std::isfinite(limit.burst)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("reflector: {} burst must be at least 1 packet", name));
  }
  return {};
}

}  // namespace

Status Validate(const ReflectorOptions& options) {
  const boost::asio::ip::address listen = net::Unmapped(options.listen.address());
  if (options.allowed_sources.empty() && !options.key_file && !listen.is_loopback()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("reflector: refusing to listen on {} without an allow-list or a "
                                 "key: anyone could use it to send traffic; set allowed_sources "
                                 "or key_file, or listen on a loopback address",
                                 listen.to_string()));
  }
  if (Status rate = CheckRate(options.per_source, "per-source"); !rate) return rate;
  if (Status rate = CheckRate(options.global, "global"); !rate) return rate;
  if (options.max_sources == 0 || options.max_sessions == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "reflector: max_sources and max_sessions must be at least 1");
  }
  if (options.session_idle_timeout <= std::chrono::seconds(0)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "reflector: session_idle_timeout must be positive");
  }
  if (options.replay_window < 64 || options.replay_window > 65'536) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("reflector: replay_window {} must be from 64 to 65536 packets",
                                 options.replay_window));
  }
  if (options.max_packet_bytes < 44 || options.max_packet_bytes > 65'507) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("reflector: max_packet_bytes {} must be from 44 to 65507",
                                 options.max_packet_bytes));
  }
  if (options.dscp > 63) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("reflector: dscp {} must be from 0 to 63", static_cast<int>(options.dscp)));
  }
  if (options.max_packets_per_turn == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "reflector: max_packets_per_turn must be at least 1");
  }
  return {};
}

}  // namespace linkmon::reflector
