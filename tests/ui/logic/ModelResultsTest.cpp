// The model panel's Qt-free logic (ui/logic ModelResults): rows from a real project's stored
// predictions (no model), sorting by probability, card text, curve clicks, device offer.

#include <gtest/gtest.h>

#include <filesystem>

#include "meridian/project/ProjectStore.hpp"
#include "meridian/service/StoredPrediction.hpp"
#include "meridian/ui/ModelResults.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {

service::CasePrediction prediction(float ct, float mr) {
  service::CasePrediction p;
  p.modelName = "m";
  p.probabilities = {{"modality", "CT", ct}, {"modality", "MR", mr}};
  p.topLabel = ct >= mr ? "CT" : "MR";
  p.topProbability = std::max(ct, mr);
  p.scoreAggregation = "image";
  return p;
}

project::CaseId addCase(project::ProjectStore& store, const std::string& name) {
  project::CaseRecord r;
  r.path = "/data/" + name;
  r.sha256 = std::string(64, '0');
  r.format = "PNG";
  return store.addCase(r).value();
}

void store(project::ProjectStore& s, project::CaseId id, const service::CasePrediction& p) {
  project::Prediction row;
  row.caseId = id;
  row.weightsSha256 = std::string(64, 'b');
  row.outputsJson = service::inferenceOutputsJson(p);
  ASSERT_TRUE(s.addPrediction(row));
}

}  // namespace

TEST(ModelResults, RowsAreTheNewestStoredInferencePerCaseAndSortByALabelsProbability) {
  const fs::path folder = fs::temp_directory_path() / "meridian-model-results-test";
  fs::remove_all(folder);
  auto s = project::ProjectStore::create(folder);
  ASSERT_TRUE(s) << s.error().message;
  auto& st = *s.value();
  const auto a = addCase(st, "a.png"), b = addCase(st, "b.png"), c = addCase(st, "c.png"), none = addCase(st, "d.png");
  store(st, a, prediction(0.9f, 0.1f));
  store(st, b, prediction(0.2f, 0.8f));
  store(st, c, prediction(0.3f, 0.7f));
  store(st, c, prediction(0.6f, 0.4f));  // a newer run of c
  project::Prediction explanation;     // a map record after it: not a row of its own
  explanation.caseId = c;
  explanation.mapFile = "maps/c.nii.gz";
  explanation.outputsJson = R"({"kind": "explanation", "method": "rollout"})";
  ASSERT_TRUE(st.addPrediction(explanation));
  int damaged = -1;
  auto rows = ui::resultRows(st, &damaged);
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(damaged, 0);
  ASSERT_EQ(rows.value().size(), 3u);  // d has no prediction
  EXPECT_EQ(rows.value()[0].caseName, "a.png");
  EXPECT_FLOAT_EQ(ui::probabilityOf(rows.value()[2], "CT"), 0.6f);  // c's newest
  (void)none;

  auto sorted = rows.value();
  ui::sortRows(sorted, "MR");
  EXPECT_EQ(sorted[0].caseId, b);
  EXPECT_EQ(sorted[1].caseId, c);
  EXPECT_EQ(sorted[2].caseId, a);
  ui::sortRows(sorted, "MR", true);
  EXPECT_EQ(sorted[0].caseId, a);
  ui::sortRows(sorted, "");  // by each row's top probability
  EXPECT_EQ(sorted[0].caseId, a);
  EXPECT_EQ(sorted[1].caseId, b);
  EXPECT_EQ(ui::labelColumns(sorted), (std::vector<std::string>{"CT", "MR"}));
  EXPECT_FLOAT_EQ(ui::probabilityOf(sorted[0], "fundus"), 0.f);
  fs::remove_all(folder);
}

TEST(ModelResults, CardLinesSayResearchUseOnlyAndGiveMetricsWithIntervals) {
  service::ModelCardView card;
  card.name = "demo";
  card.tasks = {{"modality", {"CT", "MR"}}};
  card.weightsSha256 = std::string(64, 'c');
  card.weightsVerified = true;
  card.metrics = {{"test_auroc", 0.4329, 0.41, 0.4566}, {"n", 64, 64, 64}};
  const auto lines = ui::cardLines(card);
  ASSERT_GE(lines.size(), 6u);
  EXPECT_EQ(lines[0], "demo");
  EXPECT_NE(lines[1].find("Research use only"), std::string::npos);
  EXPECT_EQ(lines[2], "Labels: modality: CT, MR");
  card.tasks = {{"label", {"CT", "MR"}}};
  EXPECT_EQ(ui::cardLines(card)[2], "Labels: CT, MR") << "the default task name is not repeated";
  card.tasks = {{"label", {"CT", "MR"}}, {"tumour", {"no", "yes"}}};
  EXPECT_EQ(ui::cardLines(card)[2], "Labels: label: CT, MR; tumour: no, yes");
  card.tasks = {{"modality", {"CT", "MR"}}};
  EXPECT_NE(lines[3].find("(verified)"), std::string::npos);
  bool auroc = false;
  for (const auto& l : lines) auroc = auroc || l == "  test_auroc  0.433 [0.410, 0.457]";
  EXPECT_TRUE(auroc);
  EXPECT_EQ(ui::formatMetric(card.metrics[1]), "64.000");
}

TEST(ModelResults, ACurveClickMeansTheNearestSliceInRange) {
  EXPECT_EQ(ui::sliceAtCurvePosition(41.4, 256), 41);
  EXPECT_EQ(ui::sliceAtCurvePosition(41.6, 256), 42);
  EXPECT_EQ(ui::sliceAtCurvePosition(-3.0, 256), 0);
  EXPECT_EQ(ui::sliceAtCurvePosition(300.0, 256), 255);
  EXPECT_FALSE(ui::sliceAtCurvePosition(3.0, 0));
}

TEST(ModelResults, PreferencesOfferCudaOnlyWithACudaLibTorchAndBf16OnlyWhereItRuns) {
  service::RuntimeCapabilities cpu;
  cpu.torchVersion = "1.13.1";
  cpu.bf16Reason = "the CPU has neither AVX-512-BF16 nor AMX";
  auto offer = ui::deviceOffer(cpu);
  EXPECT_EQ(offer.devices, (std::vector<std::string>{"cpu"}));
  EXPECT_FALSE(offer.bf16);
  EXPECT_NE(offer.note.find("CUDA: not offered"), std::string::npos);
  EXPECT_NE(offer.note.find("AMX"), std::string::npos);
  service::RuntimeCapabilities gpu = cpu;
  gpu.cudaAvailable = true;
  gpu.cudaDevices = 2;
  offer = ui::deviceOffer(gpu);
  EXPECT_EQ(offer.devices, (std::vector<std::string>{"cpu", "cuda", "cuda:0", "cuda:1"}));
  EXPECT_TRUE(offer.bf16);
  service::RuntimeCapabilities amx = cpu;
  amx.bf16Available = true;
  EXPECT_TRUE(ui::deviceOffer(amx).bf16);
}
