#pragma once

// The `measure` subcommand of linkmon-probe:
//
//   linkmon-probe measure --method icmp|stamp --target HOST[:PORT] [--count N] [--interval 10ms]
//                         [--timeout 1s] [--size 100] [--dscp 0] [--key-file FILE]
//                         [--icmp-socket auto|datagram|raw]
//                         [--clock auto|synchronized|unsynchronized] [--json]
//
// prints RTT min/p50/p90/p99/max, loss, duplicates, reordering, jitter (RFC 3550 and IPDV
// p50/p99), one-way delays when both clocks are synchronised, and the timestamp source; with
// --json one JSON object, times in seconds as floats. PORT is STAMP's (default 862); an IPv6
// address with a port is written [2001:db8::1]:862.
// Exit codes: 0 measured; 1 the measurement could not run (socket, key file); 2 bad arguments.

#include <iosfwd>

namespace linkmon::probers {

// argv[0] is "measure".
int RunMeasureCommand(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace linkmon::probers
