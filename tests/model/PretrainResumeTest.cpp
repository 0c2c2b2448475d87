// DINO continued pretraining through the public API on real image tiles: a run stopped
// half-way and resumed ends bit-identical to one that never stopped; cancel, divergence,
// continual pretraining on new data and the exported backbone.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>

#include "PretrainTestImages.hpp"
#include "TempDir.hpp"
#include "TensorIo.hpp"
#include "meridian/model/Pretrainer.hpp"

namespace meridian::model::test {
namespace {

std::unique_ptr<VitModel> tinyBackbone() {
  return VitModel::create(tinyVit(), 7).value();
}

std::unique_ptr<DinoPretrainer> newTrainer(const DinoOptions& options, const std::vector<core::Image2D>& images) {
  auto backbone = tinyBackbone();
  auto trainer = DinoPretrainer::create(*backbone, options, images);
  EXPECT_TRUE(trainer) << trainer.error().describe();
  return std::move(trainer).value();
}

int lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) ++n;
  return n;
}

TEST(PretrainResume, HalfRunPlusResumeEqualsStraightRunBitwise) {
  const auto images = realTiles(8);  // 2 steps per epoch, 2 epochs
  auto options = tinyDino();
  options.memorySize = 16;
  options.rehearsalSize = 4;
  TempDir dir;

  auto straight = newTrainer(options, images);
  auto full = straight->run(core::JobControl{}, dir / "straight.safetensors", dir / "straight.csv");
  ASSERT_TRUE(full) << full.error().describe();
  EXPECT_TRUE(full.value().finished);
  EXPECT_EQ(full.value().steps, 4);

  auto halfOptions = options;
  halfOptions.stopAfterSteps = 2;
  auto first = newTrainer(halfOptions, images);
  auto half = first->run(core::JobControl{}, dir / "split.safetensors", dir / "split.csv");
  ASSERT_TRUE(half) << half.error().describe();
  EXPECT_FALSE(half.value().finished);
  EXPECT_EQ(half.value().steps, 2);
  EXPECT_NE(first->weightsSha256(), straight->weightsSha256());
  const auto halfHash = first->weightsSha256();
  first.reset();

  auto resumeOptions = options;  // same data hash: an exact resume
  auto resumed = DinoPretrainer::resume(dir / "split.safetensors", resumeOptions, images);
  ASSERT_TRUE(resumed) << resumed.error().describe();
  EXPECT_EQ(resumed.value()->step(), 2);
  EXPECT_EQ(resumed.value()->weightsSha256(), halfHash);  // the checkpoint restores the weights bit for bit
  auto rest = resumed.value()->run(core::JobControl{}, dir / "split.safetensors", dir / "split.csv");
  ASSERT_TRUE(rest) << rest.error().describe();
  EXPECT_TRUE(rest.value().finished);
  EXPECT_EQ(resumed.value()->weightsSha256(), straight->weightsSha256());
  EXPECT_DOUBLE_EQ(rest.value().lastLoss, full.value().lastLoss);
  EXPECT_EQ(lines(dir / "split.csv"), 5);  // header + 4 steps, continued across the resume
  EXPECT_EQ(lines(dir / "straight.csv"), 5);
}

// Where the views are made (on the worker thread beside the step, as pretrain does, or in the
// step, as bench_dino's MERIDIAN_DINO_SYNC_VIEWS=1 compares) must not change a bit of the run.
TEST(PretrainRun, ViewsMadeOnTheWorkerOrInTheStepGiveTheSameRun) {
  const auto images = realTiles(8);
  auto options = tinyDino();
  options.rehearsalSize = 4;
  TempDir dir;
  std::string hashes[2];
  double losses[2] = {0, 0};
  for (int inStep = 0; inStep < 2; ++inStep) {
    setenv("MERIDIAN_DINO_SYNC_VIEWS", inStep ? "1" : "0", 1);
    auto trainer = newTrainer(options, images);
    const auto name = std::to_string(inStep);
    auto run = trainer->run(core::JobControl{}, dir / (name + ".safetensors"), dir / (name + ".csv"));
    ASSERT_TRUE(run) << run.error().describe();
    EXPECT_EQ(run.value().steps, 4);
    hashes[inStep] = trainer->weightsSha256();
    losses[inStep] = run.value().lastLoss;
  }
  unsetenv("MERIDIAN_DINO_SYNC_VIEWS");
  EXPECT_EQ(hashes[0], hashes[1]);
  EXPECT_DOUBLE_EQ(losses[0], losses[1]);
}

