// Training from a project (model/service ProjectTraining.hpp) on the real demo data, through
// the service library as the window and meridian-cli reach it (createTrainingService opens
// libmeridian_model_service.so): a project made from the demo folder, its CT cases labelled
// "CT" and the rest "other" through the store (refused and cancelled runs change nothing),
// and a learnable task beside them: 64 real IHC tiles labelled DAB-positive/negative, on
// which a linear probe on the bundled model's embeddings must reach a held-out AUROC of
// 0.85 (the demo folder has 3 CT cases a file each: too few to measure CT vs not-CT).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "IhcTileCases.hpp"
#include "meridian/core/FileHash.hpp"
#include "meridian/project/ProjectImport.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/service/ModelServiceLoader.hpp"
#include "meridian/service/TrainingService.hpp"

namespace meridian::service {
namespace {

namespace fs = std::filesystem;
const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;
const fs::path kBundledModel = MERIDIAN_TEST_BUNDLED_MODEL;
const fs::path kOut = MERIDIAN_TEST_OUTPUT;

const TrainingService& training() {
  static const auto made = createTrainingService();
  if (!made) {
    ADD_FAILURE() << made.error().message;
    std::abort();
  }
  return *made.value();
}

bool isCt(const project::CaseRecord& c) {
  return c.modality == "CT" || fs::path(c.path).filename().string().rfind("ct-", 0) == 0;
}

/// A fresh project holding the demo folder; `label` says each case's label ("" = none).
std::unique_ptr<project::ProjectStore> demoProject(const std::string& name,
                                                  const std::function<std::string(const project::CaseRecord&)>& label) {
  const fs::path folder = kOut / name;
  fs::remove_all(folder);
  auto store = project::ProjectStore::create(folder);
  EXPECT_TRUE(store) << store.error().message;
  auto imported = project::importIntoProject(*store.value(), {kDemo});
  EXPECT_TRUE(imported) << imported.error().message;
  const auto cases = store.value()->listCases();  // kept: a range-for over .value() of a temporary dangles
  for (const auto& c : cases.value())
    if (const auto l = label(c); !l.empty()) {
      const auto added = store.value()->addLabel(c.id, l);
      EXPECT_TRUE(added) << c.path << ": " << (added ? std::string() : added.error().message);
    }
  return std::move(store).value();
}

TrainingRequest probeRequest(double heldOut, std::uint64_t seed) {
  TrainingRequest request;
  request.baseModel = kBundledModel;
  request.options.method = model::TrainMethod::Probe;
  request.options.valFraction = heldOut;
  request.options.seed = seed;
  request.options.evaluation.bootstrap.resamples = 200;
  request.options.evaluation.bootstrap.seed = seed;
  return request;
}

std::size_t modelFolders(const project::ProjectStore& store) {
  std::error_code ec;
  if (!fs::exists(store.modelsFolder(), ec)) return 0;
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(store.modelsFolder()), fs::directory_iterator()));
}

/// The labelled set issue 6's evidence uses (IhcTileCases.hpp).
void addIhcTiles(project::ProjectStore& store) {
  test::addIhcTileCases(store, kOut / "ihc-tiles");
}

