// Editing a case of a project in the window (issue 15): region annotations go through the
// undo stack and the project (draw, move, delete; Ctrl+Z / Ctrl+Shift+Z; reopen) on a 2D image
// and on a CT's planes (kept in patient space with plane and slice), and a case
// whose file changed or moved after import is marked in the case browser and not re-read
// silently. Screenshots in build/test-output/ui/case-*.png.

#include <gtest/gtest.h>

#include <QAbstractButton>
#include <QApplication>
#include <QElapsedTimer>
#include <QMessageBox>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>

#include "MouseInput.hpp"
#include "WorkstationTestSupport.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/ui/CaseAnnotations.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/CaseFileChecks.hpp"
#include "meridian/ui/JobsPanel.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/viewers/ImageViewer2D.hpp"
#include "meridian/viewers/MprPlaneView.hpp"
#include "meridian/viewers/PlaneShapes.hpp"
#include "meridian/viewers/VolumeViewer.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using viewers::ViewerKind;

namespace {
const fs::path kDemo = testsupport::kDemoData;
const fs::path kOut = testsupport::kUiOutput;
using testsupport::waitUntil;
using testsupport::importAndWait;

void shot(QWidget& window, const std::string& name) { testsupport::screenshot(window, name); }

std::vector<core::Annotation> stored(ui::MainWindow& window, project::CaseId id) {
  auto a = window.caseBrowser()->store()->annotations(id);
  return a ? a.value() : std::vector<core::Annotation>{};
}

QPointF at(viewers::ImageViewer2D* viewer, double x, double y) {
  const auto v = viewer->state().imageToView(x, y);
  return {v[0], v[1]};
}

void keys(ui::MainWindow& window, Qt::Key key, Qt::KeyboardModifiers modifiers) { testsupport::press(window, key, modifiers); }
}  // namespace

TEST(CaseAnnotations, DrawMoveDeleteUndoRedoAndReopenKeepTheProjectInStep) {
  const fs::path folder = kOut / "case-annotations-project";
  fs::remove_all(folder);
  project::CaseId id = 0;
  std::string rectangleId;
  {
    ui::MainWindow window;
    ASSERT_TRUE(testsupport::showExposed(window, 1400, 900));
    testsupport::newProjectWith(window, folder, {kDemo / "fundus-retina.jpg"});
    ASSERT_EQ(window.caseBrowser()->order().size(), 1u);
    id = window.caseBrowser()->order()[0];
    window.caseBrowser()->selectCase(id);
    ASSERT_EQ(window.currentViewerKind(), ViewerKind::Image2D);
    ASSERT_EQ(window.caseAnnotations()->boundCase(), id);
    auto* viewer = window.viewer();

    // Draw a rectangle: one edit, saved at once.
    viewer->setLabelClass(QStringLiteral("Lesion"));
    viewer->setTool(viewers::Tool2D::LabelRectangle);
    testsupport::drag(viewer, at(viewer, 100, 100), at(viewer, 300, 250));
    ASSERT_EQ(stored(window, id).size(), 1u) << "the drawn rectangle is in the project";
    const core::Annotation drawn = stored(window, id)[0];
    rectangleId = drawn.id;
    EXPECT_EQ(drawn.shape, core::AnnotationShape::Rectangle);
    EXPECT_EQ(drawn.className, "Lesion");
    EXPECT_EQ(window.caseBrowser()->undoStack()->undoText(), "Add annotation to case " + std::to_string(id));

    // Move it by dragging its body: many mouse moves, one edit.
    viewer->setTool(viewers::Tool2D::EditLabels);
    testsupport::drag(viewer, at(viewer, 200, 175), at(viewer, 260, 215), Qt::LeftButton, 8);
    ASSERT_EQ(stored(window, id).size(), 1u);
    const core::Annotation moved = stored(window, id)[0];
    EXPECT_NEAR(moved.points[0][0] - drawn.points[0][0], 60, 1.0);
    EXPECT_EQ(window.caseBrowser()->undoStack()->undoText(), "Change annotation on case " + std::to_string(id));
    shot(window, "case-annotations-1-moved.png");

    // Ctrl+Z once: back where it was drawn (the drag was one step), in the project and on screen.
    keys(window, Qt::Key_Z, Qt::ControlModifier);
    ASSERT_EQ(stored(window, id).size(), 1u);
    EXPECT_TRUE(project::sameAnnotation(stored(window, id)[0], drawn));
    ASSERT_EQ(viewer->labels().annotations().annotations.size(), 1u);
    EXPECT_TRUE(project::sameAnnotation(viewer->labels().annotations().annotations[0], drawn)) << "the viewer follows";
    // Ctrl+Shift+Z: moved again.
    keys(window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    EXPECT_TRUE(project::sameAnnotation(stored(window, id)[0], moved));
    EXPECT_TRUE(project::sameAnnotation(viewer->labels().annotations().annotations[0], moved));

    // Delete it (select by clicking inside, Delete): gone from the project; Ctrl+Z brings it back.
    testsupport::click(viewer, at(viewer, 260, 215));
    viewer->setFocus();
    testsupport::pressKey(viewer, Qt::Key_Delete);
    EXPECT_TRUE(viewer->labels().annotations().annotations.empty());
    EXPECT_TRUE(stored(window, id).empty()) << "the deletion is in the project";
    shot(window, "case-annotations-2-deleted.png");
    keys(window, Qt::Key_Z, Qt::ControlModifier);
    ASSERT_EQ(stored(window, id).size(), 1u);
    EXPECT_TRUE(project::sameAnnotation(stored(window, id)[0], moved));
    EXPECT_EQ(viewer->labels().annotations().annotations.size(), 1u);
    shot(window, "case-annotations-3-undone.png");
  }
  // Reopen: the case opens with its rectangle where it was left.
  ui::MainWindow again;
  ASSERT_TRUE(testsupport::showExposed(again, 1400, 900));
  ASSERT_TRUE(again.openProject(folder).ok());
  again.caseBrowser()->selectCase(id);
  ASSERT_EQ(again.currentViewerKind(), ViewerKind::Image2D);
  const auto shown = again.viewer()->labels().annotations().annotations;
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].id, rectangleId);
  EXPECT_TRUE(project::sameAnnotation(shown[0], stored(again, id)[0]));
  shot(again, "case-annotations-4-reopened.png");
}

