// The workstation flow a new user walks (issue 15, item 9), under Xvfb with the real demo
// folder: new project -> add the demo folder (an import job) -> browse (tree, thumbnails)
// -> open each kind of case -> label two cases -> undo -> reopen the project. A screenshot
// per step goes to build/test-output/ui/flow-*.png for a person to look at.

#include <gtest/gtest.h>

#include <QAction>
#include <QComboBox>
#include <QApplication>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QPushButton>
#include <QStatusBar>
#include <QTableWidget>
#include <QTest>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>

#include <filesystem>
#include <iostream>
#include <map>

#include "WorkstationTestSupport.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/JobsPanel.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/ui/PreferencesStore.hpp"
#include "meridian/viewers/SlideViewer.hpp"
#include "meridian/viewers/VolumeViewer.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using viewers::ViewerKind;

namespace {
const fs::path kDemo = testsupport::kDemoData;
const fs::path kOut = testsupport::kUiOutput;
using testsupport::labelsOf;
using testsupport::waitUntil;

void shot(ui::MainWindow& window, const std::string& name) { testsupport::screenshot(window, name); }

void labelCurrentCase(ui::MainWindow& window, const QString& name) {
  auto* edit = window.caseBrowser()->findChild<QLineEdit*>(QStringLiteral("labelEdit"));
  auto* button = window.caseBrowser()->findChild<QPushButton*>(QStringLiteral("addLabelButton"));
  ASSERT_TRUE(edit && button);
  edit->setText(name);
  button->click();
}
}  // namespace

TEST(WorkstationFlow, NewProjectAddDemoBrowseOpenEachKindLabelUndoReopen) {
  const fs::path folder = kOut / "flow-project";
  fs::remove_all(folder);
  std::vector<project::CaseId> labelled;
  {
    ui::MainWindow window;
    ASSERT_TRUE(testsupport::showExposed(window, 1600, 1000));
    // 1. New project.
    ASSERT_TRUE(window.newProject(folder).ok());
    ASSERT_TRUE(project::ProjectStore::isProject(folder));
    shot(window, "flow-1-new-project.png");

    // 2. Add the demo folder: an import job in the Jobs panel; the window stays usable.
    auto job = window.caseBrowser()->addPaths({kDemo});
    ASSERT_TRUE(job.ok()) << job.error().message;
    EXPECT_GE(window.jobsPanel()->table()->rowCount(), 1);
    ASSERT_TRUE(waitUntil([&] {
      auto s = window.jobsPanel()->runner().status(job.value());
      return s && core::isFinished(s->state) && !window.caseBrowser()->order().empty();
    }));
    EXPECT_EQ(window.jobsPanel()->runner().status(job.value())->state, core::JobState::Succeeded);
    shot(window, "flow-2-demo-added.png");

    // 3. Browse: every case in the tree, thumbnails made by a job and cached in the project.
    auto cases = window.caseBrowser()->store()->listCases();
    ASSERT_TRUE(cases.ok());
    ASSERT_GE(cases.value().size(), 8u) << "the demo folder holds 5 files and 4 series (one file may be a series)";
    EXPECT_EQ(window.caseBrowser()->order().size(), cases.value().size());
    ASSERT_TRUE(waitUntil([&] { return window.caseBrowser()->thumbnailsShown() == static_cast<int>(cases.value().size()); }))
        << window.caseBrowser()->thumbnailsShown() << " thumbnails for " << cases.value().size() << " cases";
    EXPECT_TRUE(fs::exists(folder / "thumbnails"));
    shot(window, "flow-3-browse.png");
    // The kind filter: only the slide is left; back to all kinds.
    auto* kind = window.caseBrowser()->findChild<QComboBox*>(QStringLiteral("kindFilter"));
    ASSERT_NE(kind, nullptr);
    kind->setCurrentIndex(kind->findData(QStringLiteral("slide")));
    EXPECT_EQ(window.caseBrowser()->order().size(), 1u);
    kind->setCurrentIndex(0);
    EXPECT_EQ(window.caseBrowser()->order().size(), cases.value().size());

    // 4. Open each case, walking with the keyboard (Alt+Down = next case); each kind lands
    // in its viewer. One screenshot per kind.
    std::map<std::string, int> shotsPerKind;
    QApplication::setActiveWindow(&window);  // no window manager under Xvfb: shortcuts need an active window
    window.caseBrowser()->tree()->setFocus();
    for (std::size_t i = 0; i < window.caseBrowser()->order().size(); ++i) {
      // (No window manager under Xvfb: after a busy dialog nothing gives the window back its
      // activation, and window shortcuts need an active window.)
      QApplication::setActiveWindow(&window);
      QTest::keyClick(&window, Qt::Key_Down, Qt::AltModifier);
      ASSERT_TRUE(window.caseBrowser()->currentCase().has_value());
      EXPECT_EQ(*window.caseBrowser()->currentCase(), window.caseBrowser()->order()[i]);
      auto record = window.caseBrowser()->store()->getCase(*window.caseBrowser()->currentCase());
      ASSERT_TRUE(record.ok());
      const auto& r = record.value();
      switch (r.kind) {
        case project::CaseKind::Slide:
          EXPECT_EQ(window.currentViewerKind(), ViewerKind::Slide) << r.path;
          break;
        case project::CaseKind::Image:
          EXPECT_EQ(window.currentViewerKind(), ViewerKind::Image2D) << r.path;
          break;
        case project::CaseKind::Volume:
          // Scalar volumes in the volume viewer; a colour cine loop frame by frame in the 2D one.
          EXPECT_GE(window.currentSlice(), 0) << r.path;
          if (window.currentViewerKind() == ViewerKind::Volume) EXPECT_TRUE(window.volumeViewer()->hasVolume());
          break;
      }
      const std::string kind = project::toString(r.kind);
      if (shotsPerKind[kind]++ == 0) shot(window, "flow-4-open-" + kind + ".png");
    }
    EXPECT_EQ(shotsPerKind.size(), 3u) << "images, volumes and slides";

    // 5. Label two cases (the first and the second in the tree).
    const auto& order = window.caseBrowser()->order();
    window.caseBrowser()->selectCase(order[0]);
    labelCurrentCase(window, QStringLiteral("tumour"));
    window.caseBrowser()->selectCase(order[1]);
    labelCurrentCase(window, QStringLiteral("normal"));
    labelled = {order[0], order[1]};
    const auto& store = *window.caseBrowser()->store();
    EXPECT_EQ(labelsOf(store, order[0]), std::vector<std::string>{"tumour"});
    EXPECT_EQ(labelsOf(store, order[1]), std::vector<std::string>{"normal"});
    auto* undo = window.findChild<QAction*>(QStringLiteral("undoAction"));
    ASSERT_NE(undo, nullptr);
    EXPECT_TRUE(undo->isEnabled());
    shot(window, "flow-5-two-cases-labelled.png");

    // 6. Undo (Ctrl+Z): the second label goes, the first stays; redo is offered.
    QApplication::setActiveWindow(&window);
    QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);
    EXPECT_EQ(labelsOf(store, order[1]), std::vector<std::string>{});
    EXPECT_EQ(labelsOf(store, order[0]), std::vector<std::string>{"tumour"});
    EXPECT_TRUE(window.findChild<QAction*>(QStringLiteral("redoAction"))->isEnabled());
    shot(window, "flow-6-undo.png");

    // A second window on the same project while this one holds it: read-only, never a second writer.
    ui::MainWindow second;
    ASSERT_TRUE(second.openProject(folder).ok());
    EXPECT_TRUE(second.caseBrowser()->store()->isReadOnly());
  }
  // 7. Reopen the project in a new window: what was acknowledged is there.
  ui::MainWindow window;
  ASSERT_TRUE(testsupport::showExposed(window, 1600, 1000));
  ASSERT_TRUE(window.openProject(folder).ok());
  EXPECT_FALSE(window.caseBrowser()->store()->isReadOnly());
  ASSERT_FALSE(ui::recentProjects().isEmpty());
  EXPECT_EQ(ui::recentProjects().front().toStdString(), folder.string()) << "File ▸ Recent projects";
  const auto& store = *window.caseBrowser()->store();
  EXPECT_EQ(labelsOf(store, labelled[0]), std::vector<std::string>{"tumour"});
  EXPECT_EQ(labelsOf(store, labelled[1]), std::vector<std::string>{});
  window.caseBrowser()->selectCase(labelled[0]);
  ASSERT_TRUE(waitUntil([&] { return window.caseBrowser()->thumbnailsShown() > 0; }));
  shot(window, "flow-7-reopened.png");
}

