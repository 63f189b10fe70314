#include "collector/ingest/store_writer.h"

#include <pthread.h>

#include <boost/asio/post.hpp>
#include <utility>
#include <vector>

namespace linkmon::ingest {

Result<std::unique_ptr<StoreWriter>> StoreWriter::Start(const StoreWriterOptions& options,
                                                        boost::asio::any_io_executor answers) {
  store::StoreOptions store_options = options.store;
  if (store_options.cache_kib == 0) store_options.cache_kib = 64 * 1024;
  auto store = store::SummaryStore::Open(store_options);
  if (!store) return tl::unexpected(store.error());
  return std::unique_ptr<StoreWriter>(new StoreWriter(std::move(*store), options, answers));
}

StoreWriter::StoreWriter(std::unique_ptr<store::SummaryStore> store,
                         const StoreWriterOptions& options, boost::asio::any_io_executor answers)
    : store_(std::move(store)),
      options_(options),
      answers_(std::move(answers)),
      thread_([this] { Run(); }) {}

StoreWriter::~StoreWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

StoreWriter::Submitted StoreWriter::Submit(batch::Batch batch, SystemTime received, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Submitted::kStopping;
    if (queue_.size() >= options_.max_queued_batches) return Submitted::kFull;
    const std::size_t summaries = batch.summaries.size();
    if (!queue_.empty() && queued_summaries_ + summaries > options_.max_queued_summaries) {
      return Submitted::kFull;
    }
    queued_summaries_ += summaries;
    queue_.push_back(Job{std::move(batch), received, std::move(done)});
  }
  wake_.notify_one();
  return Submitted::kQueued;
}

void StoreWriter::Drain(std::function<void()> drained) {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    drained_ = std::move(drained);
  }
  wake_.notify_one();
}

std::size_t StoreWriter::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + in_flight_;
}

std::size_t StoreWriter::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

bool StoreWriter::draining() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

std::uint64_t StoreWriter::groups() const {
  std::lock_guard lock(mutex_);
  return groups_;
}

void StoreWriter::Run() {
  // Named for top -H, perf and ps: the thread whose CPU and fsync waits are the store's.
  pthread_setname_np(pthread_self(), "store-writer");
  while (true) {
    std::vector<Job> group;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) break;  // stopping, and everything was committed
      while (!queue_.empty() && group.size() < options_.max_group_batches) {
        queued_summaries_ -= queue_.front().batch.summaries.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      in_flight_ = group.size();
    }
    std::vector<store::SummaryStore::BatchToApply> batches;
    batches.reserve(group.size());
    for (const Job& job : group) batches.push_back({.batch = &job.batch, .received = job.received});
    auto results = store_->ApplyBatches(batches);
    {
      std::lock_guard lock(mutex_);
      in_flight_ = 0;
      ++groups_;
    }
    // One handler per group: the answers run in commit order on the io thread.
    boost::asio::post(answers_, [group = std::move(group), results = std::move(results)]() mutable {
      for (std::size_t i = 0; i < group.size(); ++i)
        group[i].done(group[i].batch, std::move(results[i]));
    });
  }
  std::function<void()> drained;
  {
    std::lock_guard lock(mutex_);
    drained = std::move(drained_);
  }
  if (drained) boost::asio::post(answers_, std::move(drained));
}

}  // namespace linkmon::ingest
