#pragma once
// A thin RAII layer over the SQLite C API (private to meridian_project): a connection, a
// prepared statement with typed binds and reads, and SQLite's result codes turned into
// core::Error with a message a user can act on.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>

#include "meridian/core/Result.hpp"

namespace meridian::project::sql {

/// The error for a failed SQLite call: a read-only or full disk, a lock, corruption.
core::Error errorFrom(sqlite3* db, int code, const std::string& doing);

class Statement {
 public:
  Statement(sqlite3* db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool prepared() const { return stmt_ != nullptr; }
  int prepareCode() const { return prepareCode_; }

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, const std::string& value);
  Statement& bind(int index, const char* value) { return bind(index, std::string(value)); }
  Statement& bindNull(int index);
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bindNull(index);
  }

  /// SQLITE_ROW, SQLITE_DONE or an error code.
  int step();
  void reset();

  std::int64_t integer(int column) const;
  std::string text(int column) const;
  bool isNull(int column) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int prepareCode_ = SQLITE_OK;
};

}  // namespace meridian::project::sql
