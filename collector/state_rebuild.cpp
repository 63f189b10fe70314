#include "collector/state_rebuild.h"

#include <boost/asio/post.hpp>

#include "collector/history/history_store.h"
#include "collector/store/summary_store.h"

namespace linkmon::collector {

StateRebuild::StateRebuild(boost::asio::io_context& io, std::filesystem::path store_path,
                           sla::PathStates& states, RebuildRange range, Done done)
    : io_(io),
      work_(io.get_executor()),
      store_path_(std::move(store_path)),
      states_(states),
      range_(range),
      done_(std::move(done)) {}

StateRebuild::~StateRebuild() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void StateRebuild::Start() {
  thread_ = std::thread([this] { Run(); });
}

Status StateRebuild::Restore(RebuildOutcome& outcome) {
  auto history = history::HistoryStore::Open(history::HistoryStoreOptions{.path = store_path_});
  if (!history) return tl::unexpected(history.error());
  auto stored = (*history)->LoadWithoutVerdicts(states_.options().max_closed_breaches);
  if (!stored) return tl::unexpected(stored.error());
  // The verdicts (up to a month of changes of every path) go into PathStates as they are read.
  auto restored = states_.Restore(*stored, [&](const sla::PathStates::VerdictVisitor& visit) {
    return (*history)->ForEachVerdictChange(range_.verdicts_since,
                                            [&](const sla::VerdictChange& change) {
                                              ++outcome.verdict_changes_restored;
                                              visit(change);
                                            });
  });
  if (!restored) return restored;
  outcome.breaches_restored = stored->closed.size();
  for (const auto& update : stored->trackers) {
    outcome.breaches_restored += (update.state.open ? 1 : 0) + (update.state.pending ? 1 : 0);
  }
  return {};
}

void StateRebuild::Run() {
  const auto started = std::chrono::steady_clock::now();
  RebuildOutcome outcome{.report = sla::RebuildReport{}};
  if (auto restored = Restore(outcome); !restored) {
    outcome.report = tl::unexpected(restored.error());
  } else if (auto store = store::SummaryStore::Open(store::StoreOptions{.path = store_path_});
             !store) {
    outcome.report = tl::unexpected(store.error());
  } else {
    outcome.report = states_.RebuildInOrder([&](const sla::PathStates::RecordVisitor& visit) {
      return (*store)->ForEachMinuteSince(
          range_.replay_since, [&](const store::MinuteRecord& record) {
            if (stop_.load(std::memory_order_relaxed)) return;
            ++outcome.records_read;
            visit(sla::MinuteRecord{.path = record.path,
                                    .minute_start = record.minute,
                                    .summary = record.summary,
                                    .throughput = record.throughput});
          });
    });
  }
  outcome.took = std::chrono::steady_clock::now() - started;
  // The post hands `states` back to the io_context thread (its queue orders the memory too).
  boost::asio::post(io_, [this, outcome = std::move(outcome)]() mutable {
    done_(std::move(outcome));
    work_.reset();
  });
}

}  // namespace linkmon::collector
