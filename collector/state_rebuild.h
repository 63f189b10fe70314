#pragma once

// StateRebuild: at start-up, brings PathStates (sla/path_states.h) back to where the last run left
// it, in two steps:
// 1. the SLA history (history/history_store.h, LoadWithoutVerdicts and ForEachVerdictChange;
//    PathStates::Restore): minute verdicts of the longest SLO period (so budgets, burn rates and
//    /metrics counters are those of the last run), streamed into PathStates as they are read (a
//    month of 10,000 paths' changes is never held at once), every open or pending breach with its
//    tracker's counters, and the newest closed breaches;
// 2. the stored minutes of the replay range (store/summary_store.h, ForEachMinuteSince;
//    PathStates::RebuildInOrder), which refill the windows; only minutes after the history's
//    judged_through (the downtime, and anything the history lost) are judged again.
//
// It runs on a thread of its own, through a second connection to the store (WAL lets it read
// while the io_context thread writes), so that a month of minutes does not keep /-/healthy from
// answering. Until `done` runs (posted to the io_context), nothing else may touch `states`: the
// daemon answers 503 on ingest and the API, /-/ready says "rebuilding", the ticker waits.
//
// Destroying a running StateRebuild asks it to stop (the remaining records are skipped) and joins.

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "collector/sla/path_states.h"
#include "common/clock.h"
#include "common/result.h"

namespace linkmon::collector {

struct RebuildRange {
  SystemTime replay_since;    // stored minutes from here on are replayed
  SystemTime verdicts_since;  // stored verdicts from here on are restored
};

struct RebuildOutcome {
  Result<sla::RebuildReport> report;
  std::uint64_t records_read = 0;
  // Restored from the SLA history (0 for a store without one: a new or version 1 file).
  std::uint64_t verdict_changes_restored = 0;
  std::uint64_t breaches_restored = 0;  // open, pending and closed
  std::chrono::duration<double> took{};
};

class StateRebuild {
 public:
  using Done = std::function<void(RebuildOutcome)>;

  // `done` runs on `io`'s thread.
  StateRebuild(boost::asio::io_context& io, std::filesystem::path store_path,
               sla::PathStates& states, RebuildRange range, Done done);
  ~StateRebuild();
  StateRebuild(const StateRebuild&) = delete;
  StateRebuild& operator=(const StateRebuild&) = delete;

  void Start();

 private:
  void Run();
  // Step 1 (see above), counting what it restored into `outcome`.
  Status Restore(RebuildOutcome& outcome);

  boost::asio::io_context& io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::filesystem::path store_path_;
  sla::PathStates& states_;
  RebuildRange range_;
  Done done_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace linkmon::collector
