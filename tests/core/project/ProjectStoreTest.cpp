#include "meridian/project/ProjectStore.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <fstream>

#include "ProjectTestSupport.hpp"
#include "meridian/core/FileHash.hpp"

using namespace meridian;
using namespace meridian::project;
using project::test::freshFolder;

namespace {

CaseRecord fileCase(const std::string& path, CaseKind kind = CaseKind::Image) {
  CaseRecord r;
  r.path = path;
  r.kind = kind;
  r.format = "PNG";
  auto hash = core::sha256OfFile(path);
  r.sha256 = hash ? hash.value() : std::string(64, '0');
  r.files.push_back({path, r.sha256, 1});
  return r;
}

// Runs SQL on the database file directly, as another program (or a newer Meridian) would.
void execRaw(const std::filesystem::path& folder, const std::string& sql, int expected = SQLITE_OK) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((folder / ProjectStore::kDatabaseName).c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), expected) << sql << ": " << sqlite3_errmsg(db);
  sqlite3_close(db);
}

}  // namespace

TEST(ProjectStore, CreateThenReopenKeepsWhatWasSaved) {
  const auto dir = freshFolder("p");
  CaseId id = 0;
  {
    auto store = ProjectStore::create(dir);
    ASSERT_TRUE(store) << store.error().describe();
    EXPECT_FALSE(store.value()->isReadOnly());
    auto added = store.value()->addCase(fileCase((test::kSkimage / "camera.png").string()));
    ASSERT_TRUE(added) << added.error().describe();
    id = added.value();
    ASSERT_TRUE(store.value()->addLabel(id, "normal"));
  }
  EXPECT_TRUE(ProjectStore::isProject(dir));
  auto store = ProjectStore::open(dir);
  ASSERT_TRUE(store) << store.error().describe();
  auto cases = store.value()->listCases();
  ASSERT_TRUE(cases);
  ASSERT_EQ(cases.value().size(), 1u);
  EXPECT_EQ(cases.value()[0].id, id);
  EXPECT_EQ(cases.value()[0].sha256.size(), 64u);
  ASSERT_EQ(cases.value()[0].files.size(), 1u);
  EXPECT_EQ(store.value()->labels(id).value(), std::vector<std::string>{"normal"});
  auto events = store.value()->events();
  ASSERT_TRUE(events);
  std::vector<std::string> kinds;
  for (const auto& e : events.value()) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"project.create", "case.add", "class.add", "label.add"}));
}

TEST(ProjectStore, CreatingTwiceAndOpeningANonProjectAreRefused) {
  const auto dir = freshFolder("p");
  ASSERT_TRUE(ProjectStore::create(dir));
  auto again = ProjectStore::create(dir);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("already holds a Meridian project"), std::string::npos);
  auto none = ProjectStore::open(freshFolder("empty"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, core::ErrorCode::NotFound);
}

TEST(ProjectStore, ASecondWriterIsRefusedOrGetsAReadOnlyStore) {
  const auto dir = freshFolder("p");
  auto first = ProjectStore::create(dir);
  ASSERT_TRUE(first);
  const CaseId id = first.value()->addCase(fileCase((test::kSkimage / "camera.png").string())).value();

  auto second = ProjectStore::open(dir, OpenMode::ReadWrite);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, core::ErrorCode::Io);
  EXPECT_NE(second.error().message.find("open for writing in another"), std::string::npos) << second.error().message;

  auto reader = ProjectStore::open(dir, OpenMode::ReadWriteOrReadOnly);
  ASSERT_TRUE(reader) << reader.error().describe();
  EXPECT_TRUE(reader.value()->isReadOnly());
  const auto refused = reader.value()->addLabel(id, "tumour");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Io);
  EXPECT_NE(refused.error().message.find("read-only"), std::string::npos);

  // The reader sees what the writer commits afterwards.
  ASSERT_TRUE(first.value()->addLabel(id, "tumour"));
  EXPECT_EQ(reader.value()->labels(id).value(), std::vector<std::string>{"tumour"});

  // Once the writer is gone, a writer may open it again.
  first.value().reset();
  EXPECT_TRUE(ProjectStore::open(dir, OpenMode::ReadWrite));
}

TEST(ProjectStore, AProjectFromANewerMeridianIsRefusedAndLeftUnchanged) {
  const auto dir = freshFolder("p");
  ASSERT_TRUE(ProjectStore::create(dir));
  execRaw(dir, "PRAGMA user_version = 99; PRAGMA wal_checkpoint(TRUNCATE);");
  const auto before = core::sha256OfFile(dir / ProjectStore::kDatabaseName).value();
  for (auto mode : {OpenMode::ReadWrite, OpenMode::ReadOnly}) {
    auto store = ProjectStore::open(dir, mode);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, core::ErrorCode::Unsupported);
    EXPECT_NE(store.error().message.find("newer Meridian"), std::string::npos) << store.error().message;
  }
  EXPECT_EQ(core::sha256OfFile(dir / ProjectStore::kDatabaseName).value(), before);
}

