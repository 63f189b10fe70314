#include "probe/upload/uploader_metrics.h"

#include <string>

namespace linkmon::upload {

namespace {

prometheus::Counter& NewCounter(prometheus::Registry& registry, const std::string& name,
                                const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Gauge& NewGauge(prometheus::Registry& registry, const std::string& name,
                            const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

UploaderMetrics::UploaderMetrics(prometheus::Registry& registry)
    : spooled(NewCounter(registry, "linkmon_probe_batches_spooled_total",
                         "Batches stored in the on-disk spool for upload.")),
      sent(NewCounter(registry, "linkmon_probe_batches_sent_total",
                      "Batch upload attempts (first tries and retries).")),
      acked(NewCounter(registry, "linkmon_probe_batches_acked_total",
                       "Batches the collector acknowledged with a 2xx status.")),
      retried(NewCounter(registry, "linkmon_probe_batches_retried_total",
                         "Upload attempts that failed (network error, 408, 429, 5xx) and will be "
                         "retried.")),
      tls_failures(NewCounter(registry, "linkmon_probe_upload_tls_failures_total",
                              "Upload attempts whose TLS handshake failed (collector certificate "
                              "not trusted, expired or not naming the host; client certificate "
                              "refused; no TLS on the port); retried after a backoff.")),
      spool_dropped(NewCounter(registry, "linkmon_probe_spool_dropped_batches_total",
                               "Oldest spooled batches dropped to stay within the spool bound or "
                               "to make room on a full file system.")),
      spool_dropped_bytes(NewCounter(registry, "linkmon_probe_spool_dropped_bytes_total",
                                     "Payload bytes of the dropped batches.")),
      spool_corrupt(NewCounter(registry, "linkmon_probe_spool_corrupt_batches_total",
                               "Spooled batches that failed their CRC-32C and were skipped.")),
      spool_write_errors(NewCounter(registry, "linkmon_probe_spool_write_errors_total",
                                    "Batches that could not be stored in the spool (file system "
                                    "full or failing) and were lost.")),
      spool_batches(
          NewGauge(registry, "linkmon_probe_spool_batches", "Batches waiting in the spool.")),
      spool_bytes(
          NewGauge(registry, "linkmon_probe_spool_bytes", "Payload bytes waiting in the spool.")),
      spool_writable(NewGauge(registry, "linkmon_probe_spool_writable",
                              "1 while the spool accepts batches, 0 after a write failed.")),
      spool_low_space(NewGauge(registry, "linkmon_probe_spool_low_disk_space",
                               "1 while the spool's file system is below its free-space reserve "
                               "and new batches replace the oldest ones.")),
      last_success(NewGauge(registry, "linkmon_probe_upload_last_success_timestamp_seconds",
                            "Unix time of the last batch the collector acknowledged.")),
      rejected_(prometheus::BuildCounter()
                    .Name("linkmon_probe_batches_rejected_total")
                    .Help("Batches the collector refused with a status that retrying cannot "
                          "change (4xx other than 408 and 429); set aside, not retried.")
                    .Register(registry)) {
  spool_writable.Set(1);
}

prometheus::Counter& UploaderMetrics::RejectedWithCode(unsigned http_status) {
  return rejected_.Add({{"code", std::to_string(http_status)}});
}

}  // namespace linkmon::upload
