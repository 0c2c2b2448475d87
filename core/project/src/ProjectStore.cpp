// ProjectStore: opening and creating the project folder (lock, schema checks, migration), its
// paths and actor, and the change listeners. The tables live in ProjectStore<Part>.cpp.
#include "meridian/project/ProjectStore.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <system_error>

#include "ProjectStoreImpl.hpp"
#include "Schema.hpp"

namespace meridian::project {

static_assert(ProjectStore::kSchemaVersion == schema::kCurrentVersion, "the public schema version is the one written");

using core::ErrorCode;
using core::makeError;
using json = nlohmann::json;

std::string ProjectStore::utcNow() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

core::Result<std::unique_ptr<ProjectStore>> ProjectStore::openFolder(const std::filesystem::path& folderIn, OpenMode mode,
                                                                     bool creating) {
  std::error_code ec;
  const auto folder = std::filesystem::absolute(folderIn, ec).lexically_normal();
  const auto dbPath = folder / ProjectStore::kDatabaseName;
  if (creating) {
    if (std::filesystem::exists(dbPath, ec))
      return makeError(ErrorCode::InvalidArgument, folder.string() + " already holds a Meridian project; open it instead");
    std::filesystem::create_directories(folder, ec);
    if (ec) return makeError(ErrorCode::Io, "cannot create the project folder " + folder.string() + ": " + ec.message());
  } else if (!std::filesystem::exists(dbPath, ec)) {
    return makeError(ErrorCode::NotFound, folder.string() + " is not a Meridian project (it has no " +
                                              ProjectStore::kDatabaseName + ")");
  }

  auto impl = std::make_unique<Impl>();
  impl->folder = folder;
  impl->readOnly = mode == OpenMode::ReadOnly;
  bool folderReadOnly = false;
  if (!impl->readOnly) {
    auto outcome = impl->lock.tryAcquire(folder);
    if (!outcome) return outcome.error();
    switch (outcome.value()) {
      case ProjectLock::Outcome::Acquired: break;
      case ProjectLock::Outcome::HeldByAnother:
        if (mode == OpenMode::ReadWrite || creating)
          return makeError(ErrorCode::Io, "the project " + folder.string() +
                                              " is open for writing in another Meridian window or program; close it "
                                              "there, or open this one read-only");
        impl->readOnly = true;
        break;
      case ProjectLock::Outcome::FolderReadOnly:
        folderReadOnly = true;
        if (mode == OpenMode::ReadWrite || creating)
          return makeError(ErrorCode::Io, "the project folder " + folder.string() +
                                              " cannot be written (read-only disk or folder); open it read-only");
        impl->readOnly = true;
        break;
    }
  }

  int flags = impl->readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | (creating ? SQLITE_OPEN_CREATE : 0);
  flags |= SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(dbPath.c_str(), &impl->db, flags, nullptr);
  if (rc != SQLITE_OK) return sql::errorFrom(impl->db, rc, "opening " + dbPath.string());
  sqlite3_busy_timeout(impl->db, 5000);
  sqlite3_extended_result_codes(impl->db, 1);

  // Read the versions; this is also the first read, where a non-database fails.
  int version = 0, appId = 0;
  auto readVersions = [&]() -> int {
    sql::Statement v(impl->db, "PRAGMA user_version");
    int r = v.step();
    if (r != SQLITE_ROW) return r;
    version = static_cast<int>(v.integer(0));
    sql::Statement a(impl->db, "PRAGMA application_id");
    r = a.step();
    if (r != SQLITE_ROW) return r;
    appId = static_cast<int>(a.integer(0));
    return SQLITE_OK;
  };
  rc = readVersions();
  if (rc != SQLITE_OK && folderReadOnly) {
    // A WAL database on a read-only disk without its -shm file: SQLite cannot build the
    // shared index there, but nothing can change the file, so read it as immutable.
    sqlite3_close_v2(impl->db);
    impl->db = nullptr;
    const std::string uri = "file:" + dbPath.string() + "?immutable=1";
    rc = sqlite3_open_v2(uri.c_str(), &impl->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc == SQLITE_OK) rc = readVersions();
  }
  if (rc != SQLITE_OK) return sql::errorFrom(impl->db, rc, "reading " + dbPath.string());

  if (!creating) {
    if (appId != schema::kApplicationId)
      return makeError(ErrorCode::Corrupt, dbPath.string() + " is an SQLite database but not a Meridian project's");
    if (version > schema::kCurrentVersion)
      return makeError(ErrorCode::Unsupported,
                       "the project " + folder.string() + " was written by a newer Meridian (project format " +
                           std::to_string(version) + "; this one reads up to " + std::to_string(schema::kCurrentVersion) +
                           "); it was left unchanged: open it with that newer version");
  }

  if (!impl->readOnly) {
    // WAL: readers never block the writer, and a commit is one append to the log.
    // synchronous=FULL: the log is synced at every commit, so an acknowledged edit also
    // survives a power cut (a kill -9 alone would be safe with NORMAL).
    if (auto s = impl->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                            "preparing the project database");
        !s)
      return s.error();
    if (version < schema::kCurrentVersion) {
      const int from = version;
      auto s = impl->transaction("creating the project's tables", [&]() -> core::Status {
        if (auto m = schema::migrate(impl->db, from); !m) return m;
        if (creating) {
          sql::Statement meta(impl->db, "INSERT INTO meta(key, value) VALUES('created_utc', ?)");
          meta.bind(1, ProjectStore::utcNow());
          if (const int r = meta.step(); r != SQLITE_DONE) return impl->fail(r, "writing the project's metadata");
        }
        return impl->appendEvent(creating ? "project.create" : "project.migrate", std::nullopt,
                                 {{"fromSchema", from}, {"toSchema", schema::kCurrentVersion}});
      });
      if (!s) return s.error();
    }
  } else {
    (void)impl->exec("PRAGMA foreign_keys = ON;", "preparing the project database");
    if (version < schema::kCurrentVersion)
      return makeError(ErrorCode::Unsupported, "the project " + folder.string() + " uses an older format (" +
                                                   std::to_string(version) +
                                                   ") that must be upgraded: open it once for writing");
  }
  return std::unique_ptr<ProjectStore>(new ProjectStore(std::move(impl)));
}

