#include "meridian/project/ProjectStore.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <system_error>

#include "ProjectLock.hpp"
#include "Schema.hpp"
#include "Sqlite.hpp"
#include "meridian/core/FileHash.hpp"

namespace meridian::project {

using core::ErrorCode;
using core::makeError;
using json = nlohmann::json;

const char* toString(CaseKind kind) {
  switch (kind) {
    case CaseKind::Image: return "image";
    case CaseKind::Volume: return "volume";
    case CaseKind::Slide: return "slide";
  }
  return "image";
}

std::optional<CaseKind> caseKindFromString(const std::string& text) {
  if (text == "image") return CaseKind::Image;
  if (text == "volume") return CaseKind::Volume;
  if (text == "slide") return CaseKind::Slide;
  return std::nullopt;
}

const char* toString(FileState state) {
  switch (state) {
    case FileState::Unchanged: return "unchanged";
    case FileState::Changed: return "changed";
    case FileState::Missing: return "missing";
  }
  return "unchanged";
}

namespace {

const char* shapeName(core::AnnotationShape s) {
  switch (s) {
    case core::AnnotationShape::Point: return "point";
    case core::AnnotationShape::Rectangle: return "rectangle";
    case core::AnnotationShape::Polygon: return "polygon";
  }
  return "polygon";
}

core::AnnotationShape shapeFromName(const std::string& s) {
  if (s == "point") return core::AnnotationShape::Point;
  if (s == "rectangle") return core::AnnotationShape::Rectangle;
  return core::AnnotationShape::Polygon;
}

json annotationJson(const core::Annotation& a) {
  json points = json::array();
  for (const auto& p : a.points) points.push_back({p[0], p[1]});
  return {{"id", a.id}, {"shape", shapeName(a.shape)}, {"points", points}, {"class", a.className},
          {"name", a.name}, {"plane", a.plane}, {"slice", a.slice}};
}

// Colours for new label classes, in order (ColorBrewer Set1, then Dark2).
constexpr std::array<std::array<std::uint8_t, 3>, 10> kPalette{{{228, 26, 28},
                                                                 {55, 126, 184},
                                                                 {77, 175, 74},
                                                                 {152, 78, 163},
                                                                 {255, 127, 0},
                                                                 {255, 255, 51},
                                                                 {166, 86, 40},
                                                                 {247, 129, 191},
                                                                 {27, 158, 119},
                                                                 {117, 112, 179}}};

}  // namespace

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
    return makeError(ErrorCode::Io, "cannot save while " + doing + ": the project " + folder.string() +
                                        " is open read-only (another window or program has it open for writing, or "
                                        "its disk is read-only)");
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

  core::Status appendEvent(const std::string& kind, std::optional<CaseId> caseId, const json& payload) {
    sql::Statement st(db, "INSERT INTO events(utc, actor, kind, case_id, payload_json) VALUES(?,?,?,?,?)");
    st.bind(1, utcNow()).bind(2, actor).bind(3, kind).bind(4, caseId).bind(5, payload.dump());
    const int rc = st.step();
    if (rc != SQLITE_DONE) return fail(rc, "writing the event log");
    return core::Ok{};
  }

  core::Status requireCase(CaseId id) const {
    sql::Statement st(db, "SELECT 1 FROM cases WHERE id = ?");
    st.bind(1, id);
    const int rc = st.step();
    if (rc == SQLITE_ROW) return core::Ok{};
    if (rc == SQLITE_DONE) return makeError(ErrorCode::NotFound, "the project has no case " + std::to_string(id));
    return fail(rc, "reading case " + std::to_string(id));
  }

