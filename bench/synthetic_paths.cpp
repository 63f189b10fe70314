#include "bench/synthetic_paths.h"

#include <chrono>
#include <cstdio>
#include <string>

namespace linkmon::bench {

namespace {

using namespace std::chrono_literals;

std::string Name(const char* prefix, int i) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%s%03d", prefix, i);
  return buffer;
}

config::Config MakeConfig(int sites) {
  config::Config config;
  config::SlaClass nationwide{*SlaClassName::Make("nationwide"),
                              "",
                              std::nullopt,
                              std::nullopt,
                              config::Threshold<std::chrono::nanoseconds>{20ms, 1min},
                              config::Threshold<std::chrono::nanoseconds>{2ms, 1min},
                              config::Threshold<Ratio>{Ratio{0.001}, 5min},
                              std::nullopt,
                              config::Slo{},
                              config::BreachHysteresis{}};
  config.sla_classes.push_back(nationwide);
  for (int t = 0; t < kTargetsPerSite; ++t) {
    config.sites.push_back(config::Site{*SiteName::Make(Name("t", t)), "r", "", {}, true});
  }
  for (int s = 0; s < sites; ++s) {
    config.sites.push_back(config::Site{*SiteName::Make(Name("s", s)), "r", "", {}, true});
    config::ProbeSite probe{*SiteName::Make(Name("s", s)), {}};
    for (int t = 0; t < kTargetsPerSite; ++t) {
      probe.targets.push_back(config::Target{*TargetName::Make(Name("t", t)),
                                             *SiteName::Make(Name("t", t)),
                                             std::nullopt,
                                             boost::asio::ip::address_v4::loopback(),
                                             {Method::kIcmp},
                                             1s,
                                             1s,
                                             100,
                                             0,
                                             *SlaClassName::Make("nationwide"),
                                             std::nullopt,
                                             std::nullopt,
                                             std::nullopt,
                                             std::nullopt,
                                             std::nullopt});
    }
    config.probes.push_back(std::move(probe));
  }
  return config;
}

}  // namespace

SyntheticPaths::SyntheticPaths(int sites) : config(MakeConfig(sites)) {
  states = std::move(*sla::PathStates::Create(config, clock, sla::PathStatesOptions{}));
  for (int minute = 0; minute < 5; ++minute) FillMinute();
  clock.Advance(20s);
  states->Tick(clock.SystemNow());
}

void SyntheticPaths::FillMinute() {
  const SystemTime start = clock.SystemNow();
  clock.Advance(60s);
  int i = 0;
  for (const auto& path : states->paths()) {
    stats::IntervalSummary summary;
    summary.start = start;
    summary.duration = 60s;
    summary.counts.sent = 60;
    summary.counts.received = 60;
    summary.rfc3550_jitter = 500us;
    for (int k = 0; k < 60; ++k) summary.rtt.Record(5ms + (i % 200) * 100us + k * 1us);
    (void)states->Apply(path.key, summary);
    ++i;
  }
  states->Tick(clock.SystemNow());
}

}  // namespace linkmon::bench
