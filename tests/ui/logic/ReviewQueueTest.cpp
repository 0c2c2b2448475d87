// The review queue's rules (ui/ReviewQueue.hpp) on hand-computed probabilities: exact orders
// by margin, entropy and disagreement, the "not yet reviewed" filter, progress, advancing,
// what a decision records; then on a real project whose predictions were written through
// ProjectStore::startModelRun/addPrediction as a model run writes them.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "meridian/project/ProjectStore.hpp"
#include "meridian/ui/ReviewQueue.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using project::CaseId;
using ui::ReviewCandidate;
using ui::ReviewOrder;

namespace {

ReviewCandidate candidate(CaseId id, const std::string& outputs, std::vector<std::string> labels = {},
                          std::size_t reviews = 0) {
  auto p = ui::classProbabilities(outputs);
  EXPECT_TRUE(p.ok()) << outputs;
  return {id, 100 + id, p.value(), std::move(labels), reviews};
}

// Margins (top two): 1: .2, 2: .05, 3: .85, 4: .25, 5: 0, 6: .25 (ties with 4).
// Entropies (nats): 1: 1.0297, 2: 1.0805, 3: 0.3944, 4: 1.0397, 5: 1.0822, 6: 0.6616.
// Labels: 1 {b} disagrees (p(b) .3), 2 {a} agrees (.4), 3 {a} disagrees (.05), 4 {c} agrees (.5),
// 5 none, 6 {d} unknown to the model: disagrees with p 0. Cases 2 and 6 are reviewed.
std::vector<ReviewCandidate> sixCases() {
  return {candidate(1, R"({"probabilities": {"a": 0.5, "b": 0.3, "c": 0.2}})", {"b"}),
          candidate(2, R"({"probabilities": {"a": 0.4, "b": 0.35, "c": 0.25}})", {"a"}, 1),
          candidate(3, R"({"probabilities": {"a": 0.05, "b": 0.9, "c": 0.05}})", {"a"}),
          candidate(4, R"({"probabilities": {"a": 0.25, "b": 0.25, "c": 0.5}})", {"c"}),
          candidate(5, R"({"probabilities": {"a": 0.375, "b": 0.375, "c": 0.25}})"),
          candidate(6, R"({"probabilities": {"a": 0.0, "b": 0.625, "c": 0.375}})", {"d"}, 2)};
}

std::vector<CaseId> ids(const std::vector<ui::ReviewEntry>& queue) {
  std::vector<CaseId> out;
  for (const auto& e : queue) out.push_back(e.candidate.caseId);
  return out;
}

}  // namespace

TEST(ReviewQueue, ReadsProbabilitiesFromEachOutputLayoutHighestFirst) {
  for (const std::string json : {R"({"probabilities": {"normal": 0.2, "tumour": 0.8}, "top": "tumour"})",
                                 R"({"outputs": {"finding": {"normal": 0.2, "tumour": 0.8}}, "top": [{"label": "tumour"}]})",
                                 R"({"finding": {"normal": 0.2, "tumour": 0.8}})", R"({"normal": 0.2, "tumour": 0.8})",
                                 // the model service's layout: the top label's task only
                                 R"({"kind": "inference", "top": {"task": "finding", "label": "tumour", "probability": 0.8},
                                     "probabilities": [{"task": "quality", "label": "good", "probability": 0.9},
                                                       {"task": "finding", "label": "normal", "probability": 0.2},
                                                       {"task": "finding", "label": "tumour", "probability": 0.8}]})"}) {
    auto p = ui::classProbabilities(json);
    ASSERT_TRUE(p.ok()) << json << ": " << p.error().message;
    ASSERT_EQ(p.value().size(), 2u) << json;
    EXPECT_EQ(p.value()[0].name, "tumour") << json;
    EXPECT_DOUBLE_EQ(p.value()[0].probability, 0.8);
    EXPECT_EQ(p.value()[1].name, "normal");
  }
  for (const std::string bad : {"not json", "{}", R"({"a": 1.5})", R"({"a": "high"})", R"({"embedding": [0.1, 0.2]})",
                                R"([0.2, 0.8])"}) {
    auto p = ui::classProbabilities(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_FALSE(p.error().message.empty());
  }
}

