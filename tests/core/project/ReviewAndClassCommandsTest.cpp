// Review decisions and class renames as undoable edits (ReviewCommand.hpp,
// RenameClassCommand.hpp) over the store's removeReview / renameClass.

#include <gtest/gtest.h>

#include <algorithm>

#include "ProjectTestSupport.hpp"
#include "meridian/project/RenameClassCommand.hpp"
#include "meridian/project/ReviewCommand.hpp"

using namespace meridian;
using namespace meridian::project;

namespace {

std::vector<std::string> eventKinds(const ProjectStore& store) {
  std::vector<std::string> kinds;
  for (const auto& e : store.events().value()) kinds.push_back(e.kind);
  return kinds;
}

bool logged(const ProjectStore& store, const std::string& kind) {
  const auto kinds = eventKinds(store);
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

CaseId addCase(ProjectStore& store, const std::string& name) {
  CaseRecord r;
  r.path = (test::kSkimage / name).string();
  return store.addCase(r).value();
}

}  // namespace

TEST(RenameClass, CasesFollowUndoRenamesBackAndTheProjectKeepsIt) {
  const auto folder = test::freshFolder("p");
  CaseId a = 0, b = 0;
  {
    auto store = ProjectStore::create(folder).value();
    a = addCase(*store, "camera.png");
    b = addCase(*store, "coins.png");
    ASSERT_TRUE(store->addLabel(a, "tumor").ok());
    ASSERT_TRUE(store->addLabel(b, "tumor").ok());
    ASSERT_TRUE(store->addLabel(b, "normal").ok());
    const ClassId id = store->ensureClass("tumor").value();
    UndoStack undo(*store);
    ASSERT_TRUE(undo.push(makeRenameClass("tumor", "tumour")).ok());
    EXPECT_EQ(store->labels(a).value(), std::vector<std::string>{"tumour"});
    EXPECT_EQ(store->labels(b).value(), (std::vector<std::string>{"normal", "tumour"}));
    EXPECT_EQ(store->ensureClass("tumour").value(), id) << "the same class, renamed";
    EXPECT_EQ(undo.undoText(), "Rename class 'tumor' to 'tumour'");
    EXPECT_TRUE(logged(*store, "class.rename"));
    ASSERT_TRUE(undo.undo().ok());
    EXPECT_EQ(store->labels(a).value(), std::vector<std::string>{"tumor"});
    ASSERT_TRUE(undo.redo().ok());
    // Refused: a name another class has, a class that does not exist. Nothing changes.
    const auto taken = store->renameClass("tumour", "normal");
    ASSERT_FALSE(taken.ok());
    EXPECT_NE(taken.error().message.find("normal"), std::string::npos) << taken.error().message;
    EXPECT_EQ(store->renameClass("nothing", "x").error().code, core::ErrorCode::NotFound);
    EXPECT_FALSE(store->renameClass("tumour", "").ok());
    EXPECT_EQ(store->labels(b).value(), (std::vector<std::string>{"normal", "tumour"}));
  }
  auto reopened = ProjectStore::open(folder).value();
  EXPECT_EQ(reopened->labels(a).value(), std::vector<std::string>{"tumour"});
  EXPECT_EQ(reopened->listClasses().value().size(), 2u);
}

TEST(ReviewCommand, RecordsReviewerAndTimeUndoRemovesRedoRecordsAgain) {
  const auto folder = test::freshFolder("p");
  CaseId id = 0;
  {
    auto store = ProjectStore::create(folder).value();
    id = addCase(*store, "camera.png");
    Prediction p;
    p.caseId = id;
    p.outputsJson = R"({"probabilities": {"normal": 0.3, "tumour": 0.7}})";
    const PredictionId prediction = store->addPrediction(p).value();
    ReviewDecision d;
    d.caseId = id;
    d.predictionId = prediction;
    d.reviewer = "Dr Ada";
    d.decision = "correct";
    d.correction = "normal";
    ASSERT_TRUE(store->addLabel(id, "tumour").ok());  // what the case was labelled before the review
    UndoStack undo(*store);
    ASSERT_TRUE(undo.push(makeAddReview(d)).ok());
    // The correction is the case's label now (the same label edits as the Labels panel's).
    EXPECT_EQ(store->labels(id).value(), std::vector<std::string>{"normal"});
    EXPECT_TRUE(logged(*store, "label.remove"));
    EXPECT_TRUE(logged(*store, "label.add"));
    auto reviews = store->reviews(id).value();
    ASSERT_EQ(reviews.size(), 1u);
    EXPECT_EQ(reviews[0].reviewer, "Dr Ada");
    EXPECT_EQ(reviews[0].predictionId, prediction);
    EXPECT_EQ(reviews[0].correction, "normal");
    const std::string& utc = reviews[0].decidedUtc;  // 2026-12-02T03:04:05.123Z
    ASSERT_EQ(utc.size(), 24u) << utc;
    EXPECT_EQ(utc[10], 'T');
    EXPECT_EQ(utc.back(), 'Z');
    EXPECT_EQ(undo.undoText(), "Review (correct as 'normal') of case " + std::to_string(id));
    ASSERT_TRUE(undo.undo().ok());
    EXPECT_TRUE(store->reviews(id).value().empty());
    EXPECT_EQ(store->labels(id).value(), std::vector<std::string>{"tumour"}) << "undo restores the labels";
    EXPECT_TRUE(logged(*store, "review.remove")) << "the log keeps the decision and its removal";
    EXPECT_TRUE(logged(*store, "review.add"));
    ASSERT_TRUE(undo.redo().ok());
    ASSERT_EQ(store->reviews(id).value().size(), 1u);
    EXPECT_EQ(store->labels(id).value(), std::vector<std::string>{"normal"});
    // Accept and reject leave the labels alone.
    for (const char* verdict : {"accept", "reject"}) {
      ReviewDecision other = d;
      other.decision = verdict;
      other.correction.clear();
      ASSERT_TRUE(undo.push(makeAddReview(other)).ok());
      EXPECT_EQ(store->labels(id).value(), std::vector<std::string>{"normal"}) << verdict;
      ASSERT_TRUE(undo.undo().ok());
    }
    EXPECT_EQ(store->removeReview(987654).error().code, core::ErrorCode::NotFound);
    // The case browser's filter sees the decision.
    CaseFilter reviewed;
    reviewed.reviewed = true;
    EXPECT_EQ(store->listCases(reviewed).value().size(), 1u);
  }
  auto reopened = ProjectStore::open(folder).value();
  ASSERT_EQ(reopened->reviews(id).value().size(), 1u);
  EXPECT_EQ(reopened->reviews(id).value()[0].decision, "correct");
  EXPECT_EQ(reopened->labels(id).value(), std::vector<std::string>{"normal"});
}
