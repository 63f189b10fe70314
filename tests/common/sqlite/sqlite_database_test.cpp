#include "common/sqlite/sqlite_database.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

namespace linkmon::sqlite {
namespace {

class SqliteDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::path(::testing::TempDir()) /
        ("sqlite-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Database OpenOrDie(Durability durability = Durability::kFull) {
    auto db = Database::Open({.path = dir_ / "test.db", .durability = durability});
    EXPECT_TRUE(db) << db.error().message;
    return std::move(*db);
  }

  static std::int64_t QueryInt(Database& db, std::string_view sql) {
    auto statement = db.Prepare(sql);
    EXPECT_TRUE(statement) << statement.error().message;
    auto row = statement->Step();
    EXPECT_TRUE(row && *row);
    return statement->ColumnInt(0);
  }

  std::filesystem::path dir_;
};

TEST_F(SqliteDatabaseTest, OpensInWalModeWithTheRequestedDurability) {
  Database full = OpenOrDie(Durability::kFull);
  EXPECT_EQ(QueryInt(full, "PRAGMA synchronous"), 2);  // FULL
  auto mode = full.Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode && *mode->Step());
  EXPECT_EQ(mode->ColumnText(0), "wal");

  auto normal = Database::Open({.path = dir_ / "normal.db", .durability = Durability::kNormal});
  ASSERT_TRUE(normal);
  EXPECT_EQ(QueryInt(*normal, "PRAGMA synchronous"), 1);  // NORMAL
}

TEST_F(SqliteDatabaseTest, BindsAndReadsEveryType) {
  Database db = OpenOrDie();
  ASSERT_TRUE(db.Execute("CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB, n INTEGER)"));
  auto insert = db.Prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)");
  ASSERT_TRUE(insert);
  const std::uint8_t blob[] = {0, 1, 2, 255};
  insert->Bind(1, std::int64_t{-42}).Bind(2, 0.25).Bind(3, std::string_view("xining\0x", 8));
  insert->BindBlob(4, blob).BindNull(5);
  ASSERT_TRUE(insert->Run());
  EXPECT_EQ(db.Changes(), 1);

  auto select = db.Prepare("SELECT i, d, s, b, n FROM t");
  ASSERT_TRUE(select);
  auto row = select->Step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(select->ColumnInt(0), -42);
  EXPECT_EQ(select->ColumnDouble(1), 0.25);
  EXPECT_EQ(select->ColumnText(2), std::string("xining\0x", 8));
  auto read_blob = select->ColumnBlob(3);
  EXPECT_EQ(std::vector<std::uint8_t>(read_blob.begin(), read_blob.end()),
            std::vector<std::uint8_t>(std::begin(blob), std::end(blob)));
  EXPECT_TRUE(select->ColumnIsNull(4));
  auto done = select->Step();
  ASSERT_TRUE(done);
  EXPECT_FALSE(*done);
}

TEST_F(SqliteDatabaseTest, EmptyBlobStaysABlob) {
  Database db = OpenOrDie();
  ASSERT_TRUE(db.Execute("CREATE TABLE t (b BLOB)"));
  auto insert = db.Prepare("INSERT INTO t VALUES (?)");
  ASSERT_TRUE(insert);
  ASSERT_TRUE(insert->BindBlob(1, {}).Run());
  insert->Reset();
  ASSERT_TRUE(insert->BindBlobUncopied(1, {}).Run());
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM t WHERE typeof(b) = 'blob'"), 2);
}

