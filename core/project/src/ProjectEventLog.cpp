// ProjectStore: the append-only event log (written inside each edit's transaction, read back
// for the audit trail).
#include <sqlite3.h>

#include "ProjectStoreImpl.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::project {

using core::ErrorCode;
using core::makeError;
using json = nlohmann::json;

core::Status ProjectStore::Impl::appendEvent(const std::string& kind, std::optional<CaseId> caseId, const json& payload) {
  sql::Statement st(db, "INSERT INTO events(utc, actor, kind, case_id, payload_json) VALUES(?,?,?,?,?)");
  st.bind(1, utcNow()).bind(2, actor).bind(3, kind).bind(4, caseId).bind(5, payload.dump());
  const int rc = st.step();
  if (rc != SQLITE_DONE) return fail(rc, "writing the event log");
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
}  // namespace meridian::project
