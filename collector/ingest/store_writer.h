#pragma once

// StoreWriter: the collector's one writer of batches into the store, on a thread of its own, so
// that the io_context thread never waits for a commit's fsync (API, /metrics and other uploads
// are served meanwhile).
//
// The io thread submits validated batches into a bounded queue. The writer takes everything
// queued (up to max_group_batches) and commits it in ONE transaction
// (SummaryStore::ApplyBatches: one fsync for the group, still synchronous=FULL), then posts the
// outcomes to the io_context, one handler per group, so they run there in commit order. Only
// then does ingest answer: an acknowledgement still means durable. Exactly-once is the store's:
// each batch's key is checked and written in the transaction with its data, so a retry that
// arrives while the first copy is queued, or in the same group, is applied once and answered
// duplicate.
//
// A full queue refuses at once (the caller answers 503 with Retry-After; probes retry). Drain()
// (SIGTERM) stops taking batches, commits and answers what is queued, then tells the caller.
//
// The writer opens its own connection (StoreOptions); readers keep theirs (WAL). Thread-safety:
// Submit, Drain and queued() from the owner's thread (the io_context's); callbacks run on
// `answers`.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/any_io_executor.hpp>

#include "collector/store/summary_store.h"
#include "common/batch/batch.h"
#include "common/clock.h"
#include "common/result.h"

namespace linkmon::ingest {

struct StoreWriterOptions {
  // The writer's connection. Start() gives it a 64 MiB page cache unless store.cache_kib is set:
  // the current minute rows of 100,000 paths fit; measured with 1000-path batches, a 2 MiB
  // cache cost 12 % more CPU per summary (pages read back from the file).
  store::StoreOptions store;
  // Batches waiting for the writer beyond the group it commits; more are refused.
  std::size_t max_queued_batches = 256;
  // And their summaries: a decoded summary holds ~0.5-1 KB, so 256 batches of the largest size
  // (10,000 summaries) would hold gigabytes. A batch always fits an empty queue.
  std::size_t max_queued_summaries = 200'000;
  // Batches committed in one transaction at most.
  std::size_t max_group_batches = 64;
};

class StoreWriter {
 public:
  // Receives the batch and the store's answer for it (SummaryStore::ApplyBatch's), on `answers`.
  using Done = std::function<void(const batch::Batch&, Result<store::ApplyResult>)>;

  enum class Submitted {
    kQueued,    // `done` will run
    kFull,      // refused: max_queued_batches, or max_queued_summaries, are waiting
    kStopping,  // refused: Drain() was called
  };

  // Opens the writer's connection (errors: SummaryStore::Open's) and starts its thread.
  static Result<std::unique_ptr<StoreWriter>> Start(const StoreWriterOptions& options,
                                                    boost::asio::any_io_executor answers);
  // Stops the thread after the queue is committed (callbacks still go to `answers`).
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  Submitted Submit(batch::Batch batch, SystemTime received, Done done);
  // Refuses new batches from now on; `drained` runs on `answers` after the callbacks of every
  // batch submitted before.
  void Drain(std::function<void()> drained);

  // Batches submitted and not yet answered on the writer's side; of them, those still waiting
  // in the queue (not in the group being committed).
  std::size_t pending() const;
  std::size_t queued() const;
  // True once Drain() was called.
  bool draining() const;
  // Transactions committed (or failed) so far: with concurrent uploads, fewer than batches.
  std::uint64_t groups() const;
  const std::filesystem::path& store_path() const { return options_.store.path; }

 private:
  struct Job {
    batch::Batch batch;
    SystemTime received;
    Done done;
  };

  StoreWriter(std::unique_ptr<store::SummaryStore> store, const StoreWriterOptions& options,
              boost::asio::any_io_executor answers);
  void Run();

  std::unique_ptr<store::SummaryStore> store_;  // the writer thread's only
  const StoreWriterOptions options_;
  boost::asio::any_io_executor answers_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  std::size_t queued_summaries_ = 0;
  std::size_t in_flight_ = 0;
  std::uint64_t groups_ = 0;
  bool stopping_ = false;
  std::function<void()> drained_;
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace linkmon::ingest