TEST(ProjectTraining, ProbeLearnsDabPositiveTilesAndIsAccepted) {
  auto store = demoProject("probe", [](const project::CaseRecord&) { return std::string(); });
  addIhcTiles(*store);
  auto task = training().task(*store);
  ASSERT_TRUE(task) << task.error().message;
  EXPECT_EQ(task.value().labels.classes, (std::vector<std::string>{"dab_negative", "dab_positive"}));
  EXPECT_EQ(task.value().labels.images.size(), 64u);
  EXPECT_GE(task.value().unlabelled.size(), 8u) << "the demo cases stay unlabelled";
  const std::uint64_t seed = 1;
  auto split = training().preview(task.value(), 0.25, seed);
  ASSERT_TRUE(split) << split.error().message;
  EXPECT_GE(split.value().heldOut.perClass[0], 2u);
  EXPECT_EQ(split.value().heldOut.patients * 4, split.value().heldOut.cases) << "whole regions (4 tiles each) move";
  EXPECT_EQ(split.value().train.cases + split.value().heldOut.cases, 64u);

  std::vector<model::EpochRecord> heard;
  auto result = training().train(*store, probeRequest(0.25, seed), [&](const model::EpochRecord& e) { heard.push_back(e); },
                                 core::JobControl());
  ASSERT_TRUE(result) << result.error().message;
  const auto& r = result.value();
  ASSERT_TRUE(r.heldOut.has_value());
  // Learning, on held-out regions the probe never saw.
  EXPECT_GE(r.heldOut->auroc.value, 0.85) << "held-out AUROC " << r.heldOut->auroc.value;
  std::cout << "held-out AUROC " << r.heldOut->auroc.value << " [" << r.heldOut->auroc.ciLow << ", "
            << r.heldOut->auroc.ciHigh << "], n " << r.heldOut->n << ", confusion";
  for (const auto& row : r.heldOut->confusion)
    for (auto n : row) std::cout << " " << n;
  std::cout << "\n";
  EXPECT_EQ(r.heldOut->n, split.value().heldOut.cases);
  EXPECT_EQ(r.split.heldOut.perClass, split.value().heldOut.perClass) << "the preview is the split trained on";
  ASSERT_EQ(heard.size(), 1u);  // a probe fits once
  EXPECT_NEAR(heard[0].validationAuroc, r.heldOut->auroc.value, 1e-9);
  ASSERT_EQ(r.roc.size(), 1u);
  EXPECT_EQ(r.roc[0].label, "dab_positive");
  EXPECT_GE(r.roc[0].curve.size(), 3u);
  EXPECT_EQ(r.roc[0].band.low.size(), 51u);
  long long confused = 0;
  for (const auto& row : r.heldOut->confusion)
    for (auto n : row) confused += n;
  EXPECT_EQ(static_cast<std::size_t>(confused), r.heldOut->n);
  std::size_t binned = 0;
  for (const auto& b : r.calibration) binned += b.count;
  EXPECT_EQ(binned, r.heldOut->n);

  // The folder: a model with its card (as read back from the saved model.json), its
  // provenance and the curves beside it (read without the model library).
  EXPECT_EQ(r.modelFolder.parent_path(), store->modelsFolder());
  EXPECT_TRUE(fs::exists(r.modelFolder / "model.json"));
  EXPECT_TRUE(fs::exists(r.modelFolder / "weights.safetensors"));
  EXPECT_EQ(r.card.provenance.method, "probe");
  EXPECT_EQ(r.card.provenance.weightsSha256.size(), 64u);
  EXPECT_NE(r.card.provenance.split.find("patient-level"), std::string::npos) << r.card.provenance.split;
  EXPECT_EQ(r.card.tasks.at(0).labels, (std::vector<std::string>{"dab_negative", "dab_positive"}));
  auto reread = readTrainingResult(r.modelFolder);
  ASSERT_TRUE(reread) << reread.error().message;
  EXPECT_EQ(reread.value().roc[0].curve.size(), r.roc[0].curve.size());
  EXPECT_DOUBLE_EQ(reread.value().heldOut->auroc.value, r.heldOut->auroc.value);
  EXPECT_EQ(reread.value().heldOut->confusion, r.heldOut->confusion);
  const auto runs = store->listModelRuns().value();
  ASSERT_FALSE(runs.empty());
  EXPECT_EQ(runs.back().task, "training");
  EXPECT_EQ(runs.back().status, "succeeded");

  // Accept: the project's active model, logged.
  EXPECT_FALSE(store->activeModel().value().has_value());
  auto accepted = training().accept(*store, r.modelFolder);
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(accepted.value().folder, r.relativeFolder);
  EXPECT_EQ(store->activeModel().value()->weightsSha256, r.card.provenance.weightsSha256);
  const auto events = store->events().value();
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const auto& e) { return e.kind == "model.accept"; }));
}

// A DICOM series stored as a folder is a training row like a volume file (its middle axial
// slice), keyed in the embedding cache by the project's digest of its files; a series whose
// files changed after it was added is refused before anything is written.
TEST(ProjectTraining, ADicomSeriesFolderIsARowAndAChangedSeriesIsRefused) {
  // The demo folder without its slide (its overview costs time the test does not need).
  const fs::path copy = kOut / "series-demo";
  fs::remove_all(copy);
  fs::create_directories(copy);
  for (const auto& entry : fs::directory_iterator(kDemo))
    if (entry.path().extension() != ".tif")
      fs::copy(entry.path(), copy / entry.path().filename(), fs::copy_options::recursive);
  const fs::path folder = kOut / "series";
  fs::remove_all(folder);
  auto store = project::ProjectStore::create(folder).value();
  ASSERT_TRUE(project::importIntoProject(*store, {copy}));
  const auto cases = store->listCases().value();
  project::CaseId series = 0;
  for (const auto& c : cases) {
    if (fs::is_directory(c.path)) series = c.id;
    ASSERT_TRUE(store->addLabel(c.id, isCt(c) ? "CT" : "other"));
  }
  ASSERT_NE(series, 0) << "the demo's CT series is a folder case";
  auto task = training().task(*store);
  ASSERT_TRUE(task) << task.error().message;
  EXPECT_EQ(task.value().labels.images.size(), cases.size()) << "every labelled case is a row, the series too";
  EXPECT_EQ(task.value().seriesFolders, 1u);
  EXPECT_NE(std::find(task.value().caseIds.begin(), task.value().caseIds.end(), series), task.value().caseIds.end());
  std::uint64_t seed = 0;
  while (!training().preview(task.value(), 0.5, seed) && seed < 50) ++seed;
  auto result = training().train(*store, probeRequest(0.5, seed), {}, core::JobControl());
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result.value().split.train.cases + result.value().split.heldOut.cases, cases.size());
  // The cache keeps its entries in folders named by the key's first two hex digits: count the
  // entries, not the folders (two of eight keys share a folder about one time in ten).
  std::size_t cachedEmbeddings = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder / "cache" / "embeddings"))
    if (entry.is_regular_file() && entry.path().extension() == ".emb") ++cachedEmbeddings;
  EXPECT_EQ(cachedEmbeddings, cases.size()) << "one cached embedding per case, the series' keyed by its digest";

  // One byte of one slice changed: the recorded digest no longer describes the files.
  const fs::path slice = *fs::directory_iterator(store->getCase(series).value().path);
  {
    std::fstream file(slice, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(-2, std::ios::end);
    const char byte = static_cast<char>(file.get());
    file.seekp(-2, std::ios::end);
    file.put(static_cast<char>(byte ^ 0x10));
  }
  auto request = probeRequest(0.5, seed);
  request.name = "after-the-change";
  const std::size_t folders = modelFolders(*store);
  auto refused = training().train(*store, request, {}, core::JobControl());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("changed since it was added"), std::string::npos) << refused.error().message;
  EXPECT_EQ(modelFolders(*store), folders);
}

