#pragma once

// From the probe's configuration to what PassiveMonitor::Start needs: one capture per interface
// named by the probe's `passive` targets, with the prefixes of every target on it (a target's
// `passive.prefixes`, or its address as a /32 or /128 when none are given) and their BPF filter
// (targets on one interface with different filters capture the union: "(a) or (b)").

#include <string>
#include <vector>

#include "config/config.h"
#include "probe/passive/pcap_capture.h"
#include "probe/passive/site_prefixes.h"

namespace linkmon::passive {

struct PassiveCapturePlan {
  PcapCaptureOptions capture;
  std::vector<SitePrefix> prefixes;
};

// Interfaces in the order their first target appears; empty when no target uses `passive`.
std::vector<PassiveCapturePlan> PlanPassiveCaptures(const config::ProbeSite& probe);

}  // namespace linkmon::passive
