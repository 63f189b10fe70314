#include "common/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include <utility>

namespace linkmon::sqlite {

namespace {

// "sqlite: <step>: <sqlite message>", with the SQL shortened so that a log line stays a line.
Error SqlError(sqlite3* db, std::string_view step, int code) {
  std::string what = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  std::string shown(step.substr(0, 120));
  for (char& c : shown) {
    if (c == '\n') c = ' ';
  }
  const int primary = code & 0xff;
  const ErrorCode error_code =
      primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB  ? ErrorCode::kCorrupt
      : primary == SQLITE_PERM || primary == SQLITE_READONLY ? ErrorCode::kPermission
      : primary == SQLITE_BUSY || primary == SQLITE_LOCKED   ? ErrorCode::kUnavailable
                                                             : ErrorCode::kIo;
  return Error{error_code, "sqlite: " + shown + ": " + what};
}

}  // namespace

Result<Database> Database::Open(const OpenOptions& options) {
  sqlite3* raw = nullptr;
  const std::string path = options.path.string();
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db(raw);  // closes `raw` on every return below
  if (rc != SQLITE_OK) {
    return tl::unexpected(SqlError(raw, "open " + path, rc));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  const char* synchronous = options.durability == Durability::kFull ? "PRAGMA synchronous=FULL;"
                                                                    : "PRAGMA synchronous=NORMAL;";
  if (path != ":memory:") {
    auto wal = db.Prepare("PRAGMA journal_mode=WAL;");
    if (!wal) return tl::unexpected(wal.error());
    auto mode = wal->Step();
    if (!mode) return tl::unexpected(mode.error());
    if (!*mode || wal->ColumnText(0) != "wal") {
      return MakeError(ErrorCode::kIo, "sqlite: " + path + ": cannot switch to WAL journal mode");
    }
  }
  if (auto status = db.Execute(std::string(synchronous) + "PRAGMA foreign_keys=ON;"); !status) {
    return tl::unexpected(status.error());
  }
  return db;
}

Database::Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Database::~Database() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status Database::Execute(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) return tl::unexpected(SqlError(db_, sql, rc));
  return {};
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return tl::unexpected(SqlError(db_, sql, rc));
  }
  return Statement(raw, std::string(sql));
}

Status Database::Begin() { return Execute("BEGIN IMMEDIATE"); }
Status Database::Commit() { return Execute("COMMIT"); }

void Database::Rollback() {
  if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

std::int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
std::int64_t Database::Changes() const { return sqlite3_changes64(db_); }

namespace {

// An open BLOB handle (read-only), closed on every path.
class BlobHandle {
 public:
  static Result<BlobHandle> Open(sqlite3* db, const char* table, const char* column,
                                 std::int64_t rowid, const std::string& step) {
    sqlite3_blob* blob = nullptr;
    const int rc = sqlite3_blob_open(db, "main", table, column, rowid, /*flags=*/0, &blob);
    BlobHandle handle(blob);  // SQLite may hand one back even on failure
    if (rc != SQLITE_OK) return tl::unexpected(SqlError(db, step, rc));  // "no such rowid: N"
    return handle;
  }
  BlobHandle(BlobHandle&& other) noexcept : blob_(std::exchange(other.blob_, nullptr)) {}
  BlobHandle& operator=(BlobHandle&&) = delete;
  ~BlobHandle() { sqlite3_blob_close(blob_); }  // a no-op on nullptr

  sqlite3_blob* get() const { return blob_; }

 private:
  explicit BlobHandle(sqlite3_blob* blob) : blob_(blob) {}
  sqlite3_blob* blob_;
};

}  // namespace

Result<std::vector<std::uint8_t>> Database::ReadBlob(const char* table, const char* column,
                                                     std::int64_t rowid) {
  const std::string step = std::string("read blob ") + table + "." + column;
  auto blob = BlobHandle::Open(db_, table, column, rowid, step);
  if (!blob) return tl::unexpected(blob.error());
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(sqlite3_blob_bytes(blob->get())));
  const int rc = sqlite3_blob_read(blob->get(), bytes.data(), static_cast<int>(bytes.size()), 0);
  if (rc != SQLITE_OK) return tl::unexpected(SqlError(db_, step, rc));
  return bytes;
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      sql_(std::move(other.sql_)),
      bind_error_(other.bind_error_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    sql_ = std::move(other.sql_);
    bind_error_ = other.bind_error_;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

namespace {
void KeepFirst(int& first, int rc) {
  if (first == SQLITE_OK && rc != SQLITE_OK) first = rc;
}

// A zero-length blob with a null pointer would bind NULL; keep it an empty blob.
const std::uint8_t* BlobData(std::span<const std::uint8_t> blob) {
  static constexpr std::uint8_t kEmpty = 0;
  return blob.empty() ? &kEmpty : blob.data();
}
}  // namespace

Statement& Statement::Bind(int index, std::int64_t value) {
  KeepFirst(bind_error_, sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  KeepFirst(bind_error_, sqlite3_bind_double(stmt_, index, value));
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  KeepFirst(bind_error_, sqlite3_bind_text64(stmt_, index, text.data(), text.size(),
                                             SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::BindBlob(int index, std::span<const std::uint8_t> blob) {
  KeepFirst(bind_error_,
            sqlite3_bind_blob64(stmt_, index, BlobData(blob), blob.size(), SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::BindBlobUncopied(int index, std::span<const std::uint8_t> blob) {
  KeepFirst(bind_error_,
            sqlite3_bind_blob64(stmt_, index, BlobData(blob), blob.size(), SQLITE_STATIC));
  return *this;
}

Statement& Statement::BindNull(int index) {
  KeepFirst(bind_error_, sqlite3_bind_null(stmt_, index));
  return *this;
}

Result<bool> Statement::Step() {
  sqlite3* db = sqlite3_db_handle(stmt_);
  if (bind_error_ != SQLITE_OK) {
    return MakeError(ErrorCode::kInvalidArgument, "sqlite: bind for " + sql_.substr(0, 120) + ": " +
                                                      sqlite3_errstr(bind_error_));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return tl::unexpected(SqlError(db, sql_, rc));
}

Status Statement::Run() {
  auto stepped = Step();
  if (!stepped) return tl::unexpected(stepped.error());
  return {};
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = SQLITE_OK;
}

std::int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::ColumnDouble(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  return text == nullptr
             ? std::string()
             : std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::span<const std::uint8_t> Statement::ColumnBlob(int column) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr) return {};
  return {data, static_cast<std::size_t>(size)};
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

}  // namespace linkmon::sqlite
