#pragma once

// The running collector: everything main() wires after the config is checked, kept out of main so
// that main stays a few lines (STYLE.md).
//
// One io_context on the calling thread carries one HTTP server at collector.listen (HTTPS only
// when collector.tls is set) with
//   POST /api/v1/ingest            batches into the store (SQLite, synchronous=FULL), committed
//                                  on the store writer's thread in groups (one fsync per group;
//                                  the io thread never waits for it: ingest/store_writer.h),
//                                  answered after the commit, then fed into PathStates (windows,
//                                  SLA judgement, breaches) on the io thread in commit order
//   GET  /api/v1/matrix, /api/v1/rank, /api/v1/paths/{src}/{dst}, /api/v1/breaches (docs/api.md)
//   GET  /metrics                  ingest, HTTP, build info and per-path metrics
//   GET  /-/healthy, /-/ready
// plus an hourly retention prune, a one-second minute ticker (PathStates::Tick, then the SLA
// history into the store: history/history_store.h) and signals:
// SIGINT/SIGTERM drain the store writer (queued uploads are committed and answered, new ones
// get 503 with Retry-After), then stop the server and let run() return; SIGHUP reloads the
// config file (config_reload.h).
//
// Start-up: the server listens at once and logs the bound port (event=collector_listening
// port=N; `listen: 127.0.0.1:0` picks a free one), then PathStates is restored from the stored
// SLA history (verdicts of the longest SLO period, open and closed breaches) and its windows
// rebuilt from the stored minutes of the last two longest windows (2 h by default; at least 1 h,
// at most the retention) on a thread of its own (state_rebuild.h). Until that finished
// (event=state_rebuilt), /-/ready answers 503 "rebuilding", ingest and the API answer 503 with
// Retry-After (probes retry 5xx), and /metrics has no per-path families.

#include "config/config.h"
#include "config/daemon_cli.h"

namespace linkmon::collector {

// Runs until SIGINT or SIGTERM. `options.config_path` is the file SIGHUP reloads. Returns a
// process exit code (config/daemon_cli.h): kExitOk after a signal, kExitRuntimeFailure when the
// store, the token files, the TLS files (event=tls_setup_failed), the listen address or the
// rebuild fail.
int RunCollectorDaemon(const config::DaemonOptions& options, const config::Config& config);

}  // namespace linkmon::collector
