#pragma once

// The `passive` subcommand of linkmon-probe: what the passive analyser sees on
// an interface for a while, or in a capture file.
//
//   linkmon-probe passive --interface IF [--duration 10s] --site NAME=PREFIX...
//   [--filter EXPR]
//                         [--interval 10s] [--snap-length 192] [--json]
//   linkmon-probe passive --read FILE.pcap --site NAME=PREFIX... [--interval
//   10s] [--json]
//
// prints the frames and bytes captured (and their rate over the run), and per
// site the IP traffic to and from it and the RTT of its TCP flows (count, min,
// p50, p90, p99, max; timestamp and handshake samples); with --json one JSON
// object, times in seconds as floats. A site may be given several prefixes
// (--site hub=10.1.0.0/16 --site hub=fd00:1::/32). Exit codes: 0 done; 1 the
// capture could not run (permission, interface, file); 2 bad arguments.

#include <iosfwd>

namespace linkmon::passive {

// argv[0] is "passive".
int RunPassiveCommand(int argc, const char *const *argv, std::ostream &out, std::ostream &err);

}  // namespace linkmon::passive
