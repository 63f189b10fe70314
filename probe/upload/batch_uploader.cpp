#include "probe/upload/batch_uploader.h"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "common/batch/batch_codec.h"
#include "common/logging.h"
#include "probe/upload/upload_verdict.h"

namespace linkmon::upload {

namespace {

double Seconds(std::chrono::nanoseconds duration) {
  return std::chrono::duration<double>(duration).count();
}

// A collector's refusal body, cut so that a log line stays a line.
std::string Excerpt(const std::string& body) { return body.substr(0, 200); }

}  // namespace

BatchUploader::BatchUploader(boost::asio::io_context& io, const Clock& clock, BatchSpool& spool,
                             HttpUploadClient& client, prometheus::Registry& registry,
                             UploaderOptions options)
    : io_(io),
      clock_(clock),
      spool_(spool),
      client_(client),
      options_(options),
      metrics_(registry),
      backoff_(options.backoff, options.backoff_seed),
      retry_timer_(io),
      synced_(spool.stats()) {
  metrics_.spool_batches.Set(static_cast<double>(spool_.stats().pending_batches));
  metrics_.spool_bytes.Set(static_cast<double>(spool_.stats().pending_bytes));
}

BatchUploader::~BatchUploader() {
  alive_.reset();
  retry_timer_.cancel();
}

void BatchUploader::Start() {
  if (state_ != State::kStopped) return;
  state_ = State::kIdle;
  ScheduleSend();
}

void BatchUploader::Stop() {
  state_ = State::kStopped;
  retry_timer_.cancel();
  client_.Close();
}

bool BatchUploader::drained() const {
  return spool_.stats().pending_batches == 0 && state_ != State::kSending &&
         state_ != State::kWaiting;
}

Status BatchUploader::Submit(std::uint64_t sequence, std::span<const std::uint8_t> encoded_batch) {
  auto appended = spool_.Append(sequence, encoded_batch);
  if (!appended) {
    metrics_.spool_write_errors.Increment();
    if (metrics_.spool_writable.Value() != 0) {
      spdlog::warn("event=spool_write_failed sequence={} bytes={} error={} detail={}", sequence,
                   encoded_batch.size(), KvQuote(appended.error().message),
                   KvQuote("measuring goes on; batches that cannot be stored are lost and "
                           "counted in linkmon_probe_spool_write_errors_total"));
    }
    metrics_.spool_writable.Set(0);
    SyncSpoolMetrics();
    return tl::unexpected(appended.error());
  }
  if (metrics_.spool_writable.Value() == 0) {
    spdlog::info("event=spool_write_recovered sequence={}", sequence);
    metrics_.spool_writable.Set(1);
  }
  metrics_.spooled.Increment();
  SyncSpoolMetrics();
  if (state_ == State::kIdle) ScheduleSend();
  return {};
}

Status BatchUploader::Submit(const batch::Batch& batch) {
  const std::string json = batch::EncodeBatch(batch);
  return Submit(batch.sequence,
                std::span(reinterpret_cast<const std::uint8_t*>(json.data()), json.size()));
}

void BatchUploader::ScheduleSend() {
  state_ = State::kSending;
  std::weak_ptr<int> alive = alive_;
  // Through the io_context, so that a long run of acknowledged batches does not recurse.
  boost::asio::post(io_, [this, alive] {
    if (alive.expired() || state_ != State::kSending) return;
    SendNext();
  });
}

void BatchUploader::SendNext() {
  auto oldest = spool_.Oldest();
  SyncSpoolMetrics();
  if (!oldest) {
    spdlog::warn("event=spool_read_failed error={}", KvQuote(oldest.error().message));
    RetryLater(std::chrono::nanoseconds(0), "spool_read_failed");
    return;
  }
  if (!*oldest) {
    state_ = State::kIdle;
    return;
  }
  const std::int64_t id = (*oldest)->id;
  const std::uint64_t sequence = (*oldest)->sequence;
  metrics_.sent.Increment();
  std::weak_ptr<int> alive = alive_;
  client_.Post(std::move((*oldest)->bytes), [this, alive, id, sequence](Result<UploadResponse> answer) {
    if (alive.expired() || state_ != State::kSending) return;
    OnAnswer(id, sequence, std::move(answer));
  });
}

void BatchUploader::OnAnswer(std::int64_t id, std::uint64_t sequence,
                             Result<UploadResponse> answer) {
  if (!answer) {
    // A TLS failure will not mend by itself within seconds (a certificate, a CA file or the
    // collector's port must change), so it takes the same growing backoff as any failure, never a
    // quick retry; its reason is in the warn line RetryLater writes.
    if (answer.error().code == ErrorCode::kPermission) metrics_.tls_failures.Increment();
    RetryLater(std::chrono::nanoseconds(0), answer.error().message);
    return;
  }
  switch (VerdictForStatus(answer->status)) {
    case UploadVerdict::kAcknowledged: {
      if (backoff_.failures() > 0) {
        spdlog::info("event=upload_recovered after_failures={} pending_batches={}",
                     backoff_.failures(), spool_.stats().pending_batches);
      }
      backoff_.Reset();
      metrics_.acked.Increment();
      metrics_.last_success.Set(
          std::chrono::duration<double>(clock_.SystemNow().time_since_epoch()).count());
      if (auto removed = spool_.Acknowledge(id); !removed) {
        // The spool will not hand the batch out again in this run, and retries the delete before
        // its next write; after a restart the collector applies a (probe id, sequence) once.
        spdlog::warn("event=spool_delete_failed sequence={} error={}", sequence,
                     KvQuote(removed.error().message));
      }
      SyncSpoolMetrics();
      ScheduleSend();
      return;
    }
    case UploadVerdict::kRetry: {
      std::chrono::nanoseconds at_least(0);
      if (auto delay = ParseRetryAfter(answer->retry_after, clock_.SystemNow())) {
        at_least = std::min<std::chrono::nanoseconds>(*delay, options_.max_retry_after);
      }
      RetryLater(at_least, "http_status=" + std::to_string(answer->status));
      return;
    }
    case UploadVerdict::kRejected: {
      metrics_.RejectedWithCode(answer->status).Increment();
      spdlog::warn("event=batch_rejected sequence={} status={} body={} detail={}", sequence,
                   answer->status, KvQuote(Excerpt(answer->body)),
                   KvQuote("set aside in the spool's rejected table, not retried"));
      if (auto rejected = spool_.Reject(id, answer->status); !rejected) {
        spdlog::warn("event=spool_reject_failed sequence={} error={} detail={}", sequence,
                     KvQuote(rejected.error().message),
                     KvQuote("not kept in the rejected table; not sent again"));
      }
      SyncSpoolMetrics();
      ScheduleSend();
      return;
    }
  }
}

void BatchUploader::RetryLater(std::chrono::nanoseconds at_least, std::string_view why) {
  metrics_.retried.Increment();
  const std::chrono::nanoseconds delay = std::max(backoff_.NextDelay(), at_least);
  spdlog::warn(
      "event=upload_failed failures={} retry_in_seconds={:.3f} pending_batches={} error={}",
      backoff_.failures(), Seconds(delay), spool_.stats().pending_batches, KvQuote(why));
  state_ = State::kWaiting;
  retry_timer_.expires_after(delay);
  std::weak_ptr<int> alive = alive_;
  retry_timer_.async_wait([this, alive](const boost::system::error_code& error) {
    if (alive.expired() || error || state_ != State::kWaiting) return;
    state_ = State::kSending;
    SendNext();
  });
}

void BatchUploader::SyncSpoolMetrics() {
  const SpoolStats& now = spool_.stats();
  metrics_.spool_dropped.Increment(
      static_cast<double>(now.dropped_batches_total - synced_.dropped_batches_total));
  metrics_.spool_dropped_bytes.Increment(
      static_cast<double>(now.dropped_bytes_total - synced_.dropped_bytes_total));
  metrics_.spool_corrupt.Increment(
      static_cast<double>(now.corrupt_batches_total - synced_.corrupt_batches_total));
  metrics_.spool_batches.Set(static_cast<double>(now.pending_batches));
  metrics_.spool_bytes.Set(static_cast<double>(now.pending_bytes));
  metrics_.spool_low_space.Set(spool_.low_space() ? 1 : 0);
  synced_ = now;
}

}  // namespace linkmon::upload
