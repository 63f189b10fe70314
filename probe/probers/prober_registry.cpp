#include "probe/probers/prober_registry.h"

#include <fmt/format.h>

namespace linkmon::probers {

Result<std::shared_ptr<IcmpEchoService>> ProberResources::IcmpService(icmp::IpVersion version,
                                                                      std::uint8_t dscp) {
  auto key = std::make_pair(version, dscp);
  if (auto found = icmp_services_.find(key); found != icmp_services_.end()) return found->second;
  auto service = IcmpEchoService::Open(
      io_, clock_, {.version = version, .preference = icmp_socket_, .dscp = dscp}, cookie_);
  if (!service) return tl::unexpected(service.error());
  icmp_services_.emplace(key, *service);
  return *service;
}

void ProberResources::Close() {
  for (auto& [key, service] : icmp_services_) service->Close();
}

void ProberRegistry::Add(Method method, ProberFactory factory) {
  factories_[method] = std::move(factory);
}

Result<std::unique_ptr<Prober>> ProberRegistry::Make(Method method, const config::Target& target,
                                                     ProberResources& resources,
                                                     ProbeListener& listener) const {
  auto found = factories_.find(method);
  if (found == factories_.end()) {
    return MakeError(ErrorCode::kUnsupported,
                     fmt::format("target {}: no prober for method {} in this build",
                                 target.name.str(), MethodName(method)));
  }
  Result<std::unique_ptr<Prober>> prober = found->second(target, resources, listener);
  if (!prober) {
    return MakeError(prober.error().code, fmt::format("target {} ({}): {}", target.name.str(),
                                                      MethodName(method), prober.error().message));
  }
  return prober;
}

}  // namespace linkmon::probers