TEST(PretrainResume, ALossLogFromAnOlderVersionBecomesOneTableWithTodaysColumns) {
  const auto images = realTiles(8);
  auto options = tinyDino();
  options.stopAfterSteps = 2;
  TempDir dir;
  ASSERT_TRUE(newTrainer(options, images)->run(core::JobControl{}, dir / "ckpt.safetensors", dir / "fresh.csv"));
  {  // the log as Meridian wrote it before the diagnostics columns
    std::ofstream old(dir / "loss.csv");
    old << "step,epoch,loss,dino_loss,memory_loss,lr,momentum,teacher_temp\n"
           "1,0,6.5,6.5,0,1e-05,0.996,0.04\n2,0,6.4,6.4,0,2e-05,0.996,0.04\n";
  }
  auto resumed = DinoPretrainer::resume(dir / "ckpt.safetensors", tinyDino(), images);
  ASSERT_TRUE(resumed) << resumed.error().describe();
  ASSERT_TRUE(resumed.value()->run(core::JobControl{}, dir / "ckpt.safetensors", dir / "loss.csv"));

  std::ifstream fresh(dir / "fresh.csv"), upgraded(dir / "loss.csv");
  std::string freshHeader, header, row;
  std::getline(fresh, freshHeader);
  std::getline(upgraded, header);
  EXPECT_EQ(header, freshHeader);
  const auto commas = [](const std::string& line) { return std::count(line.begin(), line.end(), ','); };
  int rows = 0;
  while (std::getline(upgraded, row)) {
    ++rows;
    EXPECT_EQ(commas(row), commas(header)) << row;
  }
  EXPECT_EQ(rows, 4);  // the two old rows, padded, and the two resumed steps
  std::ifstream again(dir / "loss.csv");
  std::getline(again, header);
  std::getline(again, row);
  EXPECT_EQ(row.rfind("1,0,6.5,6.5,0,1e-05,0.996,0.04,", 0), 0u) << row;

  std::ofstream(dir / "other.csv") << "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o\n1\n";  // more columns than a loss log
  auto again2 = DinoPretrainer::resume(dir / "ckpt.safetensors", tinyDino(), images);
  ASSERT_TRUE(again2);
  auto refused = again2.value()->run(core::JobControl{}, {}, dir / "other.csv");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("not a DINO loss log"), std::string::npos) << refused.error().message;
}

TEST(PretrainResume, ContinualRunOnNewDataKeepsMemoryAndRestartsTheSchedule) {
  auto options = tinyDino();
  options.memorySize = 8;
  options.rehearsalSize = 4;
  options.epochs = 1;
  TempDir dir;
  auto trainer = newTrainer(options, realTiles(8));
  ASSERT_TRUE(trainer->run(core::JobControl{}, dir / "ckpt.safetensors", {}));
  const auto before = trainer->weightsSha256();

  auto next = options;
  next.dataSha256 = "other-modality";
  auto continued = DinoPretrainer::resume(dir / "ckpt.safetensors", next, realTiles(8, 5));
  ASSERT_TRUE(continued) << continued.error().describe();
  EXPECT_EQ(continued.value()->step(), 0);                // fresh schedule
  EXPECT_EQ(continued.value()->weightsSha256(), before);  // same weights to start from
  auto summary = continued.value()->run(core::JobControl{}, dir / "ckpt2.safetensors", dir / "loss.csv");
  ASSERT_TRUE(summary) << summary.error().describe();
  // The bank came from the first run, so the consistency term is active from step 1.
  std::ifstream csv(dir / "loss.csv");
  std::string header, row;
  std::getline(csv, header);
  std::getline(csv, row);
  const auto memoryLoss =
      std::stod(row.substr(row.find(',', row.find(',', row.find(',', row.find(',') + 1) + 1) + 1) + 1));
  EXPECT_GT(memoryLoss, 0.0) << row;

  auto wrongMemory = next;
  wrongMemory.memorySize = 5;
  auto refused = DinoPretrainer::resume(dir / "ckpt.safetensors", wrongMemory, realTiles(8, 5));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("a memory bank of that size (8)"), std::string::npos) << refused.error().message;
}

TEST(PretrainRun, CancelStopsWithACheckpoint) {
  TempDir dir;
  auto trainer = newTrainer(tinyDino(), realTiles(8));
  std::size_t reports = 0;
  core::JobControl counting;  // cancelled from its own progress callback, as a GUI's button would
  counting = core::JobControl([&](const core::JobProgress& p) {
    ++reports;
    EXPECT_EQ(p.total, 4u);
    EXPECT_GE(p.etaSeconds, 0.0);
    if (p.done == 1) counting.cancel();
  });
  auto summary = trainer->run(counting, dir / "ckpt.safetensors", {});
  ASSERT_TRUE(summary) << summary.error().describe();
  EXPECT_TRUE(summary.value().cancelled());
  EXPECT_EQ(summary.value().ended.error().code, core::ErrorCode::Cancelled);
  EXPECT_EQ(summary.value().steps, 1);
  EXPECT_EQ(reports, 1u);
  EXPECT_TRUE(std::filesystem::exists(dir / "ckpt.safetensors"));
  auto resumed = DinoPretrainer::resume(dir / "ckpt.safetensors", tinyDino(), realTiles(8));
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed.value()->step(), 1);
}

