#pragma once

// From the configuration to the throughput parts: the probe's scheduled tests (one per target
// with the `throughput` method, towards the target's address and reflector port, with its mode,
// rate, duration and period) and a reflector's responder options (its listen address and port,
// allow-list and `max_throughput`; the other caps keep ThroughputResponderOptions' defaults).

#include <vector>

#include "config/config.h"
#include "probe/bandwidth/throughput_responder.h"
#include "probe/bandwidth/throughput_scheduler.h"

namespace linkmon::bandwidth {

std::vector<ScheduledThroughputTest> PlanThroughputTests(const config::ProbeSite& probe);

// Errors: kInvalidArgument for an allow-list prefix net::IpPrefix refuses.
Result<ThroughputResponderOptions> ResponderOptionsFrom(const config::ReflectorSettings& reflector);

}  // namespace linkmon::bandwidth
