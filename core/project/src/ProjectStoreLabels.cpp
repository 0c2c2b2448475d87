// ProjectStore: label classes and image-level labels.
#include <sqlite3.h>

#include <array>
#include <cstdint>

#include "ProjectStoreImpl.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::project {

using core::ErrorCode;
using core::makeError;
using json = nlohmann::json;

namespace {

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

core::Result<ClassId> ProjectStore::Impl::ensureClassLocked(const std::string& name) {
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
  return impl_->readRows(
      st,
      [](const sql::Statement& r) {
        return LabelClass{r.integer(0), r.text(1), static_cast<std::uint8_t>(r.integer(2)),
                          static_cast<std::uint8_t>(r.integer(3)), static_cast<std::uint8_t>(r.integer(4))};
      },
      "listing label classes");
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
  return impl_->readRows(
      st, [](const sql::Statement& r) { return r.text(0); }, "reading labels of case " + std::to_string(caseId));
}
}  // namespace meridian::project
