// ProjectStore: region annotations (points, rectangles, polygons) of a case: image pixels on
// 2D images and slides, patient space (LPS, mm) with plane and voxel slice on volumes.
#include <sqlite3.h>

#include <algorithm>

#include "ProjectStoreImpl.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::project {

using core::ErrorCode;
using core::makeError;
using json = nlohmann::json;

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

// points_space: how points_json is to be read (Schema.cpp, version 3).
constexpr const char* kPixelSpace = "pixel";
constexpr const char* kPatientSpace = "lps";

bool inPatientSpace(const core::Annotation& a) { return !a.patientPoints.empty(); }

json annotationJson(const core::Annotation& a) {
  json points = json::array();
  if (inPatientSpace(a)) {
    for (const auto& p : a.patientPoints) points.push_back({p[0], p[1], p[2]});
  } else {
    for (const auto& p : a.points) points.push_back({p[0], p[1]});
  }
  return {{"id", a.id},     {"shape", shapeName(a.shape)}, {"points", points},
          {"space", inPatientSpace(a) ? kPatientSpace : kPixelSpace}, {"class", a.className},
          {"name", a.name}, {"plane", a.plane},          {"slice", a.slice}};
}

core::Status checkPlacement(const core::Annotation& a) {
  if (!inPatientSpace(a)) return core::Ok{};
  if (a.plane != "axial" && a.plane != "coronal" && a.plane != "sagittal")
    return makeError(ErrorCode::InvalidArgument, "annotation " + a.id +
                                                     " is in patient coordinates but names no plane (axial, coronal "
                                                     "or sagittal)");
  if (a.slice < 0) return makeError(ErrorCode::InvalidArgument, "annotation " + a.id + " names no slice of its plane");
  return core::Ok{};
}

}  // namespace

// --- annotations ---------------------------------------------------------------------------

core::Status ProjectStore::putAnnotation(CaseId caseId, const core::Annotation& a) {
  if (a.id.empty()) return makeError(ErrorCode::InvalidArgument, "an annotation needs an id");
  if (auto placed = checkPlacement(a); !placed) return placed;
  {
    std::lock_guard lk(impl_->mutex);
    const std::string doing = "saving annotation " + a.id + " of case " + std::to_string(caseId);
    auto s = impl_->transaction(doing, [&]() -> core::Status {
      if (auto c = impl_->requireCase(caseId); !c) return c;
      const json j = annotationJson(a);
      sql::Statement st(impl_->db,
                        "INSERT INTO annotations(case_id, uid, shape, points_json, class_name, name, plane, slice, "
                        "updated_utc, points_space) VALUES(?,?,?,?,?,?,?,?,?,?) ON CONFLICT(case_id, uid) DO UPDATE SET "
                        "shape = excluded.shape, points_json = excluded.points_json, class_name = excluded.class_name, "
                        "name = excluded.name, plane = excluded.plane, slice = excluded.slice, "
                        "updated_utc = excluded.updated_utc, points_space = excluded.points_space");
      st.bind(1, caseId).bind(2, a.id).bind(3, shapeName(a.shape)).bind(4, j["points"].dump()).bind(5, a.className);
      st.bind(6, a.name).bind(7, a.plane).bind(8, a.slice).bind(9, utcNow()).bind(10, j["space"].get<std::string>());
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
  const bool patient = st.text(7) == kPatientSpace;
  const std::size_t arity = patient ? 3 : 2;
  if (points.is_array())
    for (const auto& p : points) {
      if (!p.is_array() || p.size() != arity) continue;
      if (!std::all_of(p.begin(), p.end(), [](const json& v) { return v.is_number(); })) continue;
      if (patient)
        a.patientPoints.push_back({p[0].get<double>(), p[1].get<double>(), p[2].get<double>()});
      else
        a.points.push_back({p[0].get<double>(), p[1].get<double>()});
    }
  a.className = st.text(3);
  a.name = st.text(4);
  a.plane = st.text(5);
  a.slice = static_cast<int>(st.integer(6));
  return a;
}
}  // namespace

core::Result<std::vector<core::Annotation>> ProjectStore::annotations(CaseId caseId) const {
  return impl_->readCaseRows(caseId,
                             "SELECT uid, shape, points_json, class_name, name, plane, slice, points_space "
                             "FROM annotations WHERE case_id = ? ORDER BY rowid",
                             readAnnotation, "reading annotations of case " + std::to_string(caseId));
}

core::Result<std::optional<core::Annotation>> ProjectStore::annotation(CaseId caseId, const std::string& annotationId) const {
  std::lock_guard lk(impl_->mutex);
  sql::Statement st(impl_->db,
                    "SELECT uid, shape, points_json, class_name, name, plane, slice, points_space FROM annotations "
                    "WHERE case_id = ? AND uid = ?");
  st.bind(1, caseId).bind(2, annotationId);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<core::Annotation>(readAnnotation(st));
  if (rc == SQLITE_DONE) return std::optional<core::Annotation>();
  return impl_->fail(rc, "reading annotation " + annotationId);
}
}  // namespace meridian::project
