#include "probe/bandwidth/throughput_plan.h"

namespace linkmon::bandwidth {

std::vector<ScheduledThroughputTest> PlanThroughputTests(const config::ProbeSite& probe) {
  std::vector<ScheduledThroughputTest> tests;
  for (const config::Target& target : probe.targets) {
    if (!target.throughput) continue;
    const config::ThroughputSettings& settings = *target.throughput;
    ThroughputTestOptions options;
    options.target = target.address;
    options.port = settings.port;
    options.mode = settings.mode == config::ThroughputMode::kUdp ? TestMode::kUdp : TestMode::kTcp;
    options.rate = settings.rate;
    options.duration = std::chrono::duration_cast<std::chrono::milliseconds>(settings.duration);
    tests.push_back(ScheduledThroughputTest{
        .target = target.name, .options = options, .every = settings.every});
  }
  return tests;
}

Result<ThroughputResponderOptions> ResponderOptionsFrom(
    const config::ReflectorSettings& reflector) {
  ThroughputResponderOptions options;
  options.listen = {reflector.listen.address, reflector.listen.port};
  options.max_rate = reflector.max_throughput;
  for (const config::IpPrefix& prefix : reflector.allowed_sources) {
    auto parsed = net::IpPrefix::Parse(prefix.ToString());
    if (!parsed) return MakeError(ErrorCode::kInvalidArgument, parsed.error().message);
    options.allowed_sources.push_back(*parsed);
  }
  return options;
}

}  // namespace linkmon::bandwidth
