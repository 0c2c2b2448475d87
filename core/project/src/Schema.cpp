#include "Schema.hpp"

#include <string>

#include "Sqlite.hpp"

namespace meridian::project::schema {
namespace {

// Version 1. The event log is chained through previous_hash/hash (each line's hash covers the
// previous one's; AuditChain.hpp); seq is AUTOINCREMENT so sqlite_sequence remembers the
// highest ever written, which shows events removed from the end.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE cases(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  path TEXT NOT NULL,
  series_uid TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  format TEXT NOT NULL DEFAULT '',
  sha256 TEXT NOT NULL,
  byte_size INTEGER NOT NULL DEFAULT 0,
  patient_id TEXT NOT NULL DEFAULT '',
  patient_name TEXT NOT NULL DEFAULT '',
  study_uid TEXT NOT NULL DEFAULT '',
  study_date TEXT NOT NULL DEFAULT '',
  study_description TEXT NOT NULL DEFAULT '',
  series_description TEXT NOT NULL DEFAULT '',
  modality TEXT NOT NULL DEFAULT '',
  series_number INTEGER NOT NULL DEFAULT 0,
  added_utc TEXT NOT NULL,
  UNIQUE(path, series_uid));
CREATE TABLE case_files(
  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  byte_size INTEGER NOT NULL,
  PRIMARY KEY(case_id, path));
CREATE TABLE label_classes(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  red INTEGER NOT NULL, green INTEGER NOT NULL, blue INTEGER NOT NULL);
CREATE TABLE case_labels(
  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  class_id INTEGER NOT NULL REFERENCES label_classes(id),
  added_utc TEXT NOT NULL,
  PRIMARY KEY(case_id, class_id));
CREATE TABLE annotations(
  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  uid TEXT NOT NULL,
  shape TEXT NOT NULL,
  points_json TEXT NOT NULL,
  class_name TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  plane TEXT NOT NULL DEFAULT '',
  slice INTEGER NOT NULL DEFAULT -1,
  updated_utc TEXT NOT NULL,
  PRIMARY KEY(case_id, uid));
CREATE TABLE model_runs(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task TEXT NOT NULL,
  model_name TEXT NOT NULL DEFAULT '',
  weights_sha256 TEXT NOT NULL DEFAULT '',
  parameters_json TEXT NOT NULL DEFAULT '{}',
  started_utc TEXT NOT NULL,
  finished_utc TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL);
CREATE TABLE predictions(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  run_id INTEGER REFERENCES model_runs(id),
  weights_sha256 TEXT NOT NULL DEFAULT '',
  outputs_json TEXT NOT NULL DEFAULT '{}',
  map_file TEXT NOT NULL DEFAULT '',
  created_utc TEXT NOT NULL);
CREATE TABLE reviews(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  prediction_id INTEGER REFERENCES predictions(id) ON DELETE SET NULL,
  reviewer TEXT NOT NULL,
  decided_utc TEXT NOT NULL,
  decision TEXT NOT NULL,
  correction TEXT NOT NULL DEFAULT '');
CREATE TABLE events(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  utc TEXT NOT NULL,
  actor TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  case_id INTEGER,
  payload_json TEXT NOT NULL DEFAULT '{}',
  previous_hash TEXT NOT NULL DEFAULT '',
  hash TEXT NOT NULL DEFAULT '');
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE INDEX predictions_by_case ON predictions(case_id);
CREATE INDEX reviews_by_case ON reviews(case_id);
CREATE INDEX events_by_case ON events(case_id);
)sql";

// Version 2. A DICOM series that joined with a hole (a gap in its slice positions, members
// that cannot be read) keeps that mark: JSON written by the import (ProjectImport.hpp,
// Incompleteness); '' for a complete case and for every case added before version 2.
constexpr const char* kVersion2 = R"sql(
ALTER TABLE cases ADD COLUMN incomplete_json TEXT NOT NULL DEFAULT '';
)sql";

// Version 3. Shapes drawn on a volume's axial, coronal or sagittal plane keep their points in
// patient space: points_space 'lps' says points_json holds [x, y, z] in mm (LPS), with the
// plane and voxel slice beside them. 'pixel' (every row written before version 3) is image
// pixels [x, y] (level-0 pixels for slides; the plane's pixels for an older plane shape).
constexpr const char* kVersion3 = R"sql(
ALTER TABLE annotations ADD COLUMN points_space TEXT NOT NULL DEFAULT 'pixel';
)sql";

// migrations[i] takes version i to i+1.
constexpr const char* kMigrations[] = {kVersion1, kVersion2, kVersion3};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kCurrentVersion);

}  // namespace

core::Status migrate(sqlite3* db, int fromVersion) {
  for (int v = fromVersion; v < kCurrentVersion; ++v) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db, kMigrations[v], nullptr, nullptr, &message);
    sqlite3_free(message);
    if (rc != SQLITE_OK) return sql::errorFrom(db, rc, "upgrading the project to schema " + std::to_string(v + 1));
  }
  const std::string pragmas = "PRAGMA application_id = " + std::to_string(kApplicationId) +
                              "; PRAGMA user_version = " + std::to_string(kCurrentVersion) + ";";
  const int rc = sqlite3_exec(db, pragmas.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sql::errorFrom(db, rc, "recording the schema version");
  return core::Ok{};
}

}  // namespace meridian::project::schema
