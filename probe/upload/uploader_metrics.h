#pragma once

// The uploader's counters and gauges on the probe's /metrics (prometheus-cpp families in the
// registry the probe's main passes in). Names follow Prometheus conventions: _total counters,
// _bytes and _seconds in base units; the one label, `code`, holds an HTTP status (bounded).

#include <cstdint>
#include <map>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace linkmon::upload {

struct UploaderMetrics {
  explicit UploaderMetrics(prometheus::Registry& registry);

  prometheus::Counter& RejectedWithCode(unsigned http_status);

  prometheus::Counter& spooled;        // batches stored in the spool
  prometheus::Counter& sent;           // POST attempts, first tries and retries alike
  prometheus::Counter& acked;          // batches the collector acknowledged (2xx)
  prometheus::Counter& retried;        // attempts that failed and will be tried again
  prometheus::Counter& tls_failures;   // of those, TLS handshakes or verifications that failed
  prometheus::Counter& spool_dropped;  // oldest batches dropped for room
  prometheus::Counter& spool_dropped_bytes;
  prometheus::Counter& spool_corrupt;       // stored batches that failed their checksum
  prometheus::Counter& spool_write_errors;  // batches that could not be stored at all
  prometheus::Gauge& spool_batches;
  prometheus::Gauge& spool_bytes;
  prometheus::Gauge& spool_writable;   // 1 while appends succeed, 0 after one failed
  prometheus::Gauge& spool_low_space;  // 1 while the file system is nearly full
  prometheus::Gauge& last_success;     // Unix time of the last 2xx, 0 before the first

 private:
  prometheus::Family<prometheus::Counter>& rejected_;
};

}  // namespace linkmon::upload
