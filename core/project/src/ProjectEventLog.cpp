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
  return detail::readEvents(impl_->db, afterSequence);
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