// Shapes drawn on a CT's axial and coronal planes are kept in the project with their plane,
// voxel slice and patient-space points (the ones the viewer's plane shows there), go through
// Ctrl+Z / Ctrl+Shift+Z, and come back on their planes and slices when the case is reopened.
TEST(CaseAnnotations, ShapesOnAVolumesPlanesAreKeptInPatientSpaceUndoneAndReopened) {
  const fs::path folder = kOut / "case-volume-annotations-project";
  fs::remove_all(folder);
  project::CaseId id = 0;
  std::vector<core::Annotation> drawn;  // as the viewer held them, with plane, slice and both point sets
  int axialSlice = 0, coronalSlice = 0;
  {
    ui::MainWindow window;
    ASSERT_TRUE(testsupport::showExposed(window, 1400, 900));
    ASSERT_TRUE(window.newProject(folder).ok());
    importAndWait(window, {kDemo / "ct-abdomen-stent.nii.gz"});
    ASSERT_EQ(window.caseBrowser()->order().size(), 1u);
    id = window.caseBrowser()->order()[0];
    window.caseBrowser()->selectCase(id);
    ASSERT_EQ(window.currentViewerKind(), ViewerKind::Volume);
    ASSERT_EQ(window.caseAnnotations()->boundCase(), id) << "a volume's shapes are kept too";
    auto* viewer = window.volumeViewer();
    auto& state = viewer->state();
    state.setSliceIndex(viewers::Plane::Axial, 140);
    viewer->refresh();
    axialSlice = state.sliceIndex(viewers::Plane::Axial);
    coronalSlice = state.sliceIndex(viewers::Plane::Coronal);
    auto* axial = viewer->planeView(viewers::Plane::Axial);
    auto* coronal = viewer->planeView(viewers::Plane::Coronal);
    testsupport::processEvents();

    // A rectangle on the axial plane: one edit, in the project at once, in patient space.
    viewer->setLabelClass(QStringLiteral("Stent"));
    viewer->setTool(viewers::Tool2D::LabelRectangle);
    testsupport::drag(axial, {axial->width() * 0.40, axial->height() * 0.38}, {axial->width() * 0.58, axial->height() * 0.52});
    testsupport::processEvents();
    ASSERT_EQ(stored(window, id).size(), 1u) << "the rectangle drawn on the axial plane is in the project";
    // A point on the coronal plane: a second edit.
    viewer->setTool(viewers::Tool2D::LabelPoint);
    testsupport::click(coronal, {coronal->width() * 0.5, coronal->height() * 0.45});
    testsupport::processEvents();  // a click's shape is saved once the release is handled
    ASSERT_EQ(stored(window, id).size(), 2u);
    drawn = viewer->annotations().annotations;
    ASSERT_EQ(drawn.size(), 2u);
    for (const auto& shape : drawn) {
      auto kept = window.caseBrowser()->store()->annotation(id, shape.id).value();
      ASSERT_TRUE(kept) << shape.id;
      EXPECT_EQ(kept->plane, shape.plane);
      EXPECT_EQ(kept->slice, shape.slice);
      EXPECT_EQ(kept->className, "Stent");
      EXPECT_TRUE(kept->points.empty()) << "pixels are not what is kept";
      // The patient points are where the viewer's plane shows the shape's pixels on its slice.
      const viewers::Plane plane = shape.plane == "axial" ? viewers::Plane::Axial : viewers::Plane::Coronal;
      ASSERT_EQ(kept->patientPoints.size(), shape.points.size());
      for (std::size_t i = 0; i < shape.points.size(); ++i) {
        const core::Vec3 shown = state.grid(plane).physical(shape.points[i][0], shape.points[i][1], state.depth(plane));
        for (std::size_t a = 0; a < 3; ++a) EXPECT_NEAR(kept->patientPoints[i][a], shown[a], 1e-6) << shape.plane;
      }
    }
    EXPECT_EQ(stored(window, id)[0].plane, "axial");
    EXPECT_EQ(stored(window, id)[0].slice, axialSlice);
    EXPECT_EQ(stored(window, id)[1].plane, "coronal");
    EXPECT_EQ(stored(window, id)[1].slice, coronalSlice);
    shot(window, "case-volume-annotations-1-drawn.png");

    // Ctrl+Z takes the point back, in the project and on the coronal plane; Ctrl+Shift+Z redoes it.
    keys(window, Qt::Key_Z, Qt::ControlModifier);
    ASSERT_EQ(stored(window, id).size(), 1u);
    EXPECT_EQ(stored(window, id)[0].plane, "axial");
    EXPECT_EQ(coronal->tools().labelCount(), 0u) << "the viewer follows the undo";
    EXPECT_EQ(axial->tools().labelCount(), 1u);
    keys(window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    ASSERT_EQ(stored(window, id).size(), 2u);
    EXPECT_EQ(coronal->tools().labelCount(), 1u);
  }
  // Reopened: both shapes on their planes and slices, at the pixels they were drawn at.
  ui::MainWindow again;
  ASSERT_TRUE(testsupport::showExposed(again, 1400, 900));
  ASSERT_TRUE(again.openProject(folder).ok());
  again.caseBrowser()->selectCase(id);
  ASSERT_EQ(again.currentViewerKind(), ViewerKind::Volume);
  auto* viewer = again.volumeViewer();
  viewer->state().setSliceIndex(viewers::Plane::Axial, axialSlice);
  viewer->refresh();
  const auto shown = viewer->annotations().annotations;
  ASSERT_EQ(shown.size(), drawn.size());
  for (const auto& before : drawn) {
    const auto it = std::find_if(shown.begin(), shown.end(), [&](const core::Annotation& a) { return a.id == before.id; });
    ASSERT_NE(it, shown.end()) << before.id;
    EXPECT_EQ(it->plane, before.plane);
    EXPECT_EQ(it->slice, before.slice);
    ASSERT_EQ(it->points.size(), before.points.size());
    for (std::size_t i = 0; i < before.points.size(); ++i) {
      EXPECT_NEAR(it->points[i][0], before.points[i][0], 1e-6);
      EXPECT_NEAR(it->points[i][1], before.points[i][1], 1e-6);
    }
  }
  EXPECT_FALSE(again.caseBrowser()->undoStack()->canUndo()) << "showing the stored shapes is not an edit";
  shot(again, "case-volume-annotations-2-reopened.png");
}

TEST(CaseFileChecks, AFileChangedOrMovedAfterImportIsMarkedAndOpeningItAsks) {
  const fs::path files = kOut / "case-checks-files";
  const fs::path folder = kOut / "case-checks-project";
  fs::remove_all(files);
  fs::remove_all(folder);
  fs::create_directories(files);
  for (const char* name : {"fundus-retina.jpg", "pathology-ihc.png", "ct-slice.dcm"})
    fs::copy_file(kDemo / name, files / name);
  {
    ui::MainWindow window;
    testsupport::newProjectWith(window, folder, {files});
  }
  const fs::path changed = files / "fundus-retina.jpg";
  std::ofstream(changed, std::ios::binary | std::ios::app) << "edited after import";  // still opens
  const fs::path moved = files / "pathology-ihc.png";
  fs::rename(moved, files / "moved-away.png");

  ui::MainWindow window;
  ASSERT_TRUE(testsupport::showExposed(window, 1400, 900));
  ASSERT_TRUE(window.openProject(folder).ok());
  // The check runs as a job (off the UI thread) and marks the tree when it ends.
  bool jobSeen = false;
  for (const auto& job : window.jobsPanel()->runner().jobs()) jobSeen |= job.title == "Check files";
  EXPECT_TRUE(jobSeen);
  ASSERT_TRUE(waitUntil([&] { return window.caseBrowser()->fileChecks().done(); }));
  auto* store = window.caseBrowser()->store();
  project::CaseId changedId = 0, movedId = 0;
  for (const auto& c : store->listCases().value()) {
    if (fs::path(c.path).filename() == changed.filename()) changedId = c.id;
    if (fs::path(c.path).filename() == moved.filename()) movedId = c.id;
  }
  ASSERT_TRUE(changedId && movedId);
  QTreeWidgetItem* changedItem = nullptr;
  QTreeWidgetItem* movedItem = nullptr;
  int marked = 0;
  for (QTreeWidgetItemIterator it(window.caseBrowser()->tree()); *it; ++it) {
    const QVariant v = (*it)->data(0, Qt::UserRole);
    if (!v.isValid()) continue;
    marked += (*it)->text(0).startsWith(QStringLiteral("⚠"));
    if (v.toLongLong() == changedId) changedItem = *it;
    if (v.toLongLong() == movedId) movedItem = *it;
  }
  ASSERT_TRUE(changedItem && movedItem);
  EXPECT_EQ(marked, 2) << "only the changed and the moved case";
  EXPECT_TRUE(changedItem->text(0).startsWith(QStringLiteral("⚠"))) << changedItem->text(0).toStdString();
  EXPECT_TRUE(changedItem->toolTip(0).contains(QStringLiteral("changed since it was added")))
      << changedItem->toolTip(0).toStdString();
  EXPECT_TRUE(movedItem->toolTip(0).contains(QStringLiteral("is missing"))) << movedItem->toolTip(0).toStdString();
  shot(window, "case-checks-1-marked.png");

  // Opening the changed case asks first; Cancel leaves the viewer as it was.
  const QString titleBefore = window.windowTitle();
  int asked = 0;
  auto answer = [&](QMessageBox::StandardButton button) {
    QTimer::singleShot(50, [&, button] {
      auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
      if (!box || box->objectName() != QStringLiteral("changedCaseWarning")) return;
      ++asked;
      EXPECT_TRUE(box->text().contains(QStringLiteral("changed since it was added"))) << box->text().toStdString();
      if (button == QMessageBox::Open) box->grab().save(QString::fromStdString((kOut / "case-checks-2-warning.png").string()));
      box->button(button)->click();
    });
  };
  answer(QMessageBox::Cancel);
  window.caseBrowser()->selectCase(changedId);
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(window.windowTitle(), titleBefore) << "not re-read after Cancel";
  // A moved file is refused with the reason (no question: there is nothing to open).
  const auto missing = window.openCase(store->getCase(movedId).value());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("is missing"), std::string::npos) << missing.error().message;
  EXPECT_EQ(asked, 1);
  // Open: it opens, knowingly.
  answer(QMessageBox::Open);
  window.caseBrowser()->selectCase(changedId);
  EXPECT_EQ(asked, 2);
  EXPECT_EQ(window.windowTitle().toStdString(), "fundus-retina.jpg — Meridian") << "opened after Open";
  std::cout << "screenshot: " << (kOut / "case-checks-2-warning.png").string() << "\n";
}

// A new project has no files to check: its check has ended at once (no job), and an import
// keeps it so. done() used to stay false for ever on a project made with File ▸ New project,
// and the walk test and bench_model_panel waited on it until they timed out.
TEST(CaseFileChecks, ANewProjectsCheckHasEndedAtOnceWithoutAJob) {
  const fs::path folder = kOut / "checks-new-project";
  fs::remove_all(folder);
  ui::MainWindow window;
  ASSERT_TRUE(window.newProject(folder).ok());
  EXPECT_TRUE(window.caseBrowser()->fileChecks().done());
  for (const auto& job : window.jobsPanel()->runner().jobs()) EXPECT_NE(job.title, "Check files");
  importAndWait(window, {kDemo / "fundus-retina.jpg"});
  EXPECT_TRUE(window.caseBrowser()->fileChecks().done());
  EXPECT_EQ(window.caseBrowser()->fileChecks().problem(window.caseBrowser()->order().front()), nullptr);
}
