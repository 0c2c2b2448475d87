// ProjectStore: cases and their files (add, find, list with filters, remove, check hashes).
#include <sqlite3.h>

#include <map>
#include <system_error>

#include "ProjectStoreImpl.hpp"
#include "meridian/core/FileHash.hpp"
#include "meridian/project/ProjectStore.hpp"

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
}  // namespace meridian::project