TEST(ReviewQueue, MarginAndEntropyOnHandComputedValues) {
  const auto c = sixCases();
  EXPECT_NEAR(ui::topTwoMargin(c[0].probabilities), 0.2, 1e-12);
  EXPECT_NEAR(ui::topTwoMargin(c[4].probabilities), 0.0, 1e-12);
  EXPECT_NEAR(ui::topTwoMargin({{"only", 0.7}}), 0.7, 1e-12);
  EXPECT_NEAR(ui::entropy(c[0].probabilities), 1.029653, 1e-6);
  EXPECT_NEAR(ui::entropy(c[4].probabilities), 1.082196, 1e-6);
  EXPECT_NEAR(ui::entropy(c[5].probabilities), 0.661563, 1e-6);
  EXPECT_NEAR(ui::entropy({{"a", 0.5}, {"b", 0.5}}), std::log(2.0), 1e-12);
  EXPECT_NEAR(ui::entropy({{"a", 0.1}, {"b", 0.1}}), std::log(2.0), 1e-12) << "renormalised to sum to 1";
}

TEST(ReviewQueue, ExactOrdersByMarginEntropyAndDisagreement) {
  const auto c = sixCases();
  EXPECT_EQ(ids(ui::orderReviewQueue(c, ReviewOrder::Margin, false)), (std::vector<CaseId>{5, 2, 1, 4, 6, 3}));
  EXPECT_EQ(ids(ui::orderReviewQueue(c, ReviewOrder::Entropy, false)), (std::vector<CaseId>{5, 2, 4, 1, 6, 3}));
  EXPECT_EQ(ids(ui::orderReviewQueue(c, ReviewOrder::Disagreement, false)), (std::vector<CaseId>{6, 3, 1, 2, 4, 5}));
  const auto byDisagreement = ui::orderReviewQueue(c, ReviewOrder::Disagreement, false);
  EXPECT_TRUE(byDisagreement[0].disagrees);
  EXPECT_DOUBLE_EQ(byDisagreement[0].labelProbability, 0.0);
  EXPECT_EQ(byDisagreement[1].predicted, "b");
  EXPECT_FALSE(byDisagreement[3].disagrees);
  EXPECT_DOUBLE_EQ(byDisagreement[5].labelProbability, -1.0);
}

TEST(ReviewQueue, NotYetReviewedFilterProgressAndAdvancing) {
  const auto c = sixCases();
  const auto open = ui::orderReviewQueue(c, ReviewOrder::Margin, true);
  EXPECT_EQ(ids(open), (std::vector<CaseId>{5, 1, 4, 3}));
  const auto progress = ui::reviewProgress(c);
  EXPECT_EQ(progress.reviewed, 2u);
  EXPECT_EQ(progress.total, 6u);
  EXPECT_EQ(progress.text(), "2 of 6 reviewed");
  EXPECT_EQ(ui::caseAfter(open, 5), 1);
  EXPECT_EQ(ui::caseAfter(open, 4), 3);
  EXPECT_EQ(ui::caseAfter(open, 3), std::nullopt);
  EXPECT_EQ(ui::caseAfter(open, std::nullopt), 5);
  EXPECT_EQ(ui::caseAfter(open, 2), 5) << "a reviewed case is not in the filtered queue: start at the top";
  EXPECT_EQ(ui::caseAfter({}, 5), std::nullopt);
}

TEST(ReviewQueue, DecisionsAndCorrectionChoices) {
  const auto queue = ui::orderReviewQueue(sixCases(), ReviewOrder::Margin, false);
  const ui::ReviewEntry& five = queue[0];  // predicted a (tie with b broken by name)
  ASSERT_EQ(five.candidate.caseId, 5);
  EXPECT_EQ(five.predicted, "a");
  auto accept = ui::makeReviewDecision(five, ui::ReviewVerdict::Accept, "Dr Test");
  ASSERT_TRUE(accept.ok());
  EXPECT_EQ(accept.value().caseId, 5);
  EXPECT_EQ(accept.value().predictionId, 105);
  EXPECT_EQ(accept.value().decision, "accept");
  EXPECT_EQ(accept.value().reviewer, "Dr Test");
  const auto nobody = ui::makeReviewDecision(five, ui::ReviewVerdict::Accept, "");
  ASSERT_FALSE(nobody.ok());
  EXPECT_NE(nobody.error().message.find("Preferences"), std::string::npos);
  EXPECT_EQ(ui::makeReviewDecision(five, ui::ReviewVerdict::Reject, "Dr Test").value().decision, "reject");
  auto correct = ui::makeReviewDecision(five, ui::ReviewVerdict::Correct, "Dr Test", "b");
  ASSERT_TRUE(correct.ok());
  EXPECT_EQ(correct.value().decision, "correct");
  EXPECT_EQ(correct.value().correction, "b");
  EXPECT_FALSE(ui::makeReviewDecision(five, ui::ReviewVerdict::Correct, "Dr Test").ok());
  EXPECT_FALSE(ui::makeReviewDecision(five, ui::ReviewVerdict::Correct, "Dr Test", "a").ok()) << "that is an accept";
  EXPECT_FALSE(ui::makeReviewDecision(five, ui::ReviewVerdict::Reject, "Dr Test", "b").ok());
  const std::vector<project::LabelClass> classes = {{3, "d"}, {1, "b"}, {2, "artefact"}};
  EXPECT_EQ(ui::correctionChoices(five, classes), (std::vector<std::string>{"b", "artefact", "d", "a", "c"}));
}

