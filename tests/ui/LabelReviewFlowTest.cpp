// Labelling and review in the window (issue 11, items 3 and 5), under Xvfb on a project made
// from the real demo folder: add classes -> label eight cases with the number keys, walking
// with N (next unlabelled) -> undo/redo -> review three cases from the queue with A, X and C
// -> undo/redo a decision -> reopen the project and find the labels and decisions. The
// predictions are written through ProjectStore::startModelRun/addPrediction exactly as a model
// run writes them (chosen probabilities, so the queue's order is known). A screenshot per step
// goes to build/test-output/ui/label-review-*.png for a person to look at.

#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QTableWidget>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "VolumeTestSupport.hpp"
#include "meridian/project/ProjectImport.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/Labelling.hpp"
#include "meridian/ui/LabelsPanel.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/ui/ReviewPanel.hpp"
#include "meridian/viewers/SlideViewer.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using project::CaseId;

namespace {
const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;
const fs::path kOut = MERIDIAN_TEST_OUTPUT;

void shot(ui::MainWindow& window, const std::string& name) {
  for (int i = 0; i < 10; ++i) QApplication::processEvents();
  if (window.currentViewerKind() == viewers::ViewerKind::Slide) (void)window.slideViewer()->waitForFieldOfView();
  fs::create_directories(kOut);
  const fs::path file = kOut / ("label-review-" + name + ".png");
  ASSERT_TRUE(window.grab().save(QString::fromStdString(file.string()), "PNG")) << file;
  std::cout << "screenshot: " << file.string() << "\n";
}

/// A key as a person presses it with the viewer focused (no window manager under Xvfb:
/// window shortcuts need the window made active by hand).
void press(ui::MainWindow& window, Qt::Key key, Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
  QApplication::setActiveWindow(&window);
  window.currentViewer()->setFocus();
  QTest::keyClick(&window, key, modifiers);
  for (int i = 0; i < 5; ++i) QApplication::processEvents();
}

std::vector<std::string> labelsOf(const project::ProjectStore& store, CaseId id) {
  auto labels = store.labels(id);
  return labels ? labels.value() : std::vector<std::string>{};
}

/// The demo folder as a project, with one inference run's predictions on every case, written
/// as a model run writes them. P(tumour) per case in the order the cases were added, the slide
/// left out: top-two margins |2p - 1| of .04, .80, .40, .20, .10, .60, .80, .10, so the queue by
/// margin starts with the 1st, 5th and 8th of them (5th and 8th tie at .10: case id decides).
/// The slide gets a confident .99 (margin .98, last in the queue): opening a slide under a
/// loaded Xvfb costs seconds the test does not need.
struct DemoProject {
  std::vector<CaseId> ids;        // every case, in the order added
  std::vector<CaseId> byMargin;   // the expected queue, smallest margin first
  CaseId slide = 0;
};

DemoProject makeDemoProject(const fs::path& folder) {
  constexpr double kTumour[] = {0.52, 0.9, 0.3, 0.6, 0.45, 0.8, 0.1, 0.55};
  DemoProject demo;
  fs::remove_all(folder);
  auto store = project::ProjectStore::create(folder).value();
  auto report = project::importIntoProject(*store, {kDemo});
  EXPECT_TRUE(report.ok()) << report.error().message;
  std::vector<CaseId> others;
  const auto cases = store->listCases();
  for (const auto& c : cases.value()) {
    demo.ids.push_back(c.id);
    if (c.kind == project::CaseKind::Slide) demo.slide = c.id;
    else others.push_back(c.id);
  }
  EXPECT_EQ(others.size(), std::size(kTumour)) << "the demo folder: 5 files and 4 series, one of them a slide";
  if (others.size() < std::size(kTumour)) return demo;
  demo.byMargin = {others[0], others[4], others[7], others[3]};
  project::ModelRun run;
  run.task = "inference";
  run.modelName = "label-review test run";
  run.weightsSha256 = std::string(64, '0');
  const auto runId = store->startModelRun(run).value();
  for (CaseId id : demo.ids) {
    const auto at = std::find(others.begin(), others.end(), id);
    const double p = at == others.end() ? 0.99 : kTumour[at - others.begin()];
    project::Prediction prediction;
    prediction.caseId = id;
    prediction.runId = runId;
    prediction.weightsSha256 = run.weightsSha256;
    prediction.outputsJson = nlohmann::json{{"top_label", p >= 0.5 ? "tumour" : "normal"},
                                            {"probabilities", {{"normal", 1 - p}, {"tumour", p}}}}
                                 .dump();
    auto added = store->addPrediction(prediction);
    EXPECT_TRUE(added.ok()) << added.error().message;
  }
  EXPECT_TRUE(store->finishModelRun(runId, "succeeded").ok());
  return demo;
}

/// A window on the project with a reviewer name set, as a person would have it.
void openAsReviewer(ui::MainWindow& window, const fs::path& folder) {
  ASSERT_TRUE(testsupport::showExposed(window, 1600, 1000));
  ui::Preferences preferences = window.preferences();
  preferences.reviewerName = "Dr Test";
  window.setPreferences(preferences);
  ASSERT_TRUE(window.openProject(folder).ok());
}
}  // namespace

