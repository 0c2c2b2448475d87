// ProjectStore: region annotations (points, rectangles, polygons) of a case.
#include <sqlite3.h>

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

json annotationJson(const core::Annotation& a) {
  json points = json::array();
  for (const auto& p : a.points) points.push_back({p[0], p[1]});
  return {{"id", a.id}, {"shape", shapeName(a.shape)}, {"points", points}, {"class", a.className},
          {"name", a.name}, {"plane", a.plane}, {"slice", a.slice}};
}

}  // namespace

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
}  // namespace meridian::project
