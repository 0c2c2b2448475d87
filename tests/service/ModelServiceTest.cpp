// The model service on real data, through its loader (as the window and meridian-cli reach
// it): the bundled model's card, predictions of a 2D image, a volume and a slide stored in a
// project, explanations stored beside them, and the bad inputs of issue 11 (weights that do
// not match the card, a model for another modality, a cancelled run) leaving the project
// as it was.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <cstdlib>
#include <fstream>

#include "meridian/project/ProjectImport.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/service/BundledModel.hpp"
#include "meridian/service/ModelServiceLoader.hpp"
#include "meridian/service/StoredPrediction.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {

const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;
const fs::path kBundled = MERIDIAN_TEST_BUNDLED_MODEL;
const fs::path kFixtures = MERIDIAN_TEST_SERVICE_FIXTURES;

class ModelServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    folder_ = fs::path(MERIDIAN_TEST_OUTPUT) / info->name();
    fs::remove_all(folder_);
    auto store = project::ProjectStore::create(folder_);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store).value();
    auto made = service::createModelService();
    ASSERT_TRUE(made) << made.error().message;
    service_ = std::move(made).value();
  }

  /// Adds files to the project; returns their case ids in order.
  std::vector<project::CaseId> add(const std::vector<fs::path>& paths) {
    auto report = project::importIntoProject(*store_, paths);
    EXPECT_TRUE(report) << (report ? "" : report.error().message);
    EXPECT_TRUE(report.value().failed.empty());
    return report.value().added;
  }

  void loadBundled() {
    auto card = service_->loadModel(kBundled, {});
    ASSERT_TRUE(card) << card.error().message;
  }

  std::size_t predictionCount(project::CaseId id) const { return store_->predictions(id).value().size(); }

  fs::path folder_;
  std::unique_ptr<project::ProjectStore> store_;
  std::unique_ptr<service::ModelService> service_;
};

TEST_F(ModelServiceTest, BundledModelCardShowsLabelsHashTrainingAndMetricsWithIntervals) {
  auto card = service_->loadModel(kBundled, {});
  ASSERT_TRUE(card) << card.error().message;
  const auto& c = card.value();
  EXPECT_EQ(c.name, "meridian-default-vit-t16");
  EXPECT_EQ(c.labels, (std::vector<std::string>{"CT", "MR", "fundus", "pathology"}));
  EXPECT_EQ(c.weightsSha256.size(), 64u);
  EXPECT_TRUE(c.weightsVerified);
  EXPECT_EQ(c.heads, 3);
  EXPECT_NE(c.trainingSummary.find("probe"), std::string::npos) << c.trainingSummary;
  EXPECT_NE(c.useNotice.find("Research use only"), std::string::npos);
  bool auroc = false;
  for (const auto& m : c.metrics)
    if (m.name == "test_auroc") {
      auroc = true;
      EXPECT_NEAR(m.value, 0.9405, 1e-3);  // the card's held-out modality AUROC (resources/README.md)
      EXPECT_LT(m.ciLow, m.value);
      EXPECT_GT(m.ciHigh, m.value);
    }
  EXPECT_TRUE(auroc);
  ASSERT_TRUE(service_->loadedModel());
  EXPECT_EQ(service_->deviceState().summary, "cpu fp32");
  EXPECT_EQ(service::bundledModelCandidates().empty(), false);
}

TEST_F(ModelServiceTest, WeightsThatDoNotMatchTheCardAreRefusedAndTheLoadedModelStays) {
  loadBundled();
  auto bad = service_->loadModel(kFixtures / "bad-weights-model", {});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("SHA-256"), std::string::npos) << bad.error().message;
  ASSERT_TRUE(service_->loadedModel());
  EXPECT_EQ(service_->loadedModel()->folder, fs::absolute(kBundled).lexically_normal());
}