TEST(LabelReviewFlow, LabelEightCasesWithKeysUndoRenameReopen) {
  QElapsedTimer clock;
  clock.start();
  const fs::path folder = kOut / "label-review-labels-project";
  const DemoProject demo = makeDemoProject(folder);
  ASSERT_EQ(demo.ids.size(), 9u);
  std::cout << "project made in " << clock.elapsed() << " ms\n";
  std::vector<CaseId> labelled;
  {
    ui::MainWindow window;
    openAsReviewer(window, folder);
    auto* labels = window.findChild<ui::LabelsPanel*>();
    ASSERT_NE(labels, nullptr);
    labels->raise();  // a tab beside Tools & overlays
    auto& store = *window.caseBrowser()->store();

    // 1. Two classes typed into the Labels panel: keys 1 and 2.
    auto* newClass = labels->findChild<QLineEdit*>(QStringLiteral("newClassEdit"));
    auto* addClass = labels->findChild<QPushButton*>(QStringLiteral("addClassButton"));
    ASSERT_TRUE(newClass && addClass);
    for (const QString& name : {QStringLiteral("normal"), QStringLiteral("tumor")}) {
      newClass->setText(name);
      addClass->click();
    }
    EXPECT_FALSE(labels->addClass("normal").ok()) << "a second class of the same name";
    ASSERT_EQ(labels->classList()->count(), 2);
    EXPECT_TRUE(labels->classList()->item(0)->text().startsWith(QStringLiteral("1 ")))
        << labels->classList()->item(0)->text().toStdString();
    // Start on the case after the slide, so that walking eight cases never opens the slide.
    const auto& order = window.caseBrowser()->order();
    ASSERT_EQ(order.size(), demo.ids.size());
    const auto slideAt = std::find(order.begin(), order.end(), demo.slide) - order.begin();
    window.caseBrowser()->selectCase(order[static_cast<std::size_t>(slideAt + 1) % order.size()]);
    shot(window, "1-classes");

    // 2. Eight cases: key 1 or 2 labels the case on screen, N opens the next unlabelled one.
    for (int k = 0; k < 8; ++k) {
      if (k > 0) {
        const CaseId before = *window.caseBrowser()->currentCase();
        press(window, Qt::Key_N);
        EXPECT_NE(*window.caseBrowser()->currentCase(), before) << "N opens the next unlabelled case";
      }
      const CaseId current = *window.caseBrowser()->currentCase();
      EXPECT_TRUE(labelsOf(store, current).empty()) << "case " << current << " was labelled already";
      press(window, k % 3 == 0 ? Qt::Key_2 : Qt::Key_1);
      EXPECT_EQ(labelsOf(store, current), std::vector<std::string>{k % 3 == 0 ? "tumor" : "normal"}) << "case " << current;
      labelled.push_back(current);
      if (k == 3) shot(window, "2-labelling");
    }
    EXPECT_EQ(labels->summary().counts, (std::vector<int>{5, 3}));  // normal, tumor
    EXPECT_EQ(labels->summary().unlabelled, 1) << "the slide";
    EXPECT_EQ(ui::stepUnlabelled(order, labels->summary().labels, labelled.back(), +1), demo.slide);
    // The same key again takes the label off; Ctrl+Z puts it back, Ctrl+Shift+Z takes it off again.
    const CaseId last = labelled.back();  // labelled "normal" with key 1
    press(window, Qt::Key_1);
    EXPECT_TRUE(labelsOf(store, last).empty());
    press(window, Qt::Key_Z, Qt::ControlModifier);
    EXPECT_EQ(labelsOf(store, last), std::vector<std::string>{"normal"});
    press(window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    EXPECT_TRUE(labelsOf(store, last).empty());
    press(window, Qt::Key_1);
    EXPECT_EQ(labelsOf(store, last), std::vector<std::string>{"normal"});
    // A class renamed: its cases follow, and Ctrl+Z would rename it back.
    ASSERT_TRUE(labels->renameClass("tumor", "tumour").ok());
    EXPECT_EQ(labelsOf(store, labelled.front()), std::vector<std::string>{"tumour"});
    EXPECT_EQ(labels->summary().counts, (std::vector<int>{5, 3}));
    EXPECT_TRUE(labels->classList()->item(1)->text().contains(QStringLiteral("tumour — 3")))
        << labels->classList()->item(1)->text().toStdString();
    EXPECT_EQ(window.caseBrowser()->undoStack()->undoText(), "Rename class 'tumor' to 'tumour'");
    shot(window, "3-eight-labelled");
  }
  // 3. Reopen: the eight labels are there, the panel counts them.
  ui::MainWindow window;
  openAsReviewer(window, folder);
  const auto& store = *window.caseBrowser()->store();
  for (std::size_t k = 0; k < labelled.size(); ++k)
    EXPECT_EQ(labelsOf(store, labelled[k]), std::vector<std::string>{k % 3 == 0 ? "tumour" : "normal"}) << k;
  auto* labels = window.findChild<ui::LabelsPanel*>();
  labels->raise();
  QApplication::processEvents();
  EXPECT_EQ(labels->summary().counts, (std::vector<int>{5, 3}));
  shot(window, "4-labels-reopened");
  std::cout << "labelling flow took " << clock.elapsed() << " ms (shared 2-core machine, loaded)\n";
}

TEST(LabelReviewFlow, ReviewThreeCasesFromTheQueueWithKeysUndoReopen) {
  QElapsedTimer clock;
  clock.start();
  const fs::path folder = kOut / "label-review-queue-project";
  const DemoProject demo = makeDemoProject(folder);
  ASSERT_EQ(demo.byMargin.size(), 4u);
  const std::string total = std::to_string(demo.ids.size());
  {
    ui::MainWindow window;
    openAsReviewer(window, folder);
    auto* review = window.findChild<ui::ReviewPanel*>();
    ASSERT_NE(review, nullptr);
    auto& store = *window.caseBrowser()->store();
    review->raise();
    QApplication::processEvents();

    // 1. The queue, smallest margin first, not yet reviewed.
    ASSERT_EQ(review->queue().size(), demo.ids.size());
    for (std::size_t i = 0; i < demo.byMargin.size(); ++i)
      EXPECT_EQ(review->queue()[i].candidate.caseId, demo.byMargin[i]) << i;
    EXPECT_EQ(review->queue().back().candidate.caseId, demo.slide);
    EXPECT_EQ(review->progress().text(), "0 of " + total + " reviewed");
    ASSERT_TRUE(review->openFirst().ok());
    EXPECT_EQ(*window.caseBrowser()->currentCase(), demo.byMargin[0]);
    shot(window, "5-queue");

    // 2. A accepts, X rejects; each is recorded and opens the next case of the queue.
    press(window, Qt::Key_A);
    EXPECT_EQ(*window.caseBrowser()->currentCase(), demo.byMargin[1]);
    press(window, Qt::Key_X);
    EXPECT_EQ(*window.caseBrowser()->currentCase(), demo.byMargin[2]);
    EXPECT_EQ(review->progress().text(), "2 of " + total + " reviewed");
    shot(window, "6-accepted-rejected");
    // C opens a menu of the other classes: its key 1 corrects this case (predicted tumour) to normal.
    QTimer::singleShot(300, [] {
      if (QWidget* menu = QApplication::activePopupWidget()) QTest::keyClick(menu, Qt::Key_1);
    });
    press(window, Qt::Key_C);
    EXPECT_EQ(*window.caseBrowser()->currentCase(), demo.byMargin[3]);
    EXPECT_EQ(review->progress().text(), "3 of " + total + " reviewed");
    EXPECT_EQ(review->queue().size(), demo.ids.size() - 3) << "not yet reviewed only";
    EXPECT_EQ(labelsOf(store, demo.byMargin[2]), std::vector<std::string>{"normal"}) << "the correction labels the case";
    EXPECT_TRUE(labelsOf(store, demo.byMargin[0]).empty()) << "an accept leaves the labels alone";
    // Ctrl+Z takes the last decision (and its label) back, Ctrl+Shift+Z records it again.
    press(window, Qt::Key_Z, Qt::ControlModifier);
    EXPECT_TRUE(store.reviews(demo.byMargin[2]).value().empty());
    EXPECT_TRUE(labelsOf(store, demo.byMargin[2]).empty());
    EXPECT_EQ(review->progress().text(), "2 of " + total + " reviewed");
    press(window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    EXPECT_EQ(review->progress().text(), "3 of " + total + " reviewed");
    EXPECT_EQ(labelsOf(store, demo.byMargin[2]), std::vector<std::string>{"normal"});
    shot(window, "7-three-reviewed");
  }

  // 3. Reopen: the decisions, with reviewer, UTC time, prediction and correction.
  ui::MainWindow window;
  openAsReviewer(window, folder);
  const auto& store = *window.caseBrowser()->store();
  const std::vector<std::string> decisions = {"accept", "reject", "correct"};
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    const auto r = store.reviews(demo.byMargin[i]).value();
    ASSERT_EQ(r.size(), 1u) << "case " << demo.byMargin[i];
    EXPECT_EQ(r[0].decision, decisions[i]);
    EXPECT_EQ(r[0].reviewer, "Dr Test");
    EXPECT_EQ(r[0].decidedUtc.back(), 'Z');
    EXPECT_TRUE(r[0].predictionId.has_value());
  }
  EXPECT_EQ(store.reviews(demo.byMargin[2]).value()[0].correction, "normal");
  EXPECT_EQ(labelsOf(store, demo.byMargin[2]), std::vector<std::string>{"normal"});
  auto* review = window.findChild<ui::ReviewPanel*>();
  review->raise();
  QApplication::processEvents();
  EXPECT_EQ(review->progress().text(), "3 of " + total + " reviewed");
  shot(window, "8-reviews-reopened");
  std::cout << "review flow took " << clock.elapsed() << " ms (shared 2-core machine, loaded)\n";
}
