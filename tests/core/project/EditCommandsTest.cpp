#include "meridian/project/EditCommands.hpp"

#include <gtest/gtest.h>

#include "ProjectTestSupport.hpp"
#include "meridian/core/FileHash.hpp"

using namespace meridian;
using namespace meridian::project;

namespace {

struct Fixture {
  std::unique_ptr<ProjectStore> store;
  CaseId id = 0;
};

Fixture makeProject() {
  Fixture f;
  f.store = ProjectStore::create(test::freshFolder("p")).value();
  CaseRecord r;
  r.path = (test::kSkimage / "camera.png").string();
  r.sha256 = core::sha256OfFile(r.path).value();
  r.files.push_back({r.path, r.sha256, 0});
  f.id = f.store->addCase(r).value();
  return f;
}

core::Annotation polygon(const std::string& id, double x) {
  core::Annotation a;
  a.id = id;
  a.points = {{x, 0}, {x + 5, 0}, {x + 5, 5}};
  a.className = "tumour";
  return a;
}

}  // namespace

TEST(UndoStack, UndoAndRedoALabelCommitEachStep) {
  auto f = makeProject();
  UndoStack undo(*f.store);
  ASSERT_TRUE(undo.push(makeAddLabel(f.id, "tumour")));
  ASSERT_TRUE(undo.push(makeAddLabel(f.id, "benign")));
  EXPECT_EQ(f.store->labels(f.id).value(), (std::vector<std::string>{"benign", "tumour"}));
  EXPECT_EQ(undo.undoText(), "Add label 'benign' to case 1");

  ASSERT_TRUE(undo.undo());
  EXPECT_EQ(f.store->labels(f.id).value(), std::vector<std::string>{"tumour"});
  ASSERT_TRUE(undo.undo());
  EXPECT_TRUE(f.store->labels(f.id).value().empty());
  EXPECT_FALSE(undo.canUndo());
  EXPECT_EQ(undo.undo().error().code, core::ErrorCode::InvalidArgument);

  ASSERT_TRUE(undo.redo());
  EXPECT_EQ(f.store->labels(f.id).value(), std::vector<std::string>{"tumour"});
  // A new edit clears what could be redone.
  ASSERT_TRUE(undo.push(makeRemoveLabel(f.id, "tumour")));
  EXPECT_FALSE(undo.canRedo());
  ASSERT_TRUE(undo.undo());
  EXPECT_EQ(f.store->labels(f.id).value(), std::vector<std::string>{"tumour"});

  // Each step is in the event log; a reopened project holds the last state.
  int adds = 0, removes = 0;
  const auto events = f.store->events().value();
  for (const auto& e : events) {
    adds += e.kind == "label.add";
    removes += e.kind == "label.remove";
  }
  EXPECT_EQ(adds, 4);     // tumour, benign, redo tumour, undo of the remove
  EXPECT_EQ(removes, 3);  // undo benign, undo tumour, remove tumour
}

TEST(UndoStack, UndoOfAddingALabelTheCaseHadKeepsIt) {
  auto f = makeProject();
  ASSERT_TRUE(f.store->addLabel(f.id, "tumour"));
  UndoStack undo(*f.store);
  ASSERT_TRUE(undo.push(makeAddLabel(f.id, "tumour")));
  ASSERT_TRUE(undo.undo());
  EXPECT_EQ(f.store->labels(f.id).value(), std::vector<std::string>{"tumour"});
}

TEST(UndoStack, AnnotationsAddChangeRemoveAndBack) {
  auto f = makeProject();
  UndoStack undo(*f.store);
  ASSERT_TRUE(undo.push(makePutAnnotation(f.id, polygon("r1", 0))));
  ASSERT_TRUE(undo.push(makePutAnnotation(f.id, polygon("r1", 100))));  // moved
  ASSERT_TRUE(undo.push(makeRemoveAnnotation(f.id, "r1")));
  EXPECT_TRUE(f.store->annotations(f.id).value().empty());

  ASSERT_TRUE(undo.undo());  // back: the moved shape
  auto a = f.store->annotation(f.id, "r1").value();
  ASSERT_TRUE(a);
  EXPECT_DOUBLE_EQ(a->points[0][0], 100.0);
  ASSERT_TRUE(undo.undo());  // back: the first shape
  EXPECT_DOUBLE_EQ(f.store->annotation(f.id, "r1").value()->points[0][0], 0.0);
  ASSERT_TRUE(undo.undo());  // gone
  EXPECT_FALSE(f.store->annotation(f.id, "r1").value());
  ASSERT_TRUE(undo.redo());
  ASSERT_TRUE(undo.redo());
  EXPECT_DOUBLE_EQ(f.store->annotation(f.id, "r1").value()->points[0][0], 100.0);
}

