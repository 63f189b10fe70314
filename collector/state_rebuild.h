#pragma once

// StateRebuild: at start-up, replays the stored minutes (store/summary_store.h,
// ForEachMinuteSince) into PathStates (sla/path_states.h, RebuildInOrder), so that windows, minute
// verdicts, error budgets and breaches (open and closed) come back as the last run left them.
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

struct RebuildOutcome {
  Result<sla::RebuildReport> report;
  std::uint64_t records_read = 0;
  std::chrono::duration<double> took{};
};

class StateRebuild {
 public:
  using Done = std::function<void(RebuildOutcome)>;

  // Minutes from `since` on are replayed. `done` runs on `io`'s thread.
  StateRebuild(boost::asio::io_context& io, std::filesystem::path store_path,
               sla::PathStates& states, SystemTime since, Done done);
  ~StateRebuild();
  StateRebuild(const StateRebuild&) = delete;
  StateRebuild& operator=(const StateRebuild&) = delete;

  void Start();

 private:
  void Run();

  boost::asio::io_context& io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::filesystem::path store_path_;
  sla::PathStates& states_;
  SystemTime since_;
  Done done_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace linkmon::collector
