#pragma once

// Whether this host's wall clock is synchronised, as the kernel's NTP discipline reports it
// (adjtimex(2): STA_UNSYNC clear and a maximum error below the bound), turned into the STAMP
// Error Estimate that probes and the reflector put in their packets. One-way delays are reported
// only when both ends say synchronised (stamp_prober.h), so a host whose chrony or ntpd has not
// locked never produces them.

#include <chrono>

#include "probe/stamp/error_estimate.h"

namespace linkmon::probers {

// Synchronised means: the kernel says so and its maximum error is at most `max_error`.
stamp::ErrorEstimate HostClockErrorEstimate(
    std::chrono::microseconds max_error = std::chrono::milliseconds(10));

// Where the S bit comes from. kAssumeSynchronized is for ends that share one clock (network
// namespaces on one host, as in the lab), where one-way delays are exact without NTP.
enum class ClockSyncSource { kKernel, kAssumeSynchronized, kAssumeUnsynchronized };

stamp::ErrorEstimate ClockErrorEstimate(ClockSyncSource source);

}  // namespace linkmon::probers
