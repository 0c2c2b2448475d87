#pragma once
// The project database's schema and its migrations. user_version holds the schema version;
// migration N takes a version N-1 database to N. Version 1 is the first.

#include <sqlite3.h>

#include "meridian/core/Result.hpp"

namespace meridian::project::schema {

constexpr int kCurrentVersion = 3;
// PRAGMA application_id: 'MRDN', so a stranger's SQLite file is not taken for a project.
constexpr int kApplicationId = 0x4D52444E;

/// Brings a database at `fromVersion` (0 = empty) to kCurrentVersion inside the caller's
/// transaction (sets user_version and application_id).
core::Status migrate(sqlite3* db, int fromVersion);

}  // namespace meridian::project::schema
