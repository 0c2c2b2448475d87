// ProjectStore: the append-only, hash-chained event log (written inside each edit's transaction,
// read back and verified for the audit trail).
#include <sqlite3.h>

#include "EventChainStore.hpp"
#include "ProjectStoreImpl.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::project {

using core::ErrorCode;
using core::makeError;
using json = nlohmann::json;

// Chained: each event's hash covers its content and the previous event's hash (AuditChain.hpp).
core::Status ProjectStore::Impl::appendEvent(const std::string& kind, std::optional<CaseId> caseId, const json& payload) {
  return detail::appendChainedEvent(db, utcNow(), actor, kind, caseId, payload.dump());
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
core::Status ProjectStore::recordEvent(const std::string& kind, std::optional<CaseId> caseId,
                                      const std::string& payloadJson) {
  const json payload = json::parse(payloadJson, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded())
    return makeError(ErrorCode::InvalidArgument, "an event's payload must be JSON: '" + payloadJson + "'");
  std::lock_guard lk(impl_->mutex);
  return impl_->transaction("recording '" + kind + "' in the event log",
                            [&]() -> core::Status { return impl_->appendEvent(kind, caseId, payload); });
}

core::Result<AuditVerdict> ProjectStore::verifyEvents() const {
  std::lock_guard lk(impl_->mutex);
  return detail::verifyStoredChain(impl_->db);
}

}  // namespace meridian::project