  core::Result<ClassId> ensureClassLocked(const std::string& name) {
    if (name.empty()) return makeError(ErrorCode::InvalidArgument, "a label class needs a name");
    {
      sql::Statement st(db, "SELECT id FROM label_classes WHERE name = ?");
      st.bind(1, name);
      const int rc = st.step();
      if (rc == SQLITE_ROW) return st.integer(0);
      if (rc != SQLITE_DONE) return fail(rc, "reading label classes");
    }
    std::int64_t count = 0;
    {
      sql::Statement st(db, "SELECT COUNT(*) FROM label_classes");
      if (st.step() == SQLITE_ROW) count = st.integer(0);
    }
    const auto& c = kPalette[static_cast<std::size_t>(count) % kPalette.size()];
    sql::Statement st(db, "INSERT INTO label_classes(name, red, green, blue) VALUES(?,?,?,?)");
    st.bind(1, name).bind(2, int{c[0]}).bind(3, int{c[1]}).bind(4, int{c[2]});
    const int rc = st.step();
    if (rc != SQLITE_DONE) return fail(rc, "adding label class '" + name + "'");
    const ClassId id = sqlite3_last_insert_rowid(db);
    if (auto e = appendEvent("class.add", std::nullopt, {{"class", name}, {"id", id}}); !e) return e.error();
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

namespace {

}  // namespace

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

namespace {

std::string caseColumns() {
  return "id, path, series_uid, kind, format, sha256, byte_size, patient_id, patient_name, study_uid, study_date, "
         "study_description, series_description, modality, series_number, added_utc";
}

CaseRecord readCase(const sql::Statement& st) {
  CaseRecord r;
  r.id = st.integer(0);
  r.path = st.text(1);
  r.seriesUid = st.text(2);
  r.kind = caseKindFromString(st.text(3)).value_or(CaseKind::Image);
  r.format = st.text(4);
  r.sha256 = st.text(5);
  r.byteSize = st.integer(6);
  r.patientId = st.text(7);
  r.patientName = st.text(8);
  r.studyUid = st.text(9);
  r.studyDate = st.text(10);
  r.studyDescription = st.text(11);
  r.seriesDescription = st.text(12);
  r.modality = st.text(13);
  r.seriesNumber = static_cast<int>(st.integer(14));
  r.addedUtc = st.text(15);
  return r;
}

}  // namespace

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

// --- cases -----------------------------------------------------------------------------

core::Result<CaseId> ProjectStore::addCase(CaseRecord record) {
  CaseId id = 0;
  {
    std::lock_guard lk(impl_->mutex);
    const std::string doing = "adding " + record.path;
    auto s = impl_->transaction(doing, [&]() -> core::Status {
      {
        sql::Statement dup(impl_->db, "SELECT id FROM cases WHERE path = ? AND series_uid = ?");
        dup.bind(1, record.path).bind(2, record.seriesUid);
        const int rc = dup.step();
        if (rc == SQLITE_ROW)
          return makeError(ErrorCode::InvalidArgument,
                           record.path + " is already in the project as case " + std::to_string(dup.integer(0)));
        if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
      }
      record.addedUtc = utcNow();
      sql::Statement st(impl_->db,
                        "INSERT INTO cases(path, series_uid, kind, format, sha256, byte_size, patient_id, patient_name, "
                        "study_uid, study_date, study_description, series_description, modality, series_number, "
                        "added_utc) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
      st.bind(1, record.path).bind(2, record.seriesUid).bind(3, toString(record.kind)).bind(4, record.format);
      st.bind(5, record.sha256).bind(6, record.byteSize).bind(7, record.patientId).bind(8, record.patientName);
      st.bind(9, record.studyUid).bind(10, record.studyDate).bind(11, record.studyDescription);
      st.bind(12, record.seriesDescription).bind(13, record.modality).bind(14, record.seriesNumber);
      st.bind(15, record.addedUtc);
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, doing);
      id = sqlite3_last_insert_rowid(impl_->db);
      sql::Statement f(impl_->db, "INSERT INTO case_files(case_id, path, sha256, byte_size) VALUES(?,?,?,?)");
      for (const auto& file : record.files) {
        f.reset();
        f.bind(1, id).bind(2, file.path).bind(3, file.sha256).bind(4, file.byteSize);
        if (const int rc = f.step(); rc != SQLITE_DONE) return impl_->fail(rc, doing);
      }
      return impl_->appendEvent("case.add", id,
                                {{"path", record.path}, {"seriesUid", record.seriesUid}, {"kind", toString(record.kind)},
                                 {"sha256", record.sha256}, {"files", record.files.size()}});
    });
    if (!s) return s.error();
  }
  impl_->notify({ProjectChange::What::Cases, id});
  return id;
}

core::Result<std::optional<CaseId>> ProjectStore::findCase(const std::string& path, const std::string& seriesUid) const {
  std::lock_guard lk(impl_->mutex);
  sql::Statement st(impl_->db, "SELECT id FROM cases WHERE path = ? AND series_uid = ?");
  st.bind(1, path).bind(2, seriesUid);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<CaseId>(st.integer(0));
  if (rc == SQLITE_DONE) return std::optional<CaseId>();
  return impl_->fail(rc, "looking up " + path);
}

core::Result<CaseRecord> ProjectStore::getCase(CaseId id) const {
  std::lock_guard lk(impl_->mutex);
  const std::string q = "SELECT " + caseColumns() + " FROM cases WHERE id = ?";
  sql::Statement st(impl_->db, q.c_str());
  st.bind(1, id);
  const int rc = st.step();
  if (rc == SQLITE_DONE) return makeError(ErrorCode::NotFound, "the project has no case " + std::to_string(id));
  if (rc != SQLITE_ROW) return impl_->fail(rc, "reading case " + std::to_string(id));
  CaseRecord r = readCase(st);
  sql::Statement f(impl_->db, "SELECT path, sha256, byte_size FROM case_files WHERE case_id = ? ORDER BY path");
  f.bind(1, id);
  while (f.step() == SQLITE_ROW) r.files.push_back({f.text(0), f.text(1), f.integer(2)});
  return r;
}

core::Result<std::vector<CaseRecord>> ProjectStore::listCases(const CaseFilter& filter) const {
  std::lock_guard lk(impl_->mutex);
  std::string q = "SELECT " + caseColumns() + " FROM cases WHERE 1";
  if (filter.kind) q += " AND kind = ?1";
  if (filter.label)
    q += " AND EXISTS(SELECT 1 FROM case_labels cl JOIN label_classes lc ON lc.id = cl.class_id "
         "WHERE cl.case_id = cases.id AND lc.name = ?2)";
  if (filter.reviewed)
    q += std::string(" AND ") + (*filter.reviewed ? "" : "NOT ") + "EXISTS(SELECT 1 FROM reviews r WHERE r.case_id = cases.id)";
  if (filter.hasPrediction)
    q += std::string(" AND ") + (*filter.hasPrediction ? "" : "NOT ") +
         "EXISTS(SELECT 1 FROM predictions p WHERE p.case_id = cases.id)";
  q += " ORDER BY id";
  sql::Statement st(impl_->db, q.c_str());
  if (filter.kind) st.bind(1, toString(*filter.kind));
  if (filter.label) st.bind(2, *filter.label);
  std::vector<CaseRecord> out;
  std::map<CaseId, std::size_t> index;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    out.push_back(readCase(st));
    index[out.back().id] = out.size() - 1;
  }
  if (rc != SQLITE_DONE) return impl_->fail(rc, "listing cases");
  if (!index.empty()) {
    sql::Statement f(impl_->db, "SELECT case_id, path, sha256, byte_size FROM case_files ORDER BY case_id, path");
    while ((rc = f.step()) == SQLITE_ROW)
      if (auto it = index.find(f.integer(0)); it != index.end())
        out[it->second].files.push_back({f.text(1), f.text(2), f.integer(3)});
    if (rc != SQLITE_DONE) return impl_->fail(rc, "listing case files");
  }
  return out;
}

core::Status ProjectStore::removeCase(CaseId id) {
  {
    std::lock_guard lk(impl_->mutex);
    auto s = impl_->transaction("removing case " + std::to_string(id), [&]() -> core::Status {
      if (auto c = impl_->requireCase(id); !c) return c;
      sql::Statement st(impl_->db, "DELETE FROM cases WHERE id = ?");
      st.bind(1, id);
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, "removing case " + std::to_string(id));
      return impl_->appendEvent("case.remove", id, json::object());
    });
    if (!s) return s;
  }
  impl_->notify({ProjectChange::What::Cases, id});
  return core::Ok{};
}

