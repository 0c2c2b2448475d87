#pragma once
// The private state shared by the ProjectStore source files (one file per part of the store:
// ProjectStore.cpp opens the folder and holds the listeners; ProjectStoreCases, ...Labels,
// ...Annotations, ...Predictions, ...Reviews and ProjectEventLog each own one group of tables).
// Not installed; include only from core/project/src.

#include <sqlite3.h>

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ProjectLock.hpp"
#include "Sqlite.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::project {

struct ProjectStore::Impl {
  std::filesystem::path folder;
  sqlite3* db = nullptr;
  bool readOnly = false;
  ProjectLock lock;
  mutable std::mutex mutex;
  std::string actor;

  std::mutex listenersMutex;
  std::vector<std::pair<int, std::shared_ptr<ChangeListener>>> listeners;
  int nextListener = 1;

  ~Impl() {
    if (db) sqlite3_close_v2(db);
  }

  core::Error fail(int code, const std::string& doing) const { return sql::errorFrom(db, code, doing); }

  core::Status exec(const char* text, const std::string& doing) {
    const int rc = sqlite3_exec(db, text, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return fail(rc, doing);
    return core::Ok{};
  }

  core::Status requireWritable(const std::string& doing) const {
    if (!readOnly) return core::Ok{};
    return core::makeError(core::ErrorCode::Io, "cannot save while " + doing + ": the project " + folder.string() +
                                                    " is open read-only (another window or program has it open for "
                                                    "writing, or its disk is read-only)");
  }

  /// Runs `body` between BEGIN IMMEDIATE and COMMIT; any failure rolls everything back.
  template <class Body>
  core::Status transaction(const std::string& doing, Body&& body) {
    if (auto w = requireWritable(doing); !w) return w;
    if (auto s = exec("BEGIN IMMEDIATE", doing); !s) return s;
    core::Status result = body();
    if (result) {
      const int rc = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
      if (rc == SQLITE_OK) return core::Ok{};
      result = fail(rc, doing);
    }
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);  // may fail when SQLite already rolled back
    return result;
  }

  /// Appends one line to the event log inside the caller's transaction (ProjectEventLog.cpp).
  core::Status appendEvent(const std::string& kind, std::optional<CaseId> caseId, const nlohmann::json& payload);

  core::Status requireCase(CaseId id) const {
    sql::Statement st(db, "SELECT 1 FROM cases WHERE id = ?");
    st.bind(1, id);
    const int rc = st.step();
    if (rc == SQLITE_ROW) return core::Ok{};
    if (rc == SQLITE_DONE) return core::makeError(core::ErrorCode::NotFound, "the project has no case " + std::to_string(id));
    return fail(rc, "reading case " + std::to_string(id));
  }

  /// The class named `name`, created if new, inside the caller's transaction
  /// (ProjectStoreLabels.cpp).
  core::Result<ClassId> ensureClassLocked(const std::string& name);

  /// Every row `st` yields, each made by `read(st)`, in order; a failed step gives the error
  /// for `doing`. The one loop behind every list the store hands out.
  template <class Read>
  auto readRows(sql::Statement& st, Read read, const std::string& doing) const
      -> core::Result<std::vector<decltype(read(st))>> {
    std::vector<decltype(read(st))> out;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) out.push_back(read(st));
    if (rc != SQLITE_DONE) return fail(rc, doing);
    return out;
  }

  /// The rows of one case that `sqlText` selects (its one parameter is the case id), each
  /// made by `read(statement)`, in the statement's order: predictions, review decisions and
  /// annotations are read this way. Takes the store's lock.
  template <class Read>
  auto readCaseRows(CaseId caseId, const char* sqlText, Read read, const std::string& doing) const {
    std::lock_guard lk(mutex);
    sql::Statement st(db, sqlText);
    st.bind(1, caseId);
    return readRows(st, read, doing);
  }

  /// Adds one row that belongs to a case (a prediction, a review decision): in one
  /// transaction it checks that the case exists, runs `sqlText` with `bind(statement)`, and
  /// logs `eventKind` with `payload(newRowId)`; once committed the listeners hear `what`.
  /// Returns the new row's id.
  template <class Bind, class Payload>
  core::Result<std::int64_t> insertCaseRow(CaseId caseId, const std::string& doing, const char* sqlText, Bind bind,
                                           const char* eventKind, Payload payload, ProjectChange::What what) {
    std::int64_t id = 0;
    {
      std::lock_guard lk(mutex);
      auto s = transaction(doing, [&]() -> core::Status {
        if (auto c = requireCase(caseId); !c) return c;
        sql::Statement st(db, sqlText);
        bind(st);
        if (const int rc = st.step(); rc != SQLITE_DONE) return fail(rc, doing);
        id = sqlite3_last_insert_rowid(db);
        return appendEvent(eventKind, caseId, payload(id));
      });
      if (!s) return s.error();
    }
    notify({what, caseId});
    return id;
  }

  void notify(const ProjectChange& change) {
    std::vector<std::shared_ptr<ChangeListener>> copy;
    {
      std::lock_guard lk(listenersMutex);
      for (const auto& [id, l] : listeners) copy.push_back(l);
    }
    for (const auto& l : copy) (*l)(change);
  }
};

}  // namespace meridian::project