TEST(ProjectStore, AStrangersSqliteFileIsNotTakenForAProject) {
  const auto dir = freshFolder("p");
  std::filesystem::create_directories(dir);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / ProjectStore::kDatabaseName).c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1);", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto store = ProjectStore::open(dir);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, core::ErrorCode::Corrupt);
}

TEST(ProjectStore, TheEventLogIsAppendOnly) {
  const auto dir = freshFolder("p");
  ASSERT_TRUE(ProjectStore::create(dir));
  execRaw(dir, "UPDATE events SET kind = 'forged'", SQLITE_CONSTRAINT);
  execRaw(dir, "DELETE FROM events", SQLITE_CONSTRAINT);
  auto store = ProjectStore::open(dir);
  ASSERT_TRUE(store);
  EXPECT_EQ(store.value()->events().value().at(0).kind, "project.create");
}

// An edit that fails after some of its writes (here the event log refuses its row, as a
// full disk or another program could make it) keeps none of them: the transaction is
// rolled back, not committed with the error reported.
TEST(ProjectStore, AnEditThatFailsHalfwayLeavesNothingBehind) {
  const auto dir = freshFolder("p");
  auto store = ProjectStore::create(dir).value();
  const CaseId id = store->addCase(fileCase((test::kSkimage / "camera.png").string())).value();
  // addLabel writes the class, then the case's label, then the event that fails.
  execRaw(dir, "CREATE TRIGGER refuse_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'log refused'); END;");
  ASSERT_FALSE(store->addLabel(id, "tumour"));
  EXPECT_EQ(store->labels(id).value(), std::vector<std::string>{});
  EXPECT_TRUE(store->listClasses().value().empty());
  // Once the log accepts rows again the same edit goes through.
  execRaw(dir, "DROP TRIGGER refuse_events");
  ASSERT_TRUE(store->addLabel(id, "tumour"));
  EXPECT_EQ(store->labels(id).value(), std::vector<std::string>{"tumour"});
}

TEST(ProjectStore, LabelsAreASetAndEveryChangeIsLogged) {
  auto store = ProjectStore::create(freshFolder("p")).value();
  store->setActor("dr. test");
  const CaseId id = store->addCase(fileCase((test::kSkimage / "camera.png").string())).value();
  ASSERT_TRUE(store->addLabel(id, "tumour"));
  ASSERT_TRUE(store->addLabel(id, "tumour"));  // no change, no event
  ASSERT_TRUE(store->addLabel(id, "benign"));
  ASSERT_TRUE(store->removeLabel(id, "tumour"));
  ASSERT_TRUE(store->removeLabel(id, "absent"));  // no change, no event
  EXPECT_EQ(store->labels(id).value(), std::vector<std::string>{"benign"});
  const auto classes = store->listClasses().value();
  ASSERT_EQ(classes.size(), 2u);
  EXPECT_NE(std::make_tuple(classes[0].red, classes[0].green, classes[0].blue),
            std::make_tuple(classes[1].red, classes[1].green, classes[1].blue));
  int labelEvents = 0;
  const auto events = store->events().value();
  for (const auto& e : events)
    if (e.kind.rfind("label.", 0) == 0) {
      ++labelEvents;
      EXPECT_EQ(e.actor, "dr. test");
      EXPECT_EQ(e.caseId, id);
    }
  EXPECT_EQ(labelEvents, 3);
  EXPECT_EQ(store->addLabel(id + 100, "x").error().code, core::ErrorCode::NotFound);
}

TEST(ProjectStore, AnnotationsRoundTripWithTheirGeometry) {
  const auto dir = freshFolder("p");
  CaseId id = 0;
  {
    auto store = ProjectStore::create(dir).value();
    id = store->addCase(fileCase((test::kSkimage / "camera.png").string())).value();
    core::Annotation a;
    a.id = "a1";
    a.shape = core::AnnotationShape::Polygon;
    a.points = {{1.5, 2.0}, {10, 2}, {10, 20.25}};
    a.className = "tumour";
    a.plane = "axial";
    a.slice = 7;
    ASSERT_TRUE(store->putAnnotation(id, a));
    core::Annotation b;
    b.id = "b2";
    b.shape = core::AnnotationShape::Point;
    b.points = {{3, 4}};
    ASSERT_TRUE(store->putAnnotation(id, b));
    b.points = {{5, 6}};  // replaced, not added
    ASSERT_TRUE(store->putAnnotation(id, b));
  }
  auto store = ProjectStore::open(dir).value();
  const auto all = store->annotations(id).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "a1");
  EXPECT_EQ(all[0].shape, core::AnnotationShape::Polygon);
  EXPECT_EQ(all[0].points.size(), 3u);
  EXPECT_DOUBLE_EQ(all[0].points[2][1], 20.25);
  EXPECT_EQ(all[0].className, "tumour");
  EXPECT_EQ(all[0].plane, "axial");
  EXPECT_EQ(all[0].slice, 7);
  EXPECT_EQ(all[1].shape, core::AnnotationShape::Point);
  EXPECT_DOUBLE_EQ(all[1].points[0][0], 5.0);
  ASSERT_TRUE(store->removeAnnotation(id, "a1"));
  EXPECT_EQ(store->annotations(id).value().size(), 1u);
  EXPECT_FALSE(store->annotation(id, "a1").value().has_value());
}