// pydicom's CT5N with slice 2693 removed joins a project WITH its mark: the case browser
// shows it with a warning sign and the tooltip the Files list gives the same folder; the
// status line after the import says how many joined incomplete.
TEST(CaseBrowser, AnIncompleteSeriesIsMarkedInTheTree) {
  const fs::path root = kOut / "case-browser-gap";
  fs::remove_all(root);
  fs::create_directories(root);
  fs::copy("/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests/98892001/CT5N", root / "CT5N");
  fs::remove(root / "CT5N" / "2693");
  ui::MainWindow window;
  ASSERT_TRUE(testsupport::showExposed(window, 1400, 900));
  testsupport::newProjectWith(window, root / "project", {root / "CT5N", kDemo / "ct-slice.dcm"});
  ASSERT_EQ(window.caseBrowser()->order().size(), 2u);
  QTreeWidgetItem* marked = nullptr;
  int cases = 0;
  for (QTreeWidgetItemIterator it(window.caseBrowser()->tree()); *it; ++it) {
    if ((*it)->childCount() > 0) continue;  // patients and studies
    ++cases;
    if ((*it)->text(0).startsWith(QStringLiteral("⚠ "))) {
      EXPECT_EQ(marked, nullptr) << "two cases marked";
      marked = *it;
    }
  }
  EXPECT_EQ(cases, 2);
  ASSERT_NE(marked, nullptr) << "the incomplete series is not marked";
  EXPECT_TRUE(marked->text(0).contains(QStringLiteral("(4 images)"))) << marked->text(0).toStdString();
  const QString tip = marked->toolTip(0);
  EXPECT_TRUE(tip.contains(QStringLiteral("incomplete series: 1 slice missing"))) << tip.toStdString();
  EXPECT_TRUE(tip.contains(QStringLiteral("3.7625) mm"))) << tip.toStdString();
  EXPECT_TRUE(window.statusBar()->currentMessage().contains(QStringLiteral("1 of them incomplete")))
      << window.statusBar()->currentMessage().toStdString();
  shot(window, "case-browser-incomplete-series.png");
}
