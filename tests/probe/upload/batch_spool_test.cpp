#include "probe/upload/batch_spool.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace linkmon::upload {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> Bytes(const std::string& text) { return {text.begin(), text.end()}; }
std::string Text(const std::vector<std::uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

class BatchSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("linkmon-spool-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  SpoolOptions Options(std::uint64_t max_bytes = 1 << 20) const {
    return {.path = dir_ / "spool.db", .max_bytes = max_bytes};
  }

  static std::vector<std::string> PendingTexts(BatchSpool& spool) {
    auto pending = spool.Pending(1000);
    EXPECT_TRUE(pending) << pending.error().message;
    std::vector<std::string> texts;
    if (pending) {
      for (const auto& batch : *pending) texts.push_back(Text(batch.bytes));
    }
    return texts;
  }

  fs::path dir_;
};

TEST_F(BatchSpoolTest, OldestFirstAndRemoveAcknowledged) {
  auto spool = BatchSpool::Open(Options());
  ASSERT_TRUE(spool) << spool.error().message;
  for (std::uint64_t seq = 1; seq <= 3; ++seq) {
    auto appended = spool->Append(seq, Bytes("batch-" + std::to_string(seq)));
    ASSERT_TRUE(appended) << appended.error().message;
    EXPECT_EQ(appended->dropped_batches, 0u);
  }
  EXPECT_EQ(spool->stats().pending_batches, 3u);
  EXPECT_EQ(spool->stats().pending_bytes, 3u * 7u);

  auto oldest = spool->Oldest();
  ASSERT_TRUE(oldest && *oldest);
  EXPECT_EQ((*oldest)->sequence, 1u);
  EXPECT_EQ(Text((*oldest)->bytes), "batch-1");
  ASSERT_TRUE(spool->Acknowledge((*oldest)->id));
  ASSERT_TRUE(spool->Acknowledge((*oldest)->id)) << "acknowledging twice is not an error";

  EXPECT_EQ(PendingTexts(*spool), (std::vector<std::string>{"batch-2", "batch-3"}));
  EXPECT_EQ(spool->stats().pending_batches, 2u);
  EXPECT_EQ(spool->stats().pending_bytes, 14u);
}

TEST_F(BatchSpoolTest, ReopenKeepsPendingBatchesAndLastSequence) {
  {
    auto spool = BatchSpool::Open(Options());
    ASSERT_TRUE(spool) << spool.error().message;
    EXPECT_FALSE(spool->last_sequence());
    ASSERT_TRUE(spool->Append(41, Bytes("a")));
    ASSERT_TRUE(spool->Append(42, Bytes("b")));
    auto oldest = spool->Oldest();
    ASSERT_TRUE(oldest && *oldest);
    ASSERT_TRUE(spool->Acknowledge((*oldest)->id));
    ASSERT_TRUE(spool->Append(43, Bytes("c")));
  }
  auto spool = BatchSpool::Open(Options());
  ASSERT_TRUE(spool) << spool.error().message;
  EXPECT_EQ(spool->last_sequence(), 43u);
  EXPECT_EQ(spool->stats().pending_batches, 2u);
  EXPECT_EQ(spool->stats().pending_bytes, 2u);
  EXPECT_EQ(PendingTexts(*spool), (std::vector<std::string>{"b", "c"}));
}

TEST_F(BatchSpoolTest, OrderIsAppendOrderEvenWhenSequencesRestart) {
  // A restarted probe with a new start epoch may number from 1 again; the old batches go first.
  auto spool = BatchSpool::Open(Options());
  ASSERT_TRUE(spool);
  ASSERT_TRUE(spool->Append(100, Bytes("old-100")));
  ASSERT_TRUE(spool->Append(1, Bytes("new-1")));
  EXPECT_EQ(PendingTexts(*spool), (std::vector<std::string>{"old-100", "new-1"}));
}

TEST_F(BatchSpoolTest, ByteBoundDropsOldestAndCountsThem) {
  auto spool = BatchSpool::Open(Options(/*max_bytes=*/100));
  ASSERT_TRUE(spool);
  const std::string forty(40, 'x');
  ASSERT_TRUE(spool->Append(1, Bytes("1" + forty)));
  ASSERT_TRUE(spool->Append(2, Bytes("2" + forty)));
  auto third = spool->Append(3, Bytes("3" + forty));
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_EQ(third->dropped_batches, 1u);
  EXPECT_EQ(third->dropped_bytes, 41u);
  EXPECT_EQ(spool->stats().dropped_batches_total, 1u);
  EXPECT_EQ(spool->stats().pending_bytes, 82u);
  EXPECT_EQ(PendingTexts(*spool), (std::vector<std::string>{"2" + forty, "3" + forty}));

  // One batch larger than the whole bound is refused, and nothing is dropped for it.
  auto huge = spool->Append(4, std::vector<std::uint8_t>(101, 0));
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, ErrorCode::kOutOfRange);
  EXPECT_EQ(spool->stats().pending_batches, 2u);
}