TEST(UndoStack, AFailedEditLeavesTheStacksAsTheyWere) {
  auto f = makeProject();
  UndoStack undo(*f.store);
  ASSERT_TRUE(undo.push(makeAddLabel(f.id, "tumour")));
  EXPECT_FALSE(undo.push(makeAddLabel(f.id + 7, "tumour")));  // no such case
  EXPECT_EQ(undo.undoText(), "Add label 'tumour' to case 1");
  EXPECT_FALSE(undo.push(makePutAnnotation(f.id, core::Annotation{})));  // no id
  ASSERT_TRUE(undo.undo());
  EXPECT_FALSE(undo.canUndo());
}

// What the window does with a viewer's shapes: diff the viewer's set against the store's.
TEST(AnnotationEdits, DiffPutsNewAndChangedShapesAndRemovesGoneOnesAsOneStep) {
  auto f = makeProject();
  ASSERT_TRUE(f.store->putAnnotation(f.id, polygon("kept", 0)));
  ASSERT_TRUE(f.store->putAnnotation(f.id, polygon("moved", 10)));
  ASSERT_TRUE(f.store->putAnnotation(f.id, polygon("deleted", 20)));
  const auto before = f.store->annotations(f.id).value();
  EXPECT_EQ(makeAnnotationEdits(f.id, before, before), nullptr) << "no change, no edit";

  std::vector<core::Annotation> after{polygon("kept", 0), polygon("moved", 15), polygon("new", 30)};
  UndoStack undo(*f.store);
  auto edit = makeAnnotationEdits(f.id, before, after);
  ASSERT_NE(edit, nullptr);
  ASSERT_TRUE(undo.push(std::move(edit)));
  const auto stored = f.store->annotations(f.id).value();
  ASSERT_EQ(stored.size(), after.size());
  for (const auto& a : after) {
    auto s = f.store->annotation(f.id, a.id).value();
    ASSERT_TRUE(s) << a.id;
    EXPECT_TRUE(sameAnnotation(*s, a)) << a.id;
  }
  EXPECT_FALSE(f.store->annotation(f.id, "deleted").value());
  EXPECT_EQ(undo.undoText(), "Edit 3 annotations on case 1");

  ASSERT_TRUE(undo.undo());  // one step brings all three back
  const auto restored = f.store->annotations(f.id).value();
  ASSERT_EQ(restored.size(), before.size());
  for (const auto& a : before) EXPECT_TRUE(sameAnnotation(*f.store->annotation(f.id, a.id).value(), a)) << a.id;
  EXPECT_FALSE(f.store->annotation(f.id, "new").value());
  EXPECT_FALSE(undo.canUndo());
}

// A volume's shape: put, undone and redone through the stack with its patient points; the
// viewer's copy (pixels added, the points a rounding apart after a trip through the plane's
// grid) is the same shape, so showing it again makes no edit.
TEST(AnnotationEdits, APlaneShapeIsUndoneAndRedoneByItsPatientPoints) {
  auto f = makeProject();
  core::Annotation a;
  a.id = "ct1";
  a.shape = core::AnnotationShape::Polygon;
  a.patientPoints = {{10.0, -20.0, 35.5}, {15.0, -20.0, 35.5}, {15.0, -12.0, 35.5}};
  a.plane = "axial";
  a.slice = 9;
  UndoStack undo(*f.store);
  ASSERT_TRUE(undo.push(makeAnnotationEdits(f.id, {}, {a})));
  auto stored = f.store->annotations(f.id).value();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_TRUE(sameAnnotation(stored[0], a));

  core::Annotation shown = a;
  shown.points = {{40, 50}, {45, 50}, {45, 58}};
  for (auto& p : shown.patientPoints) p[0] += 1e-9;
  EXPECT_EQ(makeAnnotationEdits(f.id, stored, {shown}), nullptr) << "a rounding apart is the same place";
  shown.patientPoints[1][1] += 0.5;  // a vertex moved half a millimetre
  EXPECT_NE(makeAnnotationEdits(f.id, stored, {shown}), nullptr);

  ASSERT_TRUE(undo.undo());
  EXPECT_TRUE(f.store->annotations(f.id).value().empty());
  ASSERT_TRUE(undo.redo());
  stored = f.store->annotations(f.id).value();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].patientPoints, a.patientPoints);
  EXPECT_EQ(stored[0].plane, "axial");
  EXPECT_EQ(stored[0].slice, 9);
}