TEST(ProjectStore, PredictionsRunsReviewsAndTheCaseFilters) {
  auto store = ProjectStore::create(freshFolder("p")).value();
  store->setActor("reviewer one");
  const CaseId image = store->addCase(fileCase((test::kSkimage / "camera.png").string())).value();
  const CaseId volume = store->addCase(fileCase((test::kNibabel / "anatomical.nii").string(), CaseKind::Volume)).value();
  ModelRun run;
  run.task = "inference";
  run.modelName = "vit_t_16";
  run.weightsSha256 = std::string(64, 'a');
  const ModelRunId runId = store->startModelRun(run).value();
  Prediction p;
  p.caseId = volume;
  p.runId = runId;
  p.weightsSha256 = run.weightsSha256;
  p.outputsJson = R"({"tumour": 0.83})";
  p.mapFile = "maps/2-attention.nii.gz";
  const PredictionId pid = store->addPrediction(p).value();
  ASSERT_TRUE(store->finishModelRun(runId, "succeeded"));
  ReviewDecision d;
  d.caseId = volume;
  d.predictionId = pid;
  d.decision = "correct";
  d.correction = "benign";
  ASSERT_TRUE(store->addReview(d));
  ASSERT_TRUE(store->addLabel(image, "normal"));

  const auto runs = store->listModelRuns().value();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "succeeded");
  EXPECT_FALSE(runs[0].finishedUtc.empty());
  const auto preds = store->predictions(volume).value();
  ASSERT_EQ(preds.size(), 1u);
  EXPECT_EQ(preds[0].outputsJson, R"({"tumour": 0.83})");
  EXPECT_EQ(preds[0].runId, runId);
  const auto reviews = store->reviews(volume).value();
  ASSERT_EQ(reviews.size(), 1u);
  EXPECT_EQ(reviews[0].reviewer, "reviewer one");
  EXPECT_EQ(reviews[0].correction, "benign");
  EXPECT_EQ(reviews[0].decidedUtc.back(), 'Z');

  auto ids = [&](const CaseFilter& f) {
    std::vector<CaseId> out;
    const auto cases = store->listCases(f).value();  // a named copy: value() of a temporary dangles in a range-for
    for (const auto& c : cases) out.push_back(c.id);
    return out;
  };
  EXPECT_EQ(ids({CaseKind::Volume, {}, {}, {}}), std::vector<CaseId>{volume});
  EXPECT_EQ(ids({{}, std::string("normal"), {}, {}}), std::vector<CaseId>{image});
  EXPECT_EQ(ids({{}, {}, true, {}}), std::vector<CaseId>{volume});
  EXPECT_EQ(ids({{}, {}, false, {}}), std::vector<CaseId>{image});
  EXPECT_EQ(ids({{}, {}, {}, true}), std::vector<CaseId>{volume});
  EXPECT_EQ(ids({{}, {}, {}, false}), std::vector<CaseId>{image});

  // Removing a case removes what hangs on it; the log keeps the record.
  ASSERT_TRUE(store->removeCase(volume));
  EXPECT_TRUE(store->predictions(volume).value().empty());
  EXPECT_EQ(store->events().value().back().kind, "case.remove");
}

TEST(ProjectStore, AMovedOrChangedFileIsReportedAsSuch) {
  const auto dir = freshFolder("p");
  const auto copy = dir.parent_path() / "camera-copy.png";
  std::filesystem::copy_file(test::kSkimage / "camera.png", copy, std::filesystem::copy_options::overwrite_existing);
  auto store = ProjectStore::create(dir).value();
  const CaseId id = store->addCase(fileCase(copy.string())).value();
  EXPECT_EQ(store->checkCase(id).value().state, FileState::Unchanged);
  {
    std::ofstream out(copy, std::ios::app | std::ios::binary);
    out << "x";
  }
  const auto changed = store->checkCase(id).value();
  EXPECT_EQ(changed.state, FileState::Changed);
  EXPECT_NE(changed.detail.find("changed since it was added"), std::string::npos);
  std::filesystem::remove(copy);
  EXPECT_EQ(store->checkCase(id).value().state, FileState::Missing);
}

