#pragma once
// The event log's rows, chained (AuditChain.hpp): writing an event with its hash and reading the
// whole log back to verify it. Private to meridian_project; the store calls these under its
// lock, appendChainedEvent inside the edit's transaction (so the hash and the edit commit
// together, and two writers cannot chain onto the same event: the store's BEGIN IMMEDIATE
// serialises them).

#include <sqlite3.h>

#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/project/AuditChain.hpp"

namespace meridian::project::detail {

/// Inserts the event after the log's last one: sequence = last + 1, previous_hash = its hash.
core::Status appendChainedEvent(sqlite3* db, const std::string& utc, const std::string& actor, const std::string& kind,
                                std::optional<std::int64_t> caseId, const std::string& payloadJson);

/// The events after `afterSequence`, in order (the store's events() and the verification read
/// the rows the same way).
core::Result<std::vector<ProjectEvent>> readEvents(sqlite3* db, std::int64_t afterSequence);

/// Reads every event and SQLite's AUTOINCREMENT counter and verifies the chain.
core::Result<AuditVerdict> verifyStoredChain(sqlite3* db);

}  // namespace meridian::project::detail
