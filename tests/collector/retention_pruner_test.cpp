// RetentionPruner (collector/periodic_tasks.h) on a real SQLite store and a fake clock: it prunes
// in slices with the io thread free in between, and ends where one transaction would have.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <optional>

#include "collector/periodic_tasks.h"
#include "collector/store/summary_store.h"
#include "tests/common/batch/batch_examples.h"
#include "tests/support/temp_dir.h"

namespace linkmon::collector {
namespace {

using batch::testing::ExampleBatch;
using batch::testing::ExampleTime;
using std::chrono::minutes;

TEST(RetentionPrunerTest, PrunesSliceBySliceServingOtherWorkInBetween) {
  linkmon::testing::TempDir dir("linkmon-pruner-test");
  auto opened = store::SummaryStore::Open(store::StoreOptions{.path = dir.path() / "c.db"});
  ASSERT_TRUE(opened.has_value()) << opened.error().message;
  store::SummaryStore& store = **opened;
  // 1,100 paths: minutes 0-5 older than the retention (6,600 rows, two slices), minute 6 kept.
  constexpr std::uint64_t kPaths = 1'100;
  for (int m = 0; m <= 6; ++m) {
    const SystemTime at = ExampleTime() + minutes(m);
    auto applied =
        store.ApplyBatch(ExampleBatch("xining", static_cast<std::uint64_t>(m + 1), kPaths, at), at);
    ASSERT_TRUE(applied.has_value()) << applied.error().message;
  }
  const std::chrono::hours retention(24 * 35);
  FakeClock clock;
  clock.SetSystemTime(ExampleTime() + minutes(6) + retention);
  boost::asio::io_context io;
  RetentionPruner pruner(io, store, clock, retention);

  pruner.Start();  // the first slice, at once: some of the old minutes, not all
  const std::uint64_t after_first = store.MinuteCount().value();
  EXPECT_LT(after_first, 7 * kPaths);
  EXPECT_GT(after_first, kPaths);
  EXPECT_LE(7 * kPaths - after_first, RetentionPruner::kPruneSliceRows + 6);  // + one path's
  // Work queued on the io thread runs before the next slice.
  std::optional<std::uint64_t> seen;
  boost::asio::post(io, [&] { seen = store.MinuteCount().value(); });
  io.run_one();
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(*seen, after_first);

  for (int turns = 0; turns < 100 && store.MinuteCount().value() > kPaths; ++turns) {
    io.run_one_for(std::chrono::seconds(1));
  }
  EXPECT_EQ(store.MinuteCount().value(), kPaths);
  EXPECT_EQ(store.BatchCount().value(), 1u);
  EXPECT_EQ(store.AllPathsSince(ExampleTime())->front().minute, ExampleTime() + minutes(6));
  pruner.Stop();  // the next prune, an hour away, is cancelled
  io.run();
}

}  // namespace
}  // namespace linkmon::collector
