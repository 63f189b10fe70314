#pragma once

// Gathers the scheduler's interval summaries into upload batches (common/batch/batch.h): every
// `upload_interval` the summaries closed since the last batch are sealed into one batch with the
// next sequence number of this run's epoch and handed to the uploader, which spools it before it
// sends it. A batch holds at most `max_summaries` (the collector's decode limit), and a batch that
// reaches `seal_at` summaries before the timer is sealed at once, so that pending summaries stay
// bounded.
//
// Each summary is written into the pending batch's wire text as it arrives (batch::BatchWriter):
// nothing but that text (~500 bytes a summary) is kept until the batch is sealed, and sealing
// costs a copy of it, not a JSON tree.
//
// Thread-safety: not thread-safe; lives on the probe's io_context.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "common/batch/batch.h"
#include "common/batch/batch_writer.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/result.h"

namespace linkmon::probe {

// Takes a sealed batch: its sequence number and its wire text (common/batch/batch_codec.h).
using BatchSink = std::function<Status(std::uint64_t sequence, std::string_view encoded)>;

struct BatchAssemblerOptions {
  SiteName probe;
  std::chrono::nanoseconds upload_interval = std::chrono::seconds(10);
  std::size_t max_summaries = 5'000;
  // A batch is sealed as soon as it holds this many summaries (at most max_summaries), without
  // waiting for the timer: the pending batch's text is what the probe's memory grows with (about
  // 400 bytes a summary; sealing hands the same buffer on), so this bounds it at about 200 KB
  // whatever the number of paths. A sealed batch is held two or three times over for a moment
  // (the spool's record, the upload's body): with 10,000 paths closing their intervals together,
  // 1,000 a batch put the peak RSS of a 10,000-target probe 660 KiB higher than 500.
  std::size_t seal_at = 500;
};

class BatchAssembler {
 public:
  // The epoch of the sequence numbers is the wall time now: a restarted probe
  // starts a new epoch, so its numbers never collide with batches of an earlier
  // run still in the spool.
  BatchAssembler(boost::asio::io_context& io, const Clock& clock, BatchAssemblerOptions options,
                 BatchSink sink);
  BatchAssembler(const BatchAssembler&) = delete;
  BatchAssembler& operator=(const BatchAssembler&) = delete;

  void Add(const PathKey& path, const stats::IntervalSummary& summary);
  // A summary that carries more than the interval statistics (a throughput test's goodput).
  void Add(const batch::PathSummary& summary);
  void Start();
  // Stops the timer and seals what is pending (at shutdown, so that nothing
  // measured is lost).
  void Stop();
  // Seals the pending summaries into a batch now (none when nothing is pending).
  void Flush();

  std::uint64_t batches_sealed() const { return next_sequence_; }
  std::uint64_t sink_errors() const { return sink_errors_; }

 private:
  void Arm();
  void SealIfFull();

  const Clock& clock_;
  BatchAssemblerOptions options_;
  BatchSink sink_;
  boost::asio::steady_timer timer_;
  SystemTime probe_start_;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t sink_errors_ = 0;
  batch::BatchWriter pending_;
};

}  // namespace linkmon::probe
