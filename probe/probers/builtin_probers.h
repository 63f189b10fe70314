#pragma once

// The probers this build has: ICMP echo, STAMP, TCP connect, DNS. Throughput and passive
// measurement are not probers of this kind (scheduled tests and libpcap), and have none here.

#include "probe/probers/prober_registry.h"

namespace linkmon::probers {

void AddBuiltinProbers(ProberRegistry& registry);

}  // namespace linkmon::probers
