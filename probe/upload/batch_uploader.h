#pragma once

// Drains the spool to the collector (DESIGN.md "Upload", issue 6). Every batch is first written
// to the spool, then sent, then removed on the collector's 2xx: one path for ordering and
// crash-safety whether the collector is up or not. Batches go out one at a time, oldest first, so
// the collector sees them in order; a failure (network error, failed TLS handshake, 408, 429,
// 5xx) holds the queue and retries the same batch after an exponential backoff with full jitter
// (retry_backoff.h), or after Retry-After when the collector sets it, whichever is longer. A TLS
// failure is also counted in linkmon_probe_upload_tls_failures_total. New batches keep arriving
// in the spool meanwhile and follow in order. Any other status sets the batch aside in the spool's
// rejected table (counted by code, logged at warn) and the queue moves on.
//
// Everything runs on the probe's io_context: Submit never waits for the network.
//
// Thread-safety: not thread-safe; call it from the io_context's thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>

#include <prometheus/registry.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/batch/batch.h"
#include "common/clock.h"
#include "common/result.h"
#include "probe/upload/batch_spool.h"
#include "probe/upload/http_upload_client.h"
#include "probe/upload/retry_backoff.h"
#include "probe/upload/uploader_metrics.h"

namespace linkmon::upload {

struct UploaderOptions {
  BackoffOptions backoff;
  std::uint64_t backoff_seed = 0;  // the daemon passes std::random_device output
  // A Retry-After longer than this is cut to it: a misconfigured collector must not park probes
  // for days.
  std::chrono::nanoseconds max_retry_after = std::chrono::minutes(10);
};

class BatchUploader {
 public:
  // The spool, client, clock and registry must outlive the uploader.
  BatchUploader(boost::asio::io_context& io, const Clock& clock, BatchSpool& spool,
                HttpUploadClient& client, prometheus::Registry& registry, UploaderOptions options);
  ~BatchUploader();
  BatchUploader(const BatchUploader&) = delete;
  BatchUploader& operator=(const BatchUploader&) = delete;

  // Starts sending what the spool holds: a previous run's batches first.
  void Start();
  // Stops sending and closes the connection; the spool keeps what was not acknowledged.
  void Stop();

  // Stores one encoded batch in the spool and wakes the sender. When the batch cannot be stored
  // (file system full even after dropping the oldest batches), the error is returned, counted in
  // linkmon_probe_spool_write_errors_total, shown as linkmon_probe_spool_writable 0 and logged at
  // warn on the first failure; the caller goes on measuring.
  Status Submit(std::uint64_t sequence, std::span<const std::uint8_t> encoded_batch);
  // Encodes `batch` in the wire format of common/batch/batch_codec.h and submits it under its
  // own sequence number.
  Status Submit(const batch::Batch& batch);

  // True when nothing is pending in the spool and no request or retry is under way.
  bool drained() const;
  int consecutive_failures() const { return backoff_.failures(); }

 private:
  enum class State { kStopped, kIdle, kSending, kWaiting };

  void SendNext();
  void OnAnswer(std::int64_t id, std::uint64_t sequence, Result<UploadResponse> answer);
  void RetryLater(std::chrono::nanoseconds at_least, std::string_view why);
  void ScheduleSend();
  void SyncSpoolMetrics();

  boost::asio::io_context& io_;
  const Clock& clock_;
  BatchSpool& spool_;
  HttpUploadClient& client_;
  UploaderOptions options_;
  UploaderMetrics metrics_;
  RetryBackoff backoff_;
  boost::asio::steady_timer retry_timer_;
  State state_ = State::kStopped;
  SpoolStats synced_;  // spool totals already added to the counters
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace linkmon::upload
