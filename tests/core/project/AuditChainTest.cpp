// The event log as a hash chain: every edit's event is chained at write time, and an event
// changed, removed (in the middle or at the end) or moved behind the store's back is found,
// named by its sequence number. The edits go straight to the database file, as a person with
// the sqlite3 tool would make them (dropping the append-only triggers first).

#include "meridian/project/AuditChain.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "ProjectTestSupport.hpp"
#include "meridian/core/FileHash.hpp"
#include "meridian/project/ProjectStore.hpp"

using namespace meridian;
using namespace meridian::project;
using test::freshFolder;

namespace {

void execRaw(const std::filesystem::path& folder, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((folder / ProjectStore::kDatabaseName).c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql << ": " << sqlite3_errmsg(db);
  sqlite3_close(db);
}

constexpr const char* kDropTriggers =
    "DROP TRIGGER events_append_only_update; DROP TRIGGER events_append_only_delete; ";

/// A project with seven events: create, case, two labels, a removal, an annotation, an export.
std::filesystem::path projectWithEvents(const std::string& name) {
  const auto dir = freshFolder(name);
  auto store = ProjectStore::create(dir).value();
  store->setActor("dr. who");
  CaseRecord r;
  r.path = (test::kSkimage / "camera.png").string();
  r.format = "PNG";
  r.sha256 = core::sha256OfFile(r.path).value();
  r.files.push_back({r.path, r.sha256, 1});
  const CaseId id = store->addCase(r).value();
  EXPECT_TRUE(store->addLabel(id, "normal"));
  EXPECT_TRUE(store->addLabel(id, "tumour"));
  EXPECT_TRUE(store->removeLabel(id, "normal"));
  core::Annotation a;
  a.id = "a1";
  a.shape = core::AnnotationShape::Point;
  a.points = {{10, 20}};
  EXPECT_TRUE(store->putAnnotation(id, a));
  EXPECT_TRUE(store->recordEvent("export", std::nullopt, R"({"format":"csv"})"));
  return dir;
}

AuditVerdict verify(const std::filesystem::path& dir) {
  auto store = ProjectStore::open(dir, OpenMode::ReadOnly);
  EXPECT_TRUE(store) << store.error().describe();
  auto v = store.value()->verifyEvents();
  EXPECT_TRUE(v) << v.error().describe();
  return v.value();
}

}  // namespace

TEST(AuditChain, EveryEventIsChainedToTheOneBeforeItAtWriteTime) {
  const auto dir = projectWithEvents("p");
  auto store = ProjectStore::open(dir, OpenMode::ReadOnly).value();
  const auto events = store->events().value();
  ASSERT_GE(events.size(), 7u);
  std::string previous;
  for (const auto& e : events) {
    EXPECT_EQ(e.previousHash, previous) << "event " << e.sequence;
    EXPECT_EQ(e.hash.size(), 64u);
    EXPECT_EQ(e.hash, eventHash(e));
    previous = e.hash;
  }
  EXPECT_EQ(events.back().kind, "export");
  EXPECT_EQ(events.back().actor, "dr. who");
  const AuditVerdict v = store->verifyEvents().value();
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.eventsChecked, events.size());
  EXPECT_EQ(v.headHash, events.back().hash);
}

TEST(AuditChain, AChangedPayloadActorOrTimeIsNamed) {
  for (const std::string column : {"payload_json = '{\"class\":\"benign\"}'", "actor = 'someone else'",
                                   "utc = '2020-01-01T00:00:00Z'", "kind = 'label.remove'", "case_id = 99"}) {
    const auto dir = projectWithEvents("p");
    execRaw(dir, std::string(kDropTriggers) + "UPDATE events SET " + column + " WHERE seq = 4");
    const AuditVerdict v = verify(dir);
    EXPECT_FALSE(v.intact) << column;
    EXPECT_EQ(v.firstBrokenSequence, 4) << column << ": " << v.problem;
    EXPECT_NE(v.problem.find("changed after it was written"), std::string::npos) << v.problem;
  }
}

TEST(AuditChain, ARecomputedHashStillBreaksTheNextLink) {
  // Whoever edits event 3 and rewrites its hash with the formula leaves event 4 pointing at the
  // old hash.
  const auto dir = projectWithEvents("p");
  auto events = ProjectStore::open(dir, OpenMode::ReadOnly).value()->events().value();
  ProjectEvent edited = events[2];
  edited.payloadJson = R"({"class":"forged"})";
  const std::string forged = eventHash(edited);
  execRaw(dir, std::string(kDropTriggers) + "UPDATE events SET payload_json = '" + edited.payloadJson +
                   "', hash = '" + forged + "' WHERE seq = 3");
  const AuditVerdict v = verify(dir);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.firstBrokenSequence, 4) << v.problem;
  EXPECT_NE(v.problem.find("does not follow"), std::string::npos) << v.problem;
}

TEST(AuditChain, RemovedAndReorderedEventsAreNamed) {
  {
    const auto dir = projectWithEvents("middle");
    execRaw(dir, std::string(kDropTriggers) + "DELETE FROM events WHERE seq = 3");
    const AuditVerdict v = verify(dir);
    EXPECT_FALSE(v.intact);
    EXPECT_EQ(v.firstBrokenSequence, 3) << v.problem;
    EXPECT_NE(v.problem.find("missing"), std::string::npos) << v.problem;
  }
  {
    const auto dir = projectWithEvents("end");
    execRaw(dir, std::string(kDropTriggers) + "DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)");
    const AuditVerdict v = verify(dir);
    EXPECT_FALSE(v.intact);
    EXPECT_NE(v.problem.find("removed from the end"), std::string::npos) << v.problem;
  }
  {
    // Events 3 and 4 swap places (their sequence numbers are exchanged).
    const auto dir = projectWithEvents("swap");
    execRaw(dir, std::string(kDropTriggers) +
                     "UPDATE events SET seq = 1000 WHERE seq = 3; UPDATE events SET seq = 3 WHERE seq = 4; "
                     "UPDATE events SET seq = 4 WHERE seq = 1000;");
    const AuditVerdict v = verify(dir);
    EXPECT_FALSE(v.intact);
    EXPECT_EQ(v.firstBrokenSequence, 3) << v.problem;
  }
}

TEST(AuditChain, RecordEventNeedsJsonAndAWritableStore) {
  const auto dir = projectWithEvents("p");
  {
    auto store = ProjectStore::open(dir).value();
    auto bad = store->recordEvent("export", std::nullopt, "not json");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, core::ErrorCode::InvalidArgument);
  }
  auto readOnly = ProjectStore::open(dir, OpenMode::ReadOnly).value();
  auto refused = readOnly->recordEvent("export", std::nullopt, "{}");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Io);
  EXPECT_TRUE(verify(dir).intact);
}