core::Result<CaseCheck> ProjectStore::checkCase(CaseId id) const {
  struct Recorded {
    std::string path, sha256;
  };
  std::vector<Recorded> files;
  {
    std::lock_guard lk(impl_->mutex);
    if (auto c = impl_->requireCase(id); !c) return c.error();
    sql::Statement f(impl_->db, "SELECT path, sha256 FROM case_files WHERE case_id = ? ORDER BY path");
    f.bind(1, id);
    while (f.step() == SQLITE_ROW) files.push_back({f.text(0), f.text(1)});
  }
  CaseCheck check;
  check.caseId = id;
  for (const auto& file : files) {  // hashed without the lock: other edits go on meanwhile
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file.path, ec)) {
      check.state = FileState::Missing;
      check.detail = file.path + " is missing";
      return check;
    }
    auto hash = core::sha256OfFile(file.path);
    if (!hash) {
      check.state = FileState::Missing;
      check.detail = file.path + " cannot be read: " + hash.error().message;
      return check;
    }
    if (hash.value() != file.sha256) {
      check.state = FileState::Changed;
      check.detail = file.path + " changed since it was added (SHA-256 now " + hash.value() + ", was " + file.sha256 + ")";
      return check;
    }
  }
  return check;
}

// --- labels ------------------------------------------------------------------------------

