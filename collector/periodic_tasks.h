#pragma once

// The collector's timers, on its io_context thread:
// - RetentionPruner deletes stored minutes and batch keys older than collector.retention, at
//   start and every hour, in slices of kPruneSliceRows rows with the io thread free in between
//   (requests and uploads are served between slices: one transaction for an hour of 10,000
//   paths held the thread for over a second);
// - MinuteTicker calls PathStates::Tick right after every second of the clock begins, so a minute
//   is judged within a second of its end + close_delay (sla/path_states.h) whether or not data
//   arrives, and stores what the closes produced (verdict changes, breaches) in the history
//   store, one transaction per tick for all paths. A failed write is logged and retried with the
//   next tick's. Then it calls `after_tick` (the API's AnswerRefresh: the answers of the new
//   second and of the minutes just closed are rendered before requests ask for them).
// A steady timer drives both (wall-clock jumps do not bunch or skip ticks); the times they act on
// are the clock's wall time, since minutes are wall-clock minutes.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>

#include "collector/history/history_store.h"
#include "collector/sla/path_states.h"
#include "collector/store/summary_store.h"
#include "common/clock.h"

namespace linkmon::collector {

class RetentionPruner {
 public:
  RetentionPruner(boost::asio::io_context& io, store::SummaryStore& store, const Clock& clock,
                  std::chrono::nanoseconds retention);

  // Rows of minutes (and of batch keys) deleted per transaction: 10-17 ms of the io thread at
  // 10,000 paths (BM_HourlyPrune).
  static constexpr std::uint64_t kPruneSliceRows = 5'000;

  void Start() { Prune(); }
  void Stop() { timer_.cancel(); }

 private:
  void Prune();
  void PruneSlice();
  void After(std::chrono::steady_clock::duration delay, void (RetentionPruner::*step)());

  boost::asio::steady_timer timer_;
  store::SummaryStore& store_;
  const Clock& clock_;
  std::chrono::nanoseconds retention_;
  // The prune in progress: its cutoff, and what its slices have deleted so far.
  SystemTime before_{};
  store::PruneResult deleted_{};
  std::uint64_t slices_ = 0;
};

class MinuteTicker {
 public:
  MinuteTicker(
      boost::asio::io_context& io, sla::PathStates& states, history::HistoryStore& history,
      const Clock& clock, std::function<void()> after_tick = [] {});

  void Start() { Tick(); }
  void Stop() { timer_.cancel(); }

 private:
  void Tick();

  boost::asio::steady_timer timer_;
  sla::PathStates& states_;
  history::HistoryStore& history_;
  const Clock& clock_;
  std::function<void()> after_tick_;
  sla::HistoryDelta unwritten_;  // a delta whose write failed, retried with the next
};

}  // namespace linkmon::collector
