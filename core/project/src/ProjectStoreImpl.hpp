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
