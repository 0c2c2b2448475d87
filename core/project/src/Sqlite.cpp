#include "Sqlite.hpp"

namespace meridian::project::sql {

core::Error errorFrom(sqlite3* db, int code, const std::string& doing) {
  const std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  switch (code & 0xff) {
    case SQLITE_READONLY:
      return core::makeError(core::ErrorCode::Io, "cannot save while " + doing +
                                                      ": the project is read-only (read-only disk or folder, or opened "
                                                      "read-only); everything saved before is kept");
    case SQLITE_FULL:
      return core::makeError(core::ErrorCode::Io, "cannot save while " + doing +
                                                      ": the disk holding the project is full; this edit was not saved, "
                                                      "everything saved before is kept");
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return core::makeError(core::ErrorCode::Io, "the disk refused while " + doing + " (" + detail +
                                                      "); everything saved before is kept");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return core::makeError(core::ErrorCode::Io, "the project is busy (another program holds its database) while " +
                                                      doing + "; try again");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return core::makeError(core::ErrorCode::Corrupt, "the project database is damaged or not a database (" + detail +
                                                           ") while " + doing);
    case SQLITE_CONSTRAINT:
      return core::makeError(core::ErrorCode::InvalidArgument, doing + ": " + detail);
    default:
      return core::makeError(core::ErrorCode::Internal, "SQLite failed while " + doing + ": " + detail);
  }
}

Statement::Statement(sqlite3* db, const char* sql) {
  prepareCode_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  if (prepareCode_ != SQLITE_OK) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::int64_t value) {
  if (stmt_) sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, const std::string& value) {
  if (stmt_) sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bindNull(int index) {
  if (stmt_) sqlite3_bind_null(stmt_, index);
  return *this;
}

int Statement::step() { return stmt_ ? sqlite3_step(stmt_) : prepareCode_; }

void Statement::reset() {
  if (stmt_) sqlite3_reset(stmt_);
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}

bool Statement::isNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

}  // namespace meridian::project::sql
