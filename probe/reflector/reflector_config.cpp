#include "probe/reflector/reflector_config.h"

#include <algorithm>

namespace linkmon::reflector {

Result<ReflectorOptions> ReflectorOptionsFromConfig(const config::ReflectorSettings& settings) {
  ReflectorOptions options;
  options.listen = boost::asio::ip::udp::endpoint(settings.listen.address, settings.listen.port);
  for (const config::IpPrefix& prefix : settings.allowed_sources) {
    Result<net::IpPrefix> parsed = net::IpPrefix::Parse(prefix.ToString());
    if (!parsed) return tl::unexpected(parsed.error());
    options.allowed_sources.push_back(*parsed);
  }
  if (!settings.key_file.empty()) options.key_file = settings.key_file;
  double rate = settings.max_packets_per_second;
  options.per_source = RateLimit{.packets_per_second = rate, .burst = std::max(10.0, rate)};
  options.max_sessions = settings.max_sessions;
  if (Status valid = Validate(options); !valid) return tl::unexpected(valid.error());
  return options;
}

}  // namespace linkmon::reflector