TEST(PretrainRun, NonFiniteLossStopsAndKeepsTheLastGoodCheckpoint) {
  auto options = tinyDino();
  options.learningRate = 1e30;  // the first update blows the weights up: step 2's loss is not finite
  options.warmupSteps = 0;
  options.checkpointEvery = 1;
  options.clipGradient = 0;
  TempDir dir;
  auto trainer = newTrainer(options, realTiles(8));
  auto summary = trainer->run(core::JobControl{}, dir / "ckpt.safetensors", {});
  ASSERT_TRUE(summary) << summary.error().describe();
  EXPECT_TRUE(summary.value().diverged);
  EXPECT_LE(summary.value().steps, 3);
  EXPECT_NE(summary.value().message.find("non-finite"), std::string::npos);
  EXPECT_NE(summary.value().message.find("last good checkpoint"), std::string::npos) << summary.value().message;
  auto resumed = DinoPretrainer::resume(dir / "ckpt.safetensors", options, realTiles(8));
  ASSERT_TRUE(resumed) << resumed.error().describe();
  EXPECT_EQ(resumed.value()->step(), summary.value().steps);  // the checkpoint before the bad step
}

TEST(PretrainRun, ExportedBackboneLoadsWithItsCard) {
  TempDir dir;
  auto options = tinyDino();
  options.epochs = 1;
  auto trainer = newTrainer(options, realTiles(8));
  ASSERT_TRUE(trainer->run(core::JobControl{}, {}, {}));
  ModelCard card;
  card.name = "tiny-dino";
  card.provenance.method = "dino";
  card.provenance.seed = options.seed;
  card.provenance.hyperParameters = options.toMap();
  ASSERT_TRUE(trainer->exportBackbone(dir / "model", card));
  auto model = VitModel::load(dir / "model");
  ASSERT_TRUE(model) << model.error().describe();
  EXPECT_EQ(model.value()->card().provenance.method, "dino");
  EXPECT_EQ(model.value()->card().provenance.hyperParameters.at("local_crops"), "2");
  EXPECT_EQ(model.value()->config().embedDim, 32);
  // The exported weights are the teacher's: the same embedding as the in-memory teacher.
  auto teacher = trainer->teacherBackbone();
  ASSERT_TRUE(teacher);
  const auto image = realTiles(1).front();
  EXPECT_EQ(model.value()->predict(image).value().embedding, teacher.value()->predict(image).value().embedding);
}

// The bundled model ships F16 weights (half the size); they load into the fp32 ViT.
TEST(PretrainRun, Fp16WeightsLoadIntoTheFloat32Model) {
  TempDir dir;
  auto model = tinyBackbone();
  ASSERT_TRUE(model->save(dir / "fp32"));
  auto tensors = loadSafeTensors(dir / "fp32" / "weights.safetensors");
  ASSERT_TRUE(tensors);
  TensorMap half;
  for (const auto& [name, t] : tensors.value()) half.emplace(name, t.to(at::kHalf));
  ASSERT_TRUE(saveSafeTensors(dir / "fp16.safetensors", half));
  EXPECT_LT(std::filesystem::file_size(dir / "fp16.safetensors"),
            std::filesystem::file_size(dir / "fp32" / "weights.safetensors") * 6 / 10);
  auto loaded = VitModel::load(dir / "fp16.safetensors", tinyVit(), WeightLayout::Timm);
  ASSERT_TRUE(loaded) << loaded.error().describe();
  const auto image = realTiles(1).front();
  const auto a = model->predict(image).value().embedding, b = loaded.value()->predict(image).value().embedding;
  ASSERT_EQ(a.size(), b.size());
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff = std::max(diff, double(std::abs(a[i] - b[i]))), scale = std::max(scale, double(std::abs(a[i])));
  EXPECT_LT(diff / scale, 1e-2);
  EXPECT_GT(diff, 0.0);  // it really went through half precision
}

TEST(PretrainRun, BadInputIsRefusedWithAMessage) {
  auto backbone = tinyBackbone();
  auto none = DinoPretrainer::create(*backbone, tinyDino(), {});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("at least one image"), std::string::npos);
  auto options = tinyDino();
  options.globalCropSize = 30;  // not a multiple of the patch (8)
  auto badCrop = DinoPretrainer::create(*backbone, options, realTiles(3));
  ASSERT_FALSE(badCrop);
  EXPECT_NE(badCrop.error().message.find("multiple of the patch"), std::string::npos);
  TempDir dir;
  { std::ofstream(dir / "not-a-checkpoint.safetensors") << "garbage"; }
  EXPECT_FALSE(DinoPretrainer::resume(dir / "not-a-checkpoint.safetensors", tinyDino(), realTiles(3)));
  EXPECT_FALSE(DinoPretrainer::resume(dir / "missing.safetensors", tinyDino(), realTiles(3)));
}

}  // namespace
}  // namespace meridian::model::test