core::Result<ClassId> ProjectStore::ensureClass(const std::string& name) {
  ClassId id = 0;
  {
    std::lock_guard lk(impl_->mutex);
    auto s = impl_->transaction("adding label class '" + name + "'", [&]() -> core::Status {
      auto r = impl_->ensureClassLocked(name);
      if (!r) return r.error();
      id = r.value();
      return core::Ok{};
    });
    if (!s) return s.error();
  }
  impl_->notify({ProjectChange::What::Classes, std::nullopt});
  return id;
}

core::Result<std::vector<LabelClass>> ProjectStore::listClasses() const {
  std::lock_guard lk(impl_->mutex);
  sql::Statement st(impl_->db, "SELECT id, name, red, green, blue FROM label_classes ORDER BY id");
  std::vector<LabelClass> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({st.integer(0), st.text(1), static_cast<std::uint8_t>(st.integer(2)),
                   static_cast<std::uint8_t>(st.integer(3)), static_cast<std::uint8_t>(st.integer(4))});
  if (rc != SQLITE_DONE) return impl_->fail(rc, "listing label classes");
  return out;
}

core::Status ProjectStore::renameClass(const std::string& from, const std::string& to) {
  {
    std::lock_guard lk(impl_->mutex);
    const std::string doing = "renaming label class '" + from + "' to '" + to + "'";
    if (to.empty()) return makeError(ErrorCode::InvalidArgument, "a label class needs a name");
    auto s = impl_->transaction(doing, [&]() -> core::Status {
      std::optional<ClassId> id;
      {
        sql::Statement st(impl_->db, "SELECT id FROM label_classes WHERE name = ?");
        st.bind(1, from);
        const int rc = st.step();
        if (rc == SQLITE_ROW) id = st.integer(0);
        else if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
      }
      if (!id) return makeError(ErrorCode::NotFound, "the project has no label class '" + from + "'");
      {
        sql::Statement st(impl_->db, "SELECT 1 FROM label_classes WHERE name = ?");
        st.bind(1, to);
        const int rc = st.step();
        if (rc == SQLITE_ROW)
          return makeError(ErrorCode::InvalidArgument, "a label class called '" + to + "' exists already: choose another name");
        if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
      }
      // Labels refer to the class by id: every labelled case follows the new name.
      sql::Statement st(impl_->db, "UPDATE label_classes SET name = ? WHERE id = ?");
      st.bind(1, to).bind(2, *id);
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, doing);
      return impl_->appendEvent("class.rename", std::nullopt, {{"id", *id}, {"from", from}, {"to", to}});
    });
    if (!s) return s;
  }
  impl_->notify({ProjectChange::What::Classes, std::nullopt});
  return core::Ok{};
}