TEST(ReviewQueue, ReadsTheLatestPredictionOfEachCaseFromARealProject) {
  const fs::path folder = fs::temp_directory_path() / "meridian-review-queue-test";
  fs::remove_all(folder);
  auto created = project::ProjectStore::create(folder);
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto& store = *created.value();
  std::vector<CaseId> cases;
  for (int i = 0; i < 4; ++i) {
    project::CaseRecord r;
    r.path = (folder / ("case" + std::to_string(i) + ".png")).string();
    cases.push_back(store.addCase(r).value());
  }
  // Two runs as the model service writes them; case 0 is predicted twice (the latest counts),
  // case 2 gets an embedding only, case 3 nothing.
  project::ModelRun run;
  run.task = "inference";
  run.modelName = "demo";
  run.weightsSha256 = std::string(64, 'a');
  const auto first = store.startModelRun(run).value();
  const auto second = store.startModelRun(run).value();
  const auto predict = [&](project::ModelRunId runId, CaseId id, const std::string& outputs) {
    project::Prediction p;
    p.caseId = id;
    p.runId = runId;
    p.weightsSha256 = run.weightsSha256;
    p.outputsJson = outputs;
    auto added = store.addPrediction(p);
    EXPECT_TRUE(added.ok()) << added.error().message;
    return added.value();
  };
  predict(first, cases[0], R"({"probabilities": {"normal": 0.9, "tumour": 0.1}})");
  predict(first, cases[1], R"({"probabilities": {"normal": 0.45, "tumour": 0.55}})");
  predict(first, cases[2], R"({"embedding_norm": 12.5})");
  const auto latest = predict(second, cases[0], R"({"probabilities": {"normal": 0.4, "tumour": 0.6}})");
  predict(second, cases[0], R"({"kind": "explanation", "method": "rollout", "head": -1})");  // newer, no probabilities
  ASSERT_TRUE(store.finishModelRun(first, "succeeded").ok());
  ASSERT_TRUE(store.finishModelRun(second, "succeeded").ok());
  ASSERT_TRUE(store.addLabel(cases[0], "normal").ok());

  std::size_t without = 0;
  auto candidates = ui::readReviewCandidates(store, &without);
  ASSERT_TRUE(candidates.ok()) << candidates.error().message;
  EXPECT_EQ(without, 2u);
  ASSERT_EQ(candidates.value().size(), 2u);
  EXPECT_EQ(candidates.value()[0].predictionId, latest);
  EXPECT_EQ(candidates.value()[0].labels, std::vector<std::string>{"normal"});
  auto queue = ui::orderReviewQueue(candidates.value(), ReviewOrder::Margin, true);
  EXPECT_EQ(ids(queue), (std::vector<CaseId>{cases[1], cases[0]}));  // margins .1 and .2
  queue = ui::orderReviewQueue(candidates.value(), ReviewOrder::Disagreement, true);
  EXPECT_EQ(ids(queue), (std::vector<CaseId>{cases[0], cases[1]}));  // labelled normal, predicted tumour

  // A decision goes into the store with the reviewer and the time; progress follows.
  auto decision = ui::makeReviewDecision(queue[0], ui::ReviewVerdict::Correct, "Dr Test", "normal");
  ASSERT_TRUE(decision.ok());
  ASSERT_TRUE(store.addReview(decision.value()).ok());
  candidates = ui::readReviewCandidates(store);
  ASSERT_TRUE(candidates.ok());
  EXPECT_EQ(ui::reviewProgress(candidates.value()).text(), "1 of 2 reviewed");
  EXPECT_EQ(ids(ui::orderReviewQueue(candidates.value(), ReviewOrder::Margin, true)), std::vector<CaseId>{cases[1]});
  const auto stored = store.reviews(cases[0]).value();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].reviewer, "Dr Test");
  EXPECT_EQ(stored[0].predictionId, latest);
  EXPECT_EQ(stored[0].correction, "normal");
  EXPECT_EQ(stored[0].decidedUtc.back(), 'Z');
  fs::remove_all(folder);
}
