#pragma once

// IngestService: POST /api/v1/ingest, where probes deliver their batches (common/batch).
//
// A request is checked in this order, and the first failure answers with a specific status and a
// JSON body {"error": "<what is wrong>", "reason": "<metric label>"}; every refusal is counted in
// linkmon_ingest_rejected_total{reason} and logged at warn (event=batch_rejected):
//   1. Authorization: Bearer <token> of a configured probe site           401 unauthenticated
//      with mutual TLS (collector.tls.client_ca_file), the verified client
//      certificate names that site (certificate_names.h)                 403 certificate_mismatch
//   2. Content-Type application/json; Content-Encoding gzip or identity   415 unsupported_media
//   3. body size on the wire (also bounded earlier by the HTTP server)    413 body_too_large
//   4. gzip inflated in bounded chunks up to max_decompressed_bytes       413
//   decompressed_too_large
//                                                                         400 bad_gzip
//   5. decoding (batch_codec.h): JSON, depth, schema, values, invariants  400 malformed / schema /
//                                                                         unsupported_version,
//                                                                         413 too_many_summaries,
//                                                                         422 inconsistent
//   6. the batch's probe is configured                                    422 unknown_probe
//   7. the batch's probe is the token's site                              403 token_mismatch
//   8. every (target, method) is configured for that probe               422 unknown_path
//   9. timestamps: nothing after now + max_clock_skew                     422 future_timestamp
//      no summary older than now - retention                              422 too_old
//  10. the store writer's queue takes it (store_writer.h)                 503 queue_full
//  (Retry-After)
//      unless the collector is stopping                                   503 shutting_down
//  11. the store applies it (summary_store.h), fsync'ed, then:            200 {"status":"applied"}
//      already stored: acknowledged again, applied once                 200 {"status":"duplicate"}
//      far below its epoch's highest sequence                             409 stale_sequence
//      the store failed (nothing stored; retry)                           503 store_failed
// A 200 is sent only after the commit returned, so an acknowledged batch is durable as promised
// by the store's durability setting (kFull: survives kill -9 and power loss).
//
// Steps 1-9 run on the io_context thread; the commit runs on the store writer's thread, several
// uploads' batches in one transaction (group commit), and the answer comes back to the io thread
// (a deferred HTTP answer, exporters/http/http_types.h). The measured cost is in
// collector/ingest/README.md. Listeners registered with OnApplied run after each commit, on the
// io thread, in commit order (the windows feed from there).
//
// Thread-safety: not thread-safe; used from the HTTP server's io_context thread.

#include <prometheus/registry.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <unordered_set>
#include <variant>
#include <vector>

#include "collector/ingest/ingest_metrics.h"
#include "collector/ingest/probe_tokens.h"
#include "collector/ingest/store_writer.h"
#include "collector/store/summary_store.h"
#include "common/batch/batch.h"
#include "common/clock.h"
#include "config/config.h"
#include "exporters/http/http_types.h"

namespace linkmon::ingest {

struct IngestOptions {
  std::size_t max_body_bytes = 1024 * 1024;              // collector.limits.max_body_bytes
  std::size_t max_decompressed_bytes = 8 * 1024 * 1024;  // collector.limits.max_decompressed_bytes
  std::size_t max_summaries_per_batch = 10'000;
  // How far a probe's wall clock may run ahead of the collector's.
  std::chrono::nanoseconds max_clock_skew = std::chrono::minutes(5);
  // Summaries older than this are refused: the store would prune them anyway.
  std::chrono::nanoseconds retention = std::chrono::hours(24 * 35);  // collector.retention
  // Mutual TLS: an upload's client certificate must name its token's probe site.
  bool bind_client_certificate = false;
};

// The options a config implies (limits, retention, mutual TLS).
IngestOptions IngestOptionsFromConfig(const config::Config& config);
// True when the config turns on mutual TLS (collector.tls.client_ca_file set).
bool BindsClientCertificates(const config::Config& config);

class IngestService {
 public:
  // Loads the probe tokens (collector.token_files) and the configured paths. Errors: those of
  // ProbeTokens::Load.
  static Result<std::unique_ptr<IngestService>> Create(const config::Config& config,
                                                       StoreWriter& writer, const Clock& clock,
                                                       prometheus::Registry& registry,
                                                       IngestOptions options);
  // With tokens already loaded (tests).
  IngestService(const config::Config& config, ProbeTokens tokens, StoreWriter& writer,
                const Clock& clock, prometheus::Registry& registry, IngestOptions options);

  IngestService(const IngestService&) = delete;
  IngestService& operator=(const IngestService&) = delete;

  // Handles one POST /api/v1/ingest: `respond` gets the refusal at once, or the store's answer
  // once the batch's group committed (or failed).
  void Handle(const exporters::HttpRequest& request, exporters::HttpResponder respond);

  // A reloaded config (SIGHUP): re-reads the token files and takes the new probes and paths. On
  // an error (a token file unreadable or invalid, as Create reports it) nothing changes. Limits
  // and retention stay as created (they need a restart); whether client certificates are bound
  // follows the new config, as the server's TLS context does.
  Status Reconfigure(const config::Config& config);

  // Called with every batch after it was applied (not for duplicates).
  void OnApplied(std::function<void(const batch::Batch&)> listener);

 private:
  struct Refusal;
  exporters::HttpResponse Refuse(const boost::asio::ip::address& client, RejectReason reason,
                                 std::string_view probe, std::string message);
  // Steps 1-9: the batch to commit, or the refusal.
  std::variant<batch::Batch, exporters::HttpResponse> Check(const exporters::HttpRequest& request);
  void Commit(batch::Batch batch, const boost::asio::ip::address& client, MonotonicTime started,
              exporters::HttpResponder respond);
  // The answer to a committed (or failed) batch; runs the listeners for an applied one.
  exporters::HttpResponse Answer(const batch::Batch& batch, const boost::asio::ip::address& client,
                                 MonotonicTime started, Result<store::ApplyResult> applied);
  void SetPaths(const config::Config& config);
  std::optional<Refusal> Validate(const batch::Batch& batch, const SiteName& token_site) const;

  ProbeTokens tokens_;
  StoreWriter& writer_;
  const Clock& clock_;
  IngestOptions options_;
  IngestMetrics metrics_;
  std::set<SiteName> probes_;
  std::unordered_set<PathKey, PathKeyHash> paths_;
  std::vector<std::function<void(const batch::Batch&)>> listeners_;
};

}  // namespace linkmon::ingest