TEST_F(ModelServiceTest, PredictsAnImageAndAVolumeAndStoresThemWithTheModelHash) {
  loadBundled();
  const auto ids = add({kDemo / "fundus-retina.jpg", kDemo / "mr-brain.nii"});
  ASSERT_EQ(ids.size(), 2u);
  std::vector<project::CaseId> seen;
  service::PredictCallbacks callbacks;
  callbacks.caseDone = [&](const service::CasePrediction& p) { seen.push_back(p.caseId); };
  auto report = service_->predict(*store_, {}, core::JobControl(), callbacks);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report.value().done.size(), 2u);
  EXPECT_TRUE(report.value().failed.empty());
  EXPECT_EQ(seen, ids);
  const auto sha = service_->loadedModel()->weightsSha256;

  const auto& image = report.value().done[0];
  EXPECT_EQ(image.kind, project::CaseKind::Image);
  EXPECT_EQ(image.topLabel, "fundus");  // resources/README.md: right for the fundus photograph
  ASSERT_EQ(image.probabilities.size(), 4u);
  float sum = 0;
  for (const auto& lp : image.probabilities) sum += lp.probability;
  EXPECT_NEAR(sum, 1.0f, 1e-4);

  const auto& volume = report.value().done[1];
  EXPECT_EQ(volume.kind, project::CaseKind::Volume);
  EXPECT_EQ(volume.sliceCurve.size(), 25u);  // mr-brain.nii: 33x41x25
  EXPECT_EQ(volume.scoreAggregation, "mean over 25 slices");
  // The study score is the mean of the per-slice probabilities of the top label.
  double mean = 0;
  for (float p : volume.sliceCurve) mean += p;
  EXPECT_NEAR(mean / 25.0, volume.topProbability, 1e-4);

  // Stored: one prediction per case, with the hash, readable without the model.
  for (std::size_t i = 0; i < 2; ++i) {
    auto stored = store_->predictions(ids[i]);
    ASSERT_TRUE(stored);
    ASSERT_EQ(stored.value().size(), 1u);
    EXPECT_EQ(stored.value()[0].weightsSha256, sha);
    EXPECT_EQ(stored.value()[0].runId, report.value().runId);
    auto back = service::latestInference(stored.value());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->topLabel, report.value().done[i].topLabel);
    EXPECT_NEAR(back->topProbability, report.value().done[i].topProbability, 1e-6);
    EXPECT_EQ(back->sliceCurve.size(), report.value().done[i].sliceCurve.size());
  }
  auto runs = store_->listModelRuns();
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs.value().size(), 1u);
  EXPECT_EQ(runs.value()[0].status, "succeeded");
  EXPECT_EQ(runs.value()[0].task, "inference");
  EXPECT_EQ(runs.value()[0].weightsSha256, sha);
}

TEST_F(ModelServiceTest, SlideHeatmapIsWrittenAsPatchesFinishAndStored) {
  loadBundled();
  const auto ids = add({kFixtures / "small-slide.tif"});
  ASSERT_EQ(ids.size(), 1u);
  std::size_t grewCalls = 0, lastDone = 0, total = 0;
  service::PredictCallbacks callbacks;
  callbacks.mapGrew = [&](project::CaseId id, const fs::path& file, std::size_t done, std::size_t all) {
    EXPECT_EQ(id, ids[0]);
    EXPECT_TRUE(fs::exists(file)) << file;
    EXPECT_GE(done, lastDone);
    lastDone = done;
    total = all;
    ++grewCalls;
  };
  service::PredictRequest request;
  request.batchSize = 4;  // several batches, so the map is written before the end
  auto report = service_->predict(*store_, request, core::JobControl(), callbacks);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report.value().done.size(), 1u);
  const auto& p = report.value().done[0];
  EXPECT_EQ(p.kind, project::CaseKind::Slide);
  EXPECT_GE(grewCalls, 2u);  // at least the first batch and the final write
  EXPECT_EQ(lastDone, total);
  EXPECT_GT(total, 0u);
  ASSERT_FALSE(p.mapFile.empty());
  EXPECT_EQ(p.mapFile.rfind("maps/", 0), 0u) << p.mapFile;
  EXPECT_TRUE(fs::exists(folder_ / p.mapFile));
  EXPECT_EQ(store_->predictions(ids[0]).value()[0].mapFile, p.mapFile);
  EXPECT_EQ(p.topLabel, "pathology");
}

TEST_F(ModelServiceTest, ExplanationsAreWrittenToTheMapsFolderAndRecordedBesideThePrediction) {
  loadBundled();
  const auto ids = add({kDemo / "fundus-retina.jpg"});
  ASSERT_TRUE(service_->predict(*store_, {}, core::JobControl()));
  service::ExplainRequest rollout;
  rollout.caseId = ids[0];
  rollout.method = service::ExplainKind::Rollout;
  auto r = service_->explain(*store_, rollout, core::JobControl());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(fs::exists(r.value().mapPath));
  EXPECT_EQ(r.value().description, "attention rollout");
  EXPECT_EQ(r.value().map.size()[2], 1);
  EXPECT_GT(r.value().map.size()[0], 1);

  service::ExplainRequest head;
  head.caseId = ids[0];
  head.method = service::ExplainKind::ClsAttention;
  head.head = 2;
  auto h = service_->explain(*store_, head, core::JobControl());
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h.value().description, "CLS attention, head 2");

  service::ExplainRequest grad;
  grad.caseId = ids[0];
  grad.method = service::ExplainKind::GradientAttention;
  grad.className = "CT";
  auto g = service_->explain(*store_, grad, core::JobControl());
  ASSERT_TRUE(g) << g.error().message;

  auto stored = store_->predictions(ids[0]).value();
  ASSERT_EQ(stored.size(), 4u);  // the inference and three maps
  auto e = service::readExplanation(stored[1]);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->method, service::ExplainKind::Rollout);
  EXPECT_EQ(e->mapFile, r.value().mapFile);
  EXPECT_EQ(service::readExplanation(stored[2])->head, 2);
  EXPECT_EQ(service::readExplanation(stored[3])->className, "CT");
  EXPECT_FALSE(service::readExplanation(stored[0]));  // the inference is not an explanation
  EXPECT_TRUE(service::latestInference(stored));
}

