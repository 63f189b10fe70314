#include "collector/state_rebuild.h"

#include <boost/asio/post.hpp>

#include "collector/store/summary_store.h"

namespace linkmon::collector {

StateRebuild::StateRebuild(boost::asio::io_context& io, std::filesystem::path store_path,
                           sla::PathStates& states, SystemTime since, Done done)
    : io_(io),
      work_(io.get_executor()),
      store_path_(std::move(store_path)),
      states_(states),
      since_(since),
      done_(std::move(done)) {}

StateRebuild::~StateRebuild() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void StateRebuild::Start() {
  thread_ = std::thread([this] { Run(); });
}

void StateRebuild::Run() {
  const auto started = std::chrono::steady_clock::now();
  RebuildOutcome outcome{.report = sla::RebuildReport{}};
  auto store = store::SummaryStore::Open(store::StoreOptions{.path = store_path_});
  if (!store) {
    outcome.report = tl::unexpected(store.error());
  } else {
    outcome.report = states_.RebuildInOrder([&](const sla::PathStates::RecordVisitor& visit) {
      return (*store)->ForEachMinuteSince(since_, [&](const store::MinuteRecord& record) {
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