TEST_F(BatchSpoolTest, CorruptBlobIsSkippedRemovedAndCounted) {
  {
    auto spool = BatchSpool::Open(Options());
    ASSERT_TRUE(spool);
    ASSERT_TRUE(spool->Append(1, Bytes("first")));
    ASSERT_TRUE(spool->Append(2, Bytes("second")));
    ASSERT_TRUE(spool->Append(3, Bytes("third")));
  }
  {
    // Damage that SQLite cannot see: a page whose content changed but is well-formed.
    auto db = sqlite::Database::Open({.path = dir_ / "spool.db"});
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->Execute("UPDATE batches SET body = X'7365636f6e44' WHERE sequence = 2"));
    ASSERT_TRUE(db->Execute("UPDATE batches SET size = 99 WHERE sequence = 1"));
  }
  auto spool = BatchSpool::Open(Options());
  ASSERT_TRUE(spool) << spool.error().message;
  auto oldest = spool->Oldest();
  ASSERT_TRUE(oldest) << oldest.error().message;
  ASSERT_TRUE(*oldest);
  EXPECT_EQ((*oldest)->sequence, 3u);
  EXPECT_EQ(spool->stats().corrupt_batches_total, 2u);
  EXPECT_EQ(spool->stats().pending_batches, 1u);
  EXPECT_EQ(PendingTexts(*spool), (std::vector<std::string>{"third"}));
}

TEST_F(BatchSpoolTest, RejectMovesBatchAsideAndKeepsTheNewest) {
  SpoolOptions options = Options();
  options.max_rejected_batches = 2;
  auto spool = BatchSpool::Open(options);
  ASSERT_TRUE(spool);
  for (std::uint64_t seq = 1; seq <= 4; ++seq) {
    ASSERT_TRUE(spool->Append(seq, Bytes("b" + std::to_string(seq))));
  }
  for (int i = 0; i < 3; ++i) {
    auto oldest = spool->Oldest();
    ASSERT_TRUE(oldest && *oldest);
    ASSERT_TRUE(spool->Reject((*oldest)->id, 403));
  }
  EXPECT_EQ(spool->stats().rejected_batches, 2u);
  EXPECT_EQ(PendingTexts(*spool), (std::vector<std::string>{"b4"}));

  auto db = sqlite::Database::Open({.path = dir_ / "spool.db"});
  ASSERT_TRUE(db);
  auto rows = db->Prepare("SELECT sequence, http_status FROM rejected ORDER BY id");
  ASSERT_TRUE(rows);
  std::vector<std::pair<std::int64_t, std::int64_t>> rejected;
  while (*rows->Step()) rejected.emplace_back(rows->ColumnInt(0), rows->ColumnInt(1));
  EXPECT_EQ(rejected, (std::vector<std::pair<std::int64_t, std::int64_t>>{{2, 403}, {3, 403}}));
}

// A crash in the middle of a commit leaves a WAL whose last frame is cut short. SQLite's frame
// checksums must discard that transaction on reopen; everything committed before it stays.
TEST_F(BatchSpoolTest, TornLastWalWriteIsDiscardedOnReopen) {
  const fs::path copy = dir_ / "copy";
  fs::create_directories(copy);
  {
    auto spool = BatchSpool::Open(Options());
    ASSERT_TRUE(spool);
    for (std::uint64_t seq = 1; seq <= 5; ++seq) {
      ASSERT_TRUE(spool->Append(seq, Bytes("batch-" + std::to_string(seq))));
    }
    // While the spool is open, its WAL holds the five commits (no checkpoint yet): copy both
    // files as a crash would leave them, then cut the last frame short.
    fs::copy_file(dir_ / "spool.db", copy / "spool.db");
    fs::copy_file(dir_ / "spool.db-wal", copy / "spool.db-wal");
  }
  const auto wal_size = fs::file_size(copy / "spool.db-wal");
  ASSERT_GT(wal_size, 4096u);
  fs::resize_file(copy / "spool.db-wal", wal_size - 100);

  auto spool = BatchSpool::Open({.path = copy / "spool.db", .max_bytes = 1 << 20});
  ASSERT_TRUE(spool) << spool.error().message;
  EXPECT_EQ(PendingTexts(*spool),
            (std::vector<std::string>{"batch-1", "batch-2", "batch-3", "batch-4"}));
  EXPECT_EQ(spool->last_sequence(), 4u);
  // And it goes on working.
  ASSERT_TRUE(spool->Append(6, Bytes("batch-6")));
  EXPECT_EQ(spool->stats().pending_batches, 5u);
}

TEST_F(BatchSpoolTest, GarbageFileIsAnErrorNotACrash) {
  std::ofstream(dir_ / "spool.db") << std::string(8192, 'z');
  auto spool = BatchSpool::Open(Options());
  ASSERT_FALSE(spool);
  EXPECT_EQ(spool.error().code, ErrorCode::kCorrupt) << spool.error().message;
}

}  // namespace
}  // namespace linkmon::upload