core::Status ProjectStore::addLabel(CaseId caseId, const std::string& className) {
  bool changed = false;
  {
    std::lock_guard lk(impl_->mutex);
    const std::string doing = "labelling case " + std::to_string(caseId) + " '" + className + "'";
    auto s = impl_->transaction(doing, [&]() -> core::Status {
      if (auto c = impl_->requireCase(caseId); !c) return c;
      auto cls = impl_->ensureClassLocked(className);
      if (!cls) return cls.error();
      sql::Statement st(impl_->db, "INSERT OR IGNORE INTO case_labels(case_id, class_id, added_utc) VALUES(?,?,?)");
      st.bind(1, caseId).bind(2, cls.value()).bind(3, utcNow());
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, doing);
      changed = sqlite3_changes(impl_->db) > 0;
      if (!changed) return core::Ok{};
      return impl_->appendEvent("label.add", caseId, {{"class", className}});
    });
    if (!s) return s;
  }
  if (changed) impl_->notify({ProjectChange::What::Labels, caseId});
  return core::Ok{};
}

core::Status ProjectStore::removeLabel(CaseId caseId, const std::string& className) {
  bool changed = false;
  {
    std::lock_guard lk(impl_->mutex);
    const std::string doing = "removing label '" + className + "' from case " + std::to_string(caseId);
    auto s = impl_->transaction(doing, [&]() -> core::Status {
      if (auto c = impl_->requireCase(caseId); !c) return c;
      sql::Statement st(impl_->db,
                        "DELETE FROM case_labels WHERE case_id = ? AND class_id = (SELECT id FROM label_classes WHERE name = ?)");
      st.bind(1, caseId).bind(2, className);
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, doing);
      changed = sqlite3_changes(impl_->db) > 0;
      if (!changed) return core::Ok{};
      return impl_->appendEvent("label.remove", caseId, {{"class", className}});
    });
    if (!s) return s;
  }
  if (changed) impl_->notify({ProjectChange::What::Labels, caseId});
  return core::Ok{};
}

core::Result<std::vector<std::string>> ProjectStore::labels(CaseId caseId) const {
  std::lock_guard lk(impl_->mutex);
  sql::Statement st(impl_->db,
                    "SELECT lc.name FROM case_labels cl JOIN label_classes lc ON lc.id = cl.class_id "
                    "WHERE cl.case_id = ? ORDER BY lc.name");
  st.bind(1, caseId);
  std::vector<std::string> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back(st.text(0));
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading labels of case " + std::to_string(caseId));
  return out;
}

// --- annotations ---------------------------------------------------------------------------

core::Status ProjectStore::putAnnotation(CaseId caseId, const core::Annotation& a) {
  if (a.id.empty()) return makeError(ErrorCode::InvalidArgument, "an annotation needs an id");
  {
    std::lock_guard lk(impl_->mutex);
    const std::string doing = "saving annotation " + a.id + " of case " + std::to_string(caseId);
    auto s = impl_->transaction(doing, [&]() -> core::Status {
      if (auto c = impl_->requireCase(caseId); !c) return c;
      const json j = annotationJson(a);
      sql::Statement st(impl_->db,
                        "INSERT INTO annotations(case_id, uid, shape, points_json, class_name, name, plane, slice, "
                        "updated_utc) VALUES(?,?,?,?,?,?,?,?,?) ON CONFLICT(case_id, uid) DO UPDATE SET "
                        "shape = excluded.shape, points_json = excluded.points_json, class_name = excluded.class_name, "
                        "name = excluded.name, plane = excluded.plane, slice = excluded.slice, "
                        "updated_utc = excluded.updated_utc");
      st.bind(1, caseId).bind(2, a.id).bind(3, shapeName(a.shape)).bind(4, j["points"].dump()).bind(5, a.className);
      st.bind(6, a.name).bind(7, a.plane).bind(8, a.slice).bind(9, utcNow());
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, doing);
      return impl_->appendEvent("annotation.put", caseId, j);
    });
    if (!s) return s;
  }
  impl_->notify({ProjectChange::What::Annotations, caseId});
  return core::Ok{};
}

