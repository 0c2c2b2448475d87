#pragma once
// The event log as a hash chain (the project's tamper-evident audit trail): every event stores
// the SHA-256 of its own content together with the previous event's hash, so changing, removing
// or reordering any event breaks the chain from that event on. The chain shows tampering with
// the database file; it cannot stop someone who rewrites every hash after an edit. Against that,
// keep the head hash (`meridian-cli audit verify` prints it) somewhere outside the project: a
// log whose chain still ends in the recorded head is the log as it was.

#include <cstdint>
#include <string>
#include <vector>

#include "meridian/project/ProjectRecords.hpp"

namespace meridian::project {

/// SHA-256 (64 lowercase hex digits) over the event's sequence, time, actor, kind, case, payload
/// and previousHash, each length-prefixed so that no two different events hash the same text.
std::string eventHash(const ProjectEvent& event);

struct AuditVerdict {
  bool intact = true;
  std::size_t eventsChecked = 0;
  std::int64_t firstBrokenSequence = 0;  // the first event that does not verify (0 when intact)
  std::string problem;                   // what is wrong with it, for people ("" when intact)
  std::string headHash;                  // the last event's hash, to record outside the project
};

/// Walks `events` (in sequence order, as ProjectStore::events returns them). `highestIssued` is
/// the largest sequence number the database ever handed out (SQLite's AUTOINCREMENT counter):
/// when it is beyond the last event, events were removed from the end.
AuditVerdict verifyEventChain(const std::vector<ProjectEvent>& events, std::int64_t highestIssued);

}  // namespace meridian::project
