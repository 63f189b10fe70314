#pragma once

// The running collector: everything main() wires after the config is checked, kept out of main so
// that main stays a few lines (STYLE.md).
//
// One io_context on the calling thread carries: the store (collector/store, SQLite with
// synchronous=FULL), ingest (POST /api/v1/ingest), /metrics, /-/healthy, /-/ready on one HTTP
// server at collector.listen, an hourly retention prune (collector.retention), and SIGINT/SIGTERM,
// which stop the server and let run() return. Windows, SLA and the API mount here as they land.
// Until collector/main.cpp calls it, the crash test (tests/collector/ingest/crash_test_daemon.cpp)
// runs it.

#include "config/config.h"

namespace linkmon::collector {

// Runs until SIGINT or SIGTERM. Returns a process exit code (config/daemon_cli.h): kExitOk after
// a signal, kExitRuntimeFailure when the store, the token files or the listen address fail.
int RunCollectorDaemon(const config::Config& config);

}  // namespace linkmon::collector
