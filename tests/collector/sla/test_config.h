#pragma once

// A small config built in code for SLA, API and metrics tests: four sites, three SLA classes,
// probes at xining and haidong.
//   xining -> haidong  icmp              metro       (rtt_p99 1ms on 1m, loss 0.1% on 1m; 3/5)
//   xining -> beijing  icmp, stamp       nationwide  (rtt_p50 12ms, rtt_p99 20ms, jitter 2ms on 1m,
//                                                      loss 1% on 5m; 99.9% over 30d; 3/5)
//   xining -> shanghai icmp, throughput  circuit     (rtt_p99 20ms on 1m, min_bandwidth 50Mbps
//                                                      on 1h; breach 2/2)
//   haidong -> xining  icmp              metro

#include <chrono>
#include <string>

#include "config/config.h"

namespace linkmon::testing {

inline SiteName Site(const std::string& name) { return *SiteName::Make(name); }
inline TargetName Target(const std::string& name) { return *TargetName::Make(name); }
inline SlaClassName Class(const std::string& name) { return *SlaClassName::Make(name); }
inline PathKey Path(const std::string& source, const std::string& target,
                    Method method = Method::kIcmp) {
  return PathKey{Site(source), Target(target), method};
}

inline config::Config MakeTestConfig() {
  using namespace std::chrono_literals;
  config::Config config;
  for (const char* name : {"xining", "haidong", "beijing", "shanghai"}) {
    config.sites.push_back(config::Site{Site(name), "r", "", {}, true});
  }
  using Delay = config::Threshold<std::chrono::nanoseconds>;
  using std::nullopt;
  // Positional: SlaClass and Target hold names, which have no default to designate from.
  config::SlaClass metro{Class("metro"), "", nullopt, nullopt, Delay{1ms, 1min}, nullopt,
                         config::Threshold<Ratio>{Ratio{0.001}, 1min}, nullopt, config::Slo{},
                         config::BreachHysteresis{}};
  config::SlaClass nationwide{Class("nationwide"), "", Delay{12ms, 1min}, nullopt,
                              Delay{20ms, 1min}, Delay{2ms, 1min},
                              config::Threshold<Ratio>{Ratio{0.01}, 5min}, nullopt,
                              config::Slo{}, config::BreachHysteresis{}};
  config::SlaClass circuit{Class("circuit"), "", nullopt, nullopt, Delay{20ms, 1min}, nullopt,
                           nullopt, config::Threshold<Bandwidth>{Bandwidth{50'000'000}, 1h},
                           config::Slo{}, config::BreachHysteresis{2, 2}};
  config.sla_classes = {metro, nationwide, circuit};

  auto target = [](const std::string& name, std::vector<Method> methods,
                   const std::string& sla_class) {
    return config::Target{Target(name), Site(name), nullopt, boost::asio::ip::address_v4::loopback(),
                          std::move(methods), 1s, 1s, 100, 0, Class(sla_class), nullopt, nullopt,
                          nullopt, nullopt, nullopt};
  };
  config.probes.push_back(config::ProbeSite{
      .site = Site("xining"),
      .targets = {target("haidong", {Method::kIcmp}, "metro"),
                  target("beijing", {Method::kIcmp, Method::kStamp}, "nationwide"),
                  target("shanghai", {Method::kIcmp, Method::kThroughput}, "circuit")}});
  config.probes.push_back(config::ProbeSite{
      .site = Site("haidong"), .targets = {target("xining", {Method::kIcmp}, "metro")}});
  return config;
}

}  // namespace linkmon::testing