ProjectStore::ProjectStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProjectStore::~ProjectStore() = default;

core::Result<std::unique_ptr<ProjectStore>> ProjectStore::create(const std::filesystem::path& folder) {
  return openFolder(folder, OpenMode::ReadWrite, true);
}

core::Result<std::unique_ptr<ProjectStore>> ProjectStore::open(const std::filesystem::path& folder, OpenMode mode) {
  return openFolder(folder, mode, false);
}

bool ProjectStore::isProject(const std::filesystem::path& folder) {
  std::error_code ec;
  return std::filesystem::is_regular_file(folder / kDatabaseName, ec);
}

const std::filesystem::path& ProjectStore::folder() const { return impl_->folder; }
bool ProjectStore::isReadOnly() const { return impl_->readOnly; }
std::filesystem::path ProjectStore::mapsFolder() const { return impl_->folder / "maps"; }
std::filesystem::path ProjectStore::modelsFolder() const { return impl_->folder / "models"; }
std::filesystem::path ProjectStore::thumbnailsFolder() const { return impl_->folder / "thumbnails"; }

void ProjectStore::setActor(std::string actor) {
  std::lock_guard lk(impl_->mutex);
  impl_->actor = std::move(actor);
}

std::string ProjectStore::actor() const {
  std::lock_guard lk(impl_->mutex);
  return impl_->actor;
}

int ProjectStore::addChangeListener(ChangeListener listener) {
  std::lock_guard lk(impl_->listenersMutex);
  const int id = impl_->nextListener++;
  impl_->listeners.emplace_back(id, std::make_shared<ChangeListener>(std::move(listener)));
  return id;
}

void ProjectStore::removeChangeListener(int id) {
  std::lock_guard lk(impl_->listenersMutex);
  auto& l = impl_->listeners;
  l.erase(std::remove_if(l.begin(), l.end(), [id](const auto& p) { return p.first == id; }), l.end());
}

}  // namespace meridian::project