TEST(ProjectTraining, OneClassOrAThinHeldOutPartIsRefusedAndChangesNothing) {
  auto store = demoProject("refused", [](const project::CaseRecord&) { return std::string("CT"); });
  auto oneClass = training().train(*store, probeRequest(0.5, 0), {}, core::JobControl());
  ASSERT_FALSE(oneClass);
  EXPECT_NE(oneClass.error().message.find("second class"), std::string::npos) << oneClass.error().message;
  // Two CT cases only: a 20% held-out part cannot hold two of them.
  int ct = 0;
  auto thin = demoProject("thin", [&](const project::CaseRecord& c) {
    if (fs::is_directory(c.path)) return std::string();
    if (!isCt(c)) return std::string("other");
    return std::string(ct++ < 2 ? "CT" : "");
  });
  auto refused = training().train(*thin, probeRequest(0.2, 0), {}, core::JobControl());
  ASSERT_FALSE(refused);
  const auto& why = refused.error().message;
  EXPECT_TRUE(why.find("held-out part would have 1 case(s) of 'CT'") != std::string::npos ||
              why.find("cannot be split") != std::string::npos)
      << why;
  for (auto* s : {store.get(), thin.get()}) {
    EXPECT_EQ(modelFolders(*s), 0u);
    EXPECT_TRUE(s->listModelRuns().value().empty());
    EXPECT_FALSE(s->activeModel().value().has_value());
  }
}

TEST(ProjectTraining, CancelledRunLeavesNoFolderAndKeepsTheActiveModel) {
  auto store = demoProject("cancelled", [](const project::CaseRecord& c) { return isCt(c) ? "CT" : "other"; });
  ASSERT_TRUE(training().accept(*store, kBundledModel));
  const auto before = store->activeModel().value();
  core::JobControl job;
  job.cancel();
  std::uint64_t seed = 0;
  while (!training().preview(training().task(*store).value(), 0.5, seed) && seed < 50) ++seed;
  auto result = training().train(*store, probeRequest(0.5, seed), {}, job);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, core::ErrorCode::Cancelled);
  EXPECT_EQ(modelFolders(*store), 0u) << "neither the model nor its staging folder is left";
  EXPECT_EQ(store->listModelRuns().value().back().status, "cancelled");
  EXPECT_EQ(store->activeModel().value()->folder, before->folder);
}

TEST(ProjectTraining, AcceptRefusesAFolderWhoseWeightsDoNotMatch) {
  const fs::path folder = kOut / "tampered-model";
  fs::remove_all(folder);
  fs::create_directories(folder);
  fs::copy(kBundledModel / "model.json", folder / "model.json");
  fs::copy(kBundledModel / "weights.safetensors", folder / "weights.safetensors");
  {  // one byte of the last tensor changed: same size, same header, another SHA-256
    std::fstream weights(folder / "weights.safetensors", std::ios::in | std::ios::out | std::ios::binary);
    weights.seekg(-3, std::ios::end);
    const char byte = static_cast<char>(weights.get());
    weights.seekp(-3, std::ios::end);
    weights.put(static_cast<char>(byte ^ 0x40));
  }
  auto store = demoProject("tampered", [](const project::CaseRecord&) { return std::string(); });
  auto accepted = training().accept(*store, folder);
  ASSERT_FALSE(accepted);
  EXPECT_NE(accepted.error().message.find("SHA-256"), std::string::npos) << accepted.error().message;
  EXPECT_FALSE(store->activeModel().value().has_value());
}

}  // namespace
}  // namespace meridian::service
