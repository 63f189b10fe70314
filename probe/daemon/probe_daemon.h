#pragma once

// The running probe: everything main() wires once the config is checked, kept out of main so that
// main stays a few lines (STYLE.md).
//
// One io_context on the calling thread carries every part:
//   - the site's STAMP reflector when the site has `reflector: true` (probe/reflector), and its
//     throughput-test responder when the reflector is authenticated (probe/bandwidth);
//   - the probers of every configured target and method, phased by one ProbeScheduler
//     (probe/probers); passive captures (probe/passive); scheduled throughput tests, one at a
//     time on a worker thread (probe/bandwidth);
//   - the BatchAssembler sealing the interval summaries into batches every upload_interval, and
//     the BatchUploader spooling each batch (SQLite, probe/upload) before sending it to the
//     collector, replaying the spool in order after an outage or a restart;
//   - /metrics, /-/healthy and /-/ready on probe.metrics_listen.
// Start-up order matters: every socket (raw ICMP and pcap need CAP_NET_RAW, port 862
// CAP_NET_BIND_SERVICE) is opened first, then the process switches to --user (when root) and
// drops every capability, before anything is sent or any thread starts.
// SIGINT/SIGTERM stop probing, seal what was measured into the spool, give the uploader up to
// kDrainOnStop to send it, and return. An interval still open at that moment is not sealed.
//
// --reflector-only runs the reflector, /metrics and health only.

#include "config/config.h"
#include "config/daemon_cli.h"

namespace linkmon::probe {

// Runs until SIGINT or SIGTERM. Returns a process exit code (config/daemon_cli.h): kExitOk after
// a signal, kExitRuntimeFailure when a socket, the spool, the token or the key cannot be set up.
int RunProbeDaemon(const config::DaemonOptions& options, config::Config config);

}  // namespace linkmon::probe
