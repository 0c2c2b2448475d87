#include "EventChainStore.hpp"

#include <vector>

#include "Sqlite.hpp"

namespace meridian::project::detail {

core::Status appendChainedEvent(sqlite3* db, const std::string& utc, const std::string& actor, const std::string& kind,
                                std::optional<std::int64_t> caseId, const std::string& payloadJson) {
  ProjectEvent e;
  {
    sql::Statement last(db, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
    const int rc = last.step();
    if (rc == SQLITE_ROW) {
      e.sequence = last.integer(0) + 1;
      e.previousHash = last.text(1);
    } else if (rc == SQLITE_DONE) {
      e.sequence = 1;
    } else {
      return sql::errorFrom(db, rc, "reading the event log's last event");
    }
  }
  e.utc = utc;
  e.actor = actor;
  e.kind = kind;
  e.caseId = caseId;
  e.payloadJson = payloadJson;
  e.hash = eventHash(e);
  sql::Statement st(db,
                    "INSERT INTO events(seq, utc, actor, kind, case_id, payload_json, previous_hash, hash) "
                    "VALUES(?,?,?,?,?,?,?,?)");
  st.bind(1, e.sequence).bind(2, e.utc).bind(3, e.actor).bind(4, e.kind).bind(5, e.caseId).bind(6, e.payloadJson);
  st.bind(7, e.previousHash).bind(8, e.hash);
  const int rc = st.step();
  if (rc != SQLITE_DONE) return sql::errorFrom(db, rc, "writing the event log");
  return core::Ok{};
}

core::Result<std::vector<ProjectEvent>> readEvents(sqlite3* db, std::int64_t afterSequence) {
  sql::Statement st(db,
                    "SELECT seq, utc, actor, kind, case_id, payload_json, previous_hash, hash FROM events WHERE seq > ? "
                    "ORDER BY seq");
  st.bind(1, afterSequence);
  std::vector<ProjectEvent> events;
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
    events.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return sql::errorFrom(db, rc, "reading the event log");
  return events;
}

core::Result<AuditVerdict> verifyStoredChain(sqlite3* db) {
  auto read = readEvents(db, 0);
  if (!read) return read.error();
  const std::vector<ProjectEvent>& events = read.value();
  std::int64_t highest = 0;
  {
    sql::Statement st(db, "SELECT seq FROM sqlite_sequence WHERE name = 'events'");
    const int rc = st.step();
    if (rc == SQLITE_ROW) highest = st.integer(0);
    else if (rc != SQLITE_DONE) return sql::errorFrom(db, rc, "reading the event log's counter");
  }
  return verifyEventChain(events, highest);
}

}  // namespace meridian::project::detail