TEST_F(ModelServiceTest, BadExplainChoicesAreRefusedBeforeAnythingIsWritten) {
  loadBundled();
  const auto ids = add({kDemo / "fundus-retina.jpg"});
  service::ExplainRequest request;
  request.caseId = ids[0];
  request.head = 3;  // the model has heads 0..2
  auto r = service_->explain(*store_, request, core::JobControl());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("0..2"), std::string::npos) << r.error().message;
  request.head = -1;
  request.method = service::ExplainKind::GradientAttention;
  request.className = "tumour";
  r = service_->explain(*store_, request, core::JobControl());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("CT, MR, fundus, pathology"), std::string::npos) << r.error().message;
  EXPECT_EQ(predictionCount(ids[0]), 0u);
  EXPECT_FALSE(fs::exists(store_->mapsFolder()) && !fs::is_empty(store_->mapsFolder()));
}

TEST_F(ModelServiceTest, AModelForAnotherModalityFailsTheCaseWithAClearMessageAndStoresNothing) {
  auto card = service_->loadModel(kFixtures / "ct-model", {});
  ASSERT_TRUE(card) << card.error().message;
  const auto ids = add({kDemo / "fundus-retina.jpg"});
  auto report = service_->predict(*store_, {}, core::JobControl());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report.value().done.empty());
  ASSERT_EQ(report.value().failed.size(), 1u);
  const std::string& why = report.value().failed[0].reason;
  EXPECT_NE(why.find("case " + std::to_string(ids[0])), std::string::npos) << why;
  EXPECT_NE(why.find("CT"), std::string::npos) << why;
  EXPECT_EQ(predictionCount(ids[0]), 0u);
  EXPECT_EQ(store_->listModelRuns().value().back().status, "failed");
}

TEST_F(ModelServiceTest, ACancelledRunStoresNothingMoreAndIsRecordedCancelled) {
  loadBundled();
  const auto ids = add({kDemo / "fundus-retina.jpg", kDemo / "pathology-ihc.png"});
  core::JobControl job;
  service::PredictCallbacks callbacks;
  callbacks.caseDone = [&](const service::CasePrediction&) { job.cancel(); };  // cancel after the first case
  auto report = service_->predict(*store_, {}, job, callbacks);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, core::ErrorCode::Cancelled);
  EXPECT_NE(report.error().message.find("1 of 2"), std::string::npos) << report.error().message;
  EXPECT_EQ(predictionCount(ids[0]), 1u);  // acknowledged before the cancel: kept
  EXPECT_EQ(predictionCount(ids[1]), 0u);
  EXPECT_EQ(store_->listModelRuns().value().back().status, "cancelled");
}

TEST_F(ModelServiceTest, NothingRunsWithoutAModel) {
  add({kDemo / "fundus-retina.jpg"});
  auto report = service_->predict(*store_, {}, core::JobControl());
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().message.find("no model is loaded"), std::string::npos);
  EXPECT_TRUE(store_->listModelRuns().value().empty());
}

}  // namespace

// The loader's answers when the library is missing or is not a library (each gtest runs in its
// own process: the loader keeps its first answer for the process).
TEST(ModelServiceLoader, AMissingLibraryIsNamedWithWhereItWasLookedFor) {
  ::setenv("MERIDIAN_MODEL_SERVICE_LIBRARY", (fs::path(MERIDIAN_TEST_OUTPUT) / "no-such-library.so").c_str(), 1);
  auto made = service::createModelService();
  ASSERT_FALSE(made);
  EXPECT_NE(made.error().message.find("libmeridian_model_service.so is missing; looked for:"), std::string::npos)
      << made.error().message;
  EXPECT_NE(made.error().message.find("no-such-library.so: no such file"), std::string::npos);
}

TEST(ModelServiceLoader, AFileThatIsNotALibraryGivesTheLoadersReason) {
  const fs::path broken = fs::path(MERIDIAN_TEST_OUTPUT) / "not-a-library.so";
  fs::create_directories(broken.parent_path());
  std::ofstream(broken) << "not an ELF file\n";
  ::setenv("MERIDIAN_MODEL_SERVICE_LIBRARY", broken.c_str(), 1);
  auto made = service::createModelService();
  ASSERT_FALSE(made);
  EXPECT_NE(made.error().message.find("cannot be loaded: "), std::string::npos) << made.error().message;
  EXPECT_NE(made.error().message.find("not-a-library.so"), std::string::npos) << made.error().message;
}
