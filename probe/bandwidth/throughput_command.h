#pragma once

// `linkmon-probe measure --method throughput`: one throughput test now, against a reflector that
// serves them (throughput_responder.h), with the reflector's key:
//
//   linkmon-probe measure --method throughput --target HOST[:PORT] --key-file FILE
//                         [--mode udp|tcp] [--rate 10Mbps] [--duration 5s] [--size 1400]
//                         [--json]
//
// prints the receiver's goodput, what was sent, and for UDP loss, duplicates, reordering and RTT
// under load (min/p50/p99/max), for TCP goodput over time (every 100 ms); with --json one JSON
// object, rates in bits per second, times in seconds. PORT is the reflector's (default 862). The
// rate counts IP packets plus a 14-byte link header, as interface counters do.
// Exit codes: 0 measured; 1 the test could not run or was refused (the message says which cap);
// 2 bad arguments.

#include <iosfwd>

namespace linkmon::bandwidth {

// argv[0] is "measure" (the caller has seen `--method throughput` among the arguments, which are
// parsed again here).
int RunThroughputCommand(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace linkmon::bandwidth