core::Status ProjectStore::removeAnnotation(CaseId caseId, const std::string& annotationId) {
  bool changed = false;
  {
    std::lock_guard lk(impl_->mutex);
    const std::string doing = "removing annotation " + annotationId + " of case " + std::to_string(caseId);
    auto s = impl_->transaction(doing, [&]() -> core::Status {
      sql::Statement st(impl_->db, "DELETE FROM annotations WHERE case_id = ? AND uid = ?");
      st.bind(1, caseId).bind(2, annotationId);
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, doing);
      changed = sqlite3_changes(impl_->db) > 0;
      if (!changed) return core::Ok{};
      return impl_->appendEvent("annotation.remove", caseId, {{"id", annotationId}});
    });
    if (!s) return s;
  }
  if (changed) impl_->notify({ProjectChange::What::Annotations, caseId});
  return core::Ok{};
}

namespace {
core::Annotation readAnnotation(const sql::Statement& st) {
  core::Annotation a;
  a.id = st.text(0);
  a.shape = shapeFromName(st.text(1));
  const json points = json::parse(st.text(2), nullptr, false);
  if (points.is_array())
    for (const auto& p : points)
      if (p.is_array() && p.size() == 2 && p[0].is_number() && p[1].is_number())
        a.points.push_back({p[0].get<double>(), p[1].get<double>()});
  a.className = st.text(3);
  a.name = st.text(4);
  a.plane = st.text(5);
  a.slice = static_cast<int>(st.integer(6));
  return a;
}
}  // namespace

core::Result<std::vector<core::Annotation>> ProjectStore::annotations(CaseId caseId) const {
  std::lock_guard lk(impl_->mutex);
  sql::Statement st(impl_->db,
                    "SELECT uid, shape, points_json, class_name, name, plane, slice FROM annotations WHERE case_id = ? "
                    "ORDER BY rowid");
  st.bind(1, caseId);
  std::vector<core::Annotation> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back(readAnnotation(st));
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading annotations of case " + std::to_string(caseId));
  return out;
}

core::Result<std::optional<core::Annotation>> ProjectStore::annotation(CaseId caseId, const std::string& annotationId) const {
  std::lock_guard lk(impl_->mutex);
  sql::Statement st(impl_->db,
                    "SELECT uid, shape, points_json, class_name, name, plane, slice FROM annotations WHERE case_id = ? "
                    "AND uid = ?");
  st.bind(1, caseId).bind(2, annotationId);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<core::Annotation>(readAnnotation(st));
  if (rc == SQLITE_DONE) return std::optional<core::Annotation>();
  return impl_->fail(rc, "reading annotation " + annotationId);
}

// --- model runs and predictions --------------------------------------------------------------

core::Result<ModelRunId> ProjectStore::startModelRun(ModelRun run) {
  ModelRunId id = 0;
  {
    std::lock_guard lk(impl_->mutex);
    auto s = impl_->transaction("recording a model run", [&]() -> core::Status {
      sql::Statement st(impl_->db,
                        "INSERT INTO model_runs(task, model_name, weights_sha256, parameters_json, started_utc, status) "
                        "VALUES(?,?,?,?,?, 'running')");
      st.bind(1, run.task).bind(2, run.modelName).bind(3, run.weightsSha256);
      st.bind(4, run.parametersJson.empty() ? std::string("{}") : run.parametersJson).bind(5, utcNow());
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, "recording a model run");
      id = sqlite3_last_insert_rowid(impl_->db);
      return impl_->appendEvent("run.start", std::nullopt,
                                {{"run", id}, {"task", run.task}, {"model", run.modelName}, {"weightsSha256", run.weightsSha256}});
    });
    if (!s) return s.error();
  }
  impl_->notify({ProjectChange::What::ModelRuns, std::nullopt});
  return id;
}