TEST(ProjectStore, ListenersHearAboutCommittedChanges) {
  auto store = ProjectStore::create(freshFolder("p")).value();
  std::vector<ProjectChange::What> heard;
  const int token = store->addChangeListener([&](const ProjectChange& c) { heard.push_back(c.what); });
  const CaseId id = store->addCase(fileCase((test::kSkimage / "camera.png").string())).value();
  ASSERT_TRUE(store->addLabel(id, "a"));
  ASSERT_TRUE(store->addLabel(id, "a"));  // nothing changed: nothing heard
  store->removeChangeListener(token);
  ASSERT_TRUE(store->removeLabel(id, "a"));
  EXPECT_EQ(heard, (std::vector<ProjectChange::What>{ProjectChange::What::Cases, ProjectChange::What::Labels}));
}

TEST(ProjectStore, AddingTheSameCaseTwiceIsRefused) {
  auto store = ProjectStore::create(freshFolder("p")).value();
  const auto path = (test::kSkimage / "camera.png").string();
  ASSERT_TRUE(store->addCase(fileCase(path)));
  auto again = store->addCase(fileCase(path));
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("already in the project"), std::string::npos);
  EXPECT_EQ(store->listCases().value().size(), 1u);
}

// A shape drawn on a volume's plane is kept in patient space (LPS, mm) with its plane and voxel
// slice; it reads back with its patient points only (its pixels are a viewer's business).
TEST(ProjectStore, VolumePlaneShapesAreStoredInPatientSpace) {
  const auto dir = freshFolder("p");
  CaseId id = 0;
  core::Annotation a;
  a.id = "plane1";
  a.shape = core::AnnotationShape::Rectangle;
  a.points = {{3, 4}, {30, 40}};  // the viewer's pixels: not what is kept
  a.patientPoints = {{-12.5, 40.25, -101.0}, {14.0, 61.125, -101.0}};
  a.className = "lesion";
  a.plane = "coronal";
  a.slice = 12;
  {
    auto store = ProjectStore::create(dir).value();
    id = store->addCase(fileCase((test::kNibabel / "anatomical.nii").string(), CaseKind::Volume)).value();
    ASSERT_TRUE(store->putAnnotation(id, a));
  }
  auto store = ProjectStore::open(dir).value();
  const auto all = store->annotations(id).value();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].plane, "coronal");
  EXPECT_EQ(all[0].slice, 12);
  EXPECT_EQ(all[0].shape, core::AnnotationShape::Rectangle);
  EXPECT_TRUE(all[0].points.empty());
  ASSERT_EQ(all[0].patientPoints.size(), 2u);
  EXPECT_EQ(all[0].patientPoints, a.patientPoints);  // JSON keeps doubles exactly
  const auto events = store->events().value();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, "annotation.put");
  EXPECT_NE(events.back().payloadJson.find("\"space\":\"lps\""), std::string::npos) << events.back().payloadJson;

  // Patient points without a plane or a slice say nothing a viewer can place: refused.
  core::Annotation noPlane = a;
  noPlane.id = "noPlane";
  noPlane.plane.clear();
  EXPECT_EQ(store->putAnnotation(id, noPlane).error().code, core::ErrorCode::InvalidArgument);
  core::Annotation noSlice = a;
  noSlice.id = "noSlice";
  noSlice.slice = -1;
  EXPECT_EQ(store->putAnnotation(id, noSlice).error().code, core::ErrorCode::InvalidArgument);
  EXPECT_EQ(store->annotations(id).value().size(), 1u);
}

// A project written before patient-space shapes (schema 2) opens, gains the column, and its
// shapes read as the pixel shapes they were.
TEST(ProjectStore, AVersion2ProjectKeepsItsPixelShapes) {
  const auto dir = freshFolder("p");
  CaseId id = 0;
  {
    auto store = ProjectStore::create(dir).value();
    id = store->addCase(fileCase((test::kSkimage / "camera.png").string())).value();
    core::Annotation a;
    a.id = "old";
    a.points = {{1, 2}, {3, 4}, {5, 0}};
    a.plane = "axial";
    a.slice = 3;
    ASSERT_TRUE(store->putAnnotation(id, a));
  }
  execRaw(dir, "ALTER TABLE annotations DROP COLUMN points_space; PRAGMA user_version = 2; "
               "PRAGMA wal_checkpoint(TRUNCATE);");
  auto store = ProjectStore::open(dir);
  ASSERT_TRUE(store) << store.error().describe();
  const auto all = store.value()->annotations(id).value();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].points.size(), 3u);
  EXPECT_TRUE(all[0].patientPoints.empty());
  EXPECT_EQ(all[0].slice, 3);
}
