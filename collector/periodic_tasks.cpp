#include "collector/periodic_tasks.h"

#include <spdlog/spdlog.h>

#include "common/logging.h"

namespace linkmon::collector {

namespace {

constexpr std::chrono::hours kPruneEvery{1};
// Ticks land this long after a second of the wall clock begins: a steady timer may wake a little
// early, and a tick just before the second would render the answers of the second ending.
constexpr std::chrono::microseconds kTickAfterSecond{200};

std::int64_t UnixSeconds(SystemTime time) {
  return std::chrono::floor<std::chrono::seconds>(time).time_since_epoch().count();
}

}  // namespace

RetentionPruner::RetentionPruner(boost::asio::io_context& io, store::SummaryStore& store,
                                 const Clock& clock, std::chrono::nanoseconds retention)
    : timer_(io), store_(store), clock_(clock), retention_(retention) {}

void RetentionPruner::Prune() {
  before_ = clock_.SystemNow() - std::chrono::duration_cast<SystemTime::duration>(retention_);
  deleted_ = {};
  slices_ = 0;
  PruneSlice();
}

void RetentionPruner::PruneSlice() {
  auto pruned = store_.Prune(before_, kPruneSliceRows);
  if (!pruned) {
    spdlog::error("event=store_prune_failed detail={}", KvQuote(pruned.error().message));
    return After(kPruneEvery, &RetentionPruner::Prune);
  }
  ++slices_;
  deleted_.minutes_deleted += pruned->minutes_deleted;
  deleted_.batches_deleted += pruned->batches_deleted;
  deleted_.verdict_changes_deleted += pruned->verdict_changes_deleted;
  deleted_.breaches_deleted += pruned->breaches_deleted;
  // The next slice waits behind whatever the io thread has ready: requests, uploads, ticks.
  if (!pruned->complete) return After(std::chrono::milliseconds(0), &RetentionPruner::PruneSlice);
  spdlog::info(
      "event=store_pruned minutes_deleted={} batches_deleted={} verdict_changes_deleted={} "
      "breaches_deleted={} slices={}",
      deleted_.minutes_deleted, deleted_.batches_deleted, deleted_.verdict_changes_deleted,
      deleted_.breaches_deleted, slices_);
  After(kPruneEvery, &RetentionPruner::Prune);
}

void RetentionPruner::After(std::chrono::steady_clock::duration delay,
                            void (RetentionPruner::*step)()) {
  timer_.expires_after(delay);
  timer_.async_wait([this, step](const boost::system::error_code& ec) {
    if (!ec) (this->*step)();
  });
}

MinuteTicker::MinuteTicker(boost::asio::io_context& io, sla::PathStates& states,
                           history::HistoryStore& history, const Clock& clock,
                           std::function<void()> after_tick)
    : timer_(io),
      states_(states),
      history_(history),
      clock_(clock),
      after_tick_(std::move(after_tick)) {}

void MinuteTicker::Tick() {
  const SystemTime closing = states_.next_minute_to_close();
  states_.Tick(clock_.SystemNow());
  if (states_.next_minute_to_close() != closing) {
    spdlog::debug("event=minutes_closed next_minute_unix={} paths={}",
                  UnixSeconds(states_.next_minute_to_close()), states_.paths().size());
  }
  // The first tick also stores what the start-up rebuild judged.
  unwritten_.Append(states_.TakeHistory());
  if (!unwritten_.empty()) {
    if (auto written = history_.Write(unwritten_)) {
      unwritten_ = sla::HistoryDelta{};
    } else {
      spdlog::error("event=history_write_failed verdict_changes={} detail={}",
                    unwritten_.verdict_changes.size(), KvQuote(written.error().message));
    }
  }
  after_tick_();
  const SystemTime now = clock_.SystemNow();
  const SystemTime next_second =
      std::chrono::floor<std::chrono::seconds>(now) + std::chrono::seconds(1);
  timer_.expires_after(next_second - now + kTickAfterSecond);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Tick();
  });
}

}  // namespace linkmon::collector