core::Status ProjectStore::finishModelRun(ModelRunId id, const std::string& status) {
  {
    std::lock_guard lk(impl_->mutex);
    auto s = impl_->transaction("finishing model run " + std::to_string(id), [&]() -> core::Status {
      sql::Statement st(impl_->db, "UPDATE model_runs SET finished_utc = ?, status = ? WHERE id = ?");
      st.bind(1, utcNow()).bind(2, status).bind(3, id);
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, "finishing model run");
      if (sqlite3_changes(impl_->db) == 0) return makeError(ErrorCode::NotFound, "no model run " + std::to_string(id));
      return impl_->appendEvent("run.finish", std::nullopt, {{"run", id}, {"status", status}});
    });
    if (!s) return s;
  }
  impl_->notify({ProjectChange::What::ModelRuns, std::nullopt});
  return core::Ok{};
}

core::Result<std::vector<ModelRun>> ProjectStore::listModelRuns() const {
  std::lock_guard lk(impl_->mutex);
  sql::Statement st(impl_->db,
                    "SELECT id, task, model_name, weights_sha256, parameters_json, started_utc, finished_utc, status "
                    "FROM model_runs ORDER BY id");
  std::vector<ModelRun> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({st.integer(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6), st.text(7)});
  if (rc != SQLITE_DONE) return impl_->fail(rc, "listing model runs");
  return out;
}

core::Result<PredictionId> ProjectStore::addPrediction(Prediction p) {
  PredictionId id = 0;
  {
    std::lock_guard lk(impl_->mutex);
    const std::string doing = "saving a prediction for case " + std::to_string(p.caseId);
    auto s = impl_->transaction(doing, [&]() -> core::Status {
      if (auto c = impl_->requireCase(p.caseId); !c) return c;
      sql::Statement st(impl_->db,
                        "INSERT INTO predictions(case_id, run_id, weights_sha256, outputs_json, map_file, created_utc) "
                        "VALUES(?,?,?,?,?,?)");
      st.bind(1, p.caseId).bind(2, p.runId).bind(3, p.weightsSha256);
      st.bind(4, p.outputsJson.empty() ? std::string("{}") : p.outputsJson).bind(5, p.mapFile).bind(6, utcNow());
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, doing);
      id = sqlite3_last_insert_rowid(impl_->db);
      return impl_->appendEvent("prediction.add", p.caseId,
                                {{"prediction", id}, {"weightsSha256", p.weightsSha256}, {"mapFile", p.mapFile}});
    });
    if (!s) return s.error();
  }
  impl_->notify({ProjectChange::What::Predictions, p.caseId});
  return id;
}

core::Result<std::vector<Prediction>> ProjectStore::predictions(CaseId caseId) const {
  std::lock_guard lk(impl_->mutex);
  sql::Statement st(impl_->db,
                    "SELECT id, case_id, run_id, weights_sha256, outputs_json, map_file, created_utc FROM predictions "
                    "WHERE case_id = ? ORDER BY id");
  st.bind(1, caseId);
  std::vector<Prediction> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    Prediction p;
    p.id = st.integer(0);
    p.caseId = st.integer(1);
    if (!st.isNull(2)) p.runId = st.integer(2);
    p.weightsSha256 = st.text(3);
    p.outputsJson = st.text(4);
    p.mapFile = st.text(5);
    p.createdUtc = st.text(6);
    out.push_back(std::move(p));
  }
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading predictions of case " + std::to_string(caseId));
  return out;
}

// --- review --------------------------------------------------------------------------------