TEST_F(SqliteDatabaseTest, AnUncopiedBlobIsStoredAsItWasWhenRun) {
  Database db = OpenOrDie();
  ASSERT_TRUE(db.Execute("CREATE TABLE t (b BLOB)"));
  auto insert = db.Prepare("INSERT INTO t VALUES (?)");
  ASSERT_TRUE(insert);
  std::vector<std::uint8_t> bytes(100'000);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 7);
  ASSERT_TRUE(insert->BindBlobUncopied(1, bytes).Run());
  const std::vector<std::uint8_t> stored = bytes;
  std::fill(bytes.begin(), bytes.end(), 0);  // the row holds its own copy once written
  auto select = db.Prepare("SELECT b FROM t");
  ASSERT_TRUE(select);
  auto row = select->Step();
  ASSERT_TRUE(row && *row);
  auto read = select->ColumnBlob(0);
  EXPECT_EQ(std::vector<std::uint8_t>(read.begin(), read.end()), stored);
}

TEST_F(SqliteDatabaseTest, ReadsABlobByRowIdOrSaysThereIsNone) {
  Database db = OpenOrDie();
  ASSERT_TRUE(db.Execute("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)"));
  auto insert = db.Prepare("INSERT INTO t VALUES (?, ?)");
  ASSERT_TRUE(insert);
  std::vector<std::uint8_t> bytes(300'000);  // many pages: overflow pages are followed
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 13);
  ASSERT_TRUE(insert->Bind(1, std::int64_t{7}).BindBlob(2, bytes).Run());
  insert->Reset();
  ASSERT_TRUE(insert->Bind(1, std::int64_t{8}).BindBlob(2, {}).Run());

  auto read = db.ReadBlob("t", "b", 7);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, bytes);
  auto empty = db.ReadBlob("t", "b", 8);
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_TRUE(empty->empty());
  auto missing = db.ReadBlob("t", "b", 9);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no such rowid: 9"), std::string::npos)
      << missing.error().message;
}

TEST_F(SqliteDatabaseTest, RolledBackTransactionLeavesNoTrace) {
  Database db = OpenOrDie();
  ASSERT_TRUE(db.Execute("CREATE TABLE t (i INTEGER)"));
  ASSERT_TRUE(db.Begin());
  ASSERT_TRUE(db.Execute("INSERT INTO t VALUES (1)"));
  db.Rollback();
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM t"), 0);
  ASSERT_TRUE(db.Begin());
  ASSERT_TRUE(db.Execute("INSERT INTO t VALUES (1)"));
  ASSERT_TRUE(db.Commit());
  db.Rollback();  // nothing open: harmless
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM t"), 1);
}

TEST_F(SqliteDatabaseTest, CommittedRowsSurviveReopening) {
  {
    Database db = OpenOrDie();
    ASSERT_TRUE(db.Execute("CREATE TABLE t (i INTEGER); INSERT INTO t VALUES (7);"));
  }
  Database reopened = OpenOrDie();
  EXPECT_EQ(QueryInt(reopened, "SELECT i FROM t"), 7);
}

TEST_F(SqliteDatabaseTest, ErrorsNameTheStatementAndTheCause) {
  Database db = OpenOrDie();
  auto bad = db.Prepare("SELEKT 1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "sqlite: SELEKT 1: near \"SELEKT\": syntax error");

  auto statement = db.Prepare("SELECT ?");
  ASSERT_TRUE(statement);
  statement->Bind(2, std::int64_t{1});  // no parameter 2
  auto step = statement->Step();
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(step.error().message, "sqlite: bind for SELECT ?: column index out of range");

  ASSERT_TRUE(db.Execute("CREATE TABLE u (i INTEGER UNIQUE); INSERT INTO u VALUES (1);"));
  auto duplicate = db.Execute("INSERT INTO u VALUES (1)");
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().message,
            "sqlite: INSERT INTO u VALUES (1): UNIQUE constraint failed: u.i");
}

TEST_F(SqliteDatabaseTest, RefusesAFileThatIsNotADatabase) {
  std::ofstream(dir_ / "test.db") << std::string(8192, 'x');
  auto db = Database::Open({.path = dir_ / "test.db"});
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(db.error().message.find("file is not a database"), std::string::npos)
      << db.error().message;
}

TEST_F(SqliteDatabaseTest, ReportsADirectoryThatDoesNotExist) {
  auto db = Database::Open({.path = dir_ / "missing" / "test.db"});
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kIo);
  EXPECT_NE(db.error().message.find("unable to open database file"), std::string::npos)
      << db.error().message;
}

}  // namespace
}  // namespace linkmon::sqlite
