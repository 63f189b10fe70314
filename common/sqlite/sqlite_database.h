#pragma once

// A thin RAII layer over SQLite (Debian's libsqlite3), shared by the probe's spool and the
// collector's store: open with the durability the caller promises, prepared statements with typed
// binds, transactions that roll back unless committed, and errors as Result values naming the SQL
// step that failed. Nothing here knows about batches or paths.
//
// Durability (DESIGN.md "Known traps"): in WAL mode, synchronous=NORMAL may lose the last commits
// on power loss (never on a process crash); synchronous=FULL fsyncs the WAL at every commit, so a
// commit that returned is on disk. An acknowledgement that promises durability needs kFull.
//
// Thread-safety: a database and its statements belong to one thread at a time.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace linkmon::sqlite {

enum class Durability {
  kFull,    // synchronous=FULL: a returned commit survives power loss
  kNormal,  // synchronous=NORMAL: survives a process crash; the last commits may go on power loss
};

struct OpenOptions {
  std::filesystem::path path;  // ":memory:" for a private in-memory database
  Durability durability = Durability::kFull;
  int busy_timeout_ms = 5000;
};

class Statement;

class Database {
 public:
  // Opens (creating if needed) in WAL mode with the requested durability and foreign keys on.
  static Result<Database> Open(const OpenOptions& options);

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  ~Database();

  // Runs one or more statements without parameters (schema, pragmas).
  Status Execute(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);

  // BEGIN IMMEDIATE ... COMMIT. IMMEDIATE takes the write lock up front, so a transaction never
  // fails half-way on a lock another connection holds.
  Status Begin();
  Status Commit();
  // Best effort; used on error paths, where the first error is the one worth reporting.
  void Rollback();

  // The BLOB in `column` of row `rowid` of `table`, read straight into the vector returned
  // (sqlite3_blob_read): a SELECT of the column would hold it twice, in SQLite's buffer and then
  // the caller's (a probe's spooled batch is ~400 KB). An error when there is no such row.
  Result<std::vector<std::uint8_t>> ReadBlob(const char* table, const char* column,
                                             std::int64_t rowid);

  std::int64_t LastInsertRowId() const;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t Changes() const;

  sqlite3* handle() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// A prepared statement. Bind parameters by 1-based index, Step() through the rows, read columns by
// 0-based index. Reset() to run it again with new binds.
class Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  ~Statement();

  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindBlob(int index, std::span<const std::uint8_t> blob);
  // The same without SQLite's copy of the bytes (SQLITE_STATIC), for large blobs: they must stay
  // alive and unchanged until the statement is finalized or the parameter bound anew (Reset
  // keeps the binding).
  Statement& BindBlobUncopied(int index, std::span<const std::uint8_t> blob);
  Statement& BindNull(int index);

  // True when a row is available, false when done; an error otherwise. Bind errors (an index out
  // of range) surface here, so a chain of Binds needs one check.
  Result<bool> Step();
  // Steps a statement that returns no rows.
  Status Run();
  void Reset();

  std::int64_t ColumnInt(int column) const;
  double ColumnDouble(int column) const;
  std::string ColumnText(int column) const;
  std::span<const std::uint8_t> ColumnBlob(int column) const;  // valid until the next Step/Reset
  bool ColumnIsNull(int column) const;

 private:
  friend class Database;
  Statement(sqlite3_stmt* statement, std::string sql) : stmt_(statement), sql_(std::move(sql)) {}
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
  int bind_error_ = 0;  // first bind failure, reported by Step()
};

}  // namespace linkmon::sqlite