core::Result<std::int64_t> ProjectStore::addReview(ReviewDecision d) {
  std::int64_t id = 0;
  {
    std::lock_guard lk(impl_->mutex);
    const std::string doing = "saving a review of case " + std::to_string(d.caseId);
    if (d.reviewer.empty()) d.reviewer = impl_->actor;
    if (d.reviewer.empty()) return makeError(ErrorCode::InvalidArgument, "a review decision needs a reviewer name");
    if (d.decision.empty()) return makeError(ErrorCode::InvalidArgument, "a review decision needs a decision");
    d.decidedUtc = utcNow();
    auto s = impl_->transaction(doing, [&]() -> core::Status {
      if (auto c = impl_->requireCase(d.caseId); !c) return c;
      sql::Statement st(impl_->db,
                        "INSERT INTO reviews(case_id, prediction_id, reviewer, decided_utc, decision, correction) "
                        "VALUES(?,?,?,?,?,?)");
      st.bind(1, d.caseId).bind(2, d.predictionId).bind(3, d.reviewer).bind(4, d.decidedUtc).bind(5, d.decision);
      st.bind(6, d.correction);
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, doing);
      id = sqlite3_last_insert_rowid(impl_->db);
      json payload{{"review", id}, {"reviewer", d.reviewer}, {"decision", d.decision}, {"correction", d.correction}};
      if (d.predictionId) payload["prediction"] = *d.predictionId;
      return impl_->appendEvent("review.add", d.caseId, payload);
    });
    if (!s) return s.error();
  }
  impl_->notify({ProjectChange::What::Reviews, d.caseId});
  return id;
}

core::Result<std::vector<ReviewDecision>> ProjectStore::reviews(CaseId caseId) const {
  std::lock_guard lk(impl_->mutex);
  sql::Statement st(impl_->db,
                    "SELECT id, case_id, prediction_id, reviewer, decided_utc, decision, correction FROM reviews "
                    "WHERE case_id = ? ORDER BY id");
  st.bind(1, caseId);
  std::vector<ReviewDecision> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    ReviewDecision d;
    d.id = st.integer(0);
    d.caseId = st.integer(1);
    if (!st.isNull(2)) d.predictionId = st.integer(2);
    d.reviewer = st.text(3);
    d.decidedUtc = st.text(4);
    d.decision = st.text(5);
    d.correction = st.text(6);
    out.push_back(std::move(d));
  }
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading reviews of case " + std::to_string(caseId));
  return out;
}

core::Status ProjectStore::removeReview(std::int64_t reviewId) {
  std::optional<CaseId> caseId;
  {
    std::lock_guard lk(impl_->mutex);
    const std::string doing = "taking back review decision " + std::to_string(reviewId);
    auto s = impl_->transaction(doing, [&]() -> core::Status {
      json payload{{"review", reviewId}};
      {
        sql::Statement st(impl_->db, "SELECT case_id, reviewer, decision, correction FROM reviews WHERE id = ?");
        st.bind(1, reviewId);
        const int rc = st.step();
        if (rc == SQLITE_DONE)
          return makeError(ErrorCode::NotFound, "the project has no review decision " + std::to_string(reviewId));
        if (rc != SQLITE_ROW) return impl_->fail(rc, doing);
        caseId = st.integer(0);
        payload["reviewer"] = st.text(1);
        payload["decision"] = st.text(2);
        payload["correction"] = st.text(3);
      }
      sql::Statement st(impl_->db, "DELETE FROM reviews WHERE id = ?");
      st.bind(1, reviewId);
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, doing);
      return impl_->appendEvent("review.remove", caseId, payload);
    });
    if (!s) return s;
  }
  impl_->notify({ProjectChange::What::Reviews, caseId});
  return core::Ok{};
}

// --- events ----------------------------------------------------------------------------------

core::Result<std::vector<ProjectEvent>> ProjectStore::events(std::int64_t afterSequence) const {
  std::lock_guard lk(impl_->mutex);
  sql::Statement st(impl_->db,
                    "SELECT seq, utc, actor, kind, case_id, payload_json, previous_hash, hash FROM events WHERE seq > ? "
                    "ORDER BY seq");
  st.bind(1, afterSequence);
  std::vector<ProjectEvent> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    ProjectEvent e;
    e.sequence = st.integer(0);
    e.utc = st.text(1);
    e.actor = st.text(2);
    e.kind = st.text(3);
    if (!st.isNull(4)) e.caseId = st.integer(4);
    e.payloadJson = st.text(5);
    e.previousHash = st.text(6);
    e.hash = st.text(7);
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading the event log");
  return out;
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
