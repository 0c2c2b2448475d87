// The CT volume pipeline on the demo abdominal CT (128 x 128 x 256) with a tiny ViT-T
// (2 blocks, 64 px input). The demo CT's values are clipped at 0 (stent.npz holds no air),
// which a CT-window model refuses for the whole volume as "not Hounsfield units"; the model
// here is therefore a grayscale one, which maps the stored values through one window for
// the whole volume (its 0.5..99.5 percentiles: the file says no modality and holds no air,
// so nothing marks it as a CT) — the pipeline is the same for both. Per-slice scores equal single-image predictions of
// the same slices, batching does not change them, the attention-map volume lies in the
// CT's physical space, cancel keeps the slices done, attention pooling needs aggregator.*
// weights and is never made up.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

#include "TempDir.hpp"
#include "meridian/core/DisplayMapping.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/model/SafeTensorsWriter.hpp"
#include "meridian/model/VolumePipeline.hpp"

namespace meridian::model {
namespace {

const std::filesystem::path kCt = std::filesystem::path(MERIDIAN_DEMO_DATA_DIR) / "ct-abdomen-stent.nii.gz";

std::unique_ptr<VitModel> tinyCtModel(InputModality modality = InputModality::Grayscale) {
  auto config = VitConfig::preset("vit_t_16", 2).value();
  config.imageSize = 64;
  config.depth = 2;
  PreprocessConfig preprocess;
  preprocess.modality = modality;
  if (modality == InputModality::CT) preprocess.ctWindows = {HuWindow{40.0, 400.0}};
  return VitModel::create(config, 11, preprocess).value();
}

const core::Volume& ct() {
  static const core::Volume volume = [] {
    auto opened = io::ReaderRegistry::builtin().open(kCt);
    if (!opened) throw std::runtime_error(opened.error().describe());
    return std::get<core::Volume>(opened.value().content);
  }();
  return volume;
}

// The slice as the pipeline gives it to the model: stored values, one window for the volume.
core::Image2D sliceWithVolumeWindow(int k) {
  auto image = ct().slice(k).value();
  image.displayWindow = core::percentileWindow(ct());
  return image;
}

TEST(VolumePipeline, SliceCurveAndStudyScoresOnTheDemoCt) {
  const auto model = tinyCtModel();
  VolumePipelineOptions options;
  options.batchSize = 16;
  options.topK = 5;
  std::size_t reports = 0, lastDone = 0;
  core::JobControl job([&](const core::JobProgress& p) {
    ++reports;
    EXPECT_EQ(p.stage, "slices");
    EXPECT_GT(p.done, lastDone);
    lastDone = p.done;
  });
  auto result = VolumePipeline(*model, options).run(ct(), job);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  const auto& r = result.value();
  ASSERT_EQ(r.slices, 256);
  ASSERT_EQ(r.slicesDone, 256);
  EXPECT_FALSE(r.cancelled());
  EXPECT_TRUE(r.ended.ok());
  EXPECT_EQ(reports, 16u);
  ASSERT_EQ(r.probabilities.size(), 256u);
  ASSERT_EQ(r.embeddings.front().size(), 192u);

  // Each slice's scores are the single-image prediction of that same slice.
  for (int k : {0, 77, 128, 255}) {
    auto single = model->predict(sliceWithVolumeWindow(k));
    ASSERT_TRUE(single.ok()) << single.error().describe();
    for (int c = 0; c < 2; ++c)
      EXPECT_NEAR(r.probabilities[k][c], single.value().probabilities[c], 1e-5) << "slice " << k;
  }
  // The curve follows the anatomy: not one value for every slice.
  double lo = 1.0, hi = 0.0, mean = 0.0;
  for (const auto& p : r.probabilities) {
    EXPECT_NEAR(p[0] + p[1], 1.0, 1e-5);
    lo = std::min<double>(lo, p[1]), hi = std::max<double>(hi, p[1]), mean += p[1];
  }
  EXPECT_GT(hi - lo, 1e-3);
  EXPECT_NEAR(r.study.mean[1], mean / 256.0, 1e-5);
  EXPECT_FLOAT_EQ(r.study.max[1], static_cast<float>(hi));
  EXPECT_GE(r.study.topKMean[1], r.study.mean[1]);
  EXPECT_EQ(r.study.topK, 5);
  // Slice positions step along the k axis by the slice spacing.
  EXPECT_NEAR(r.slicePositions[1][2] - r.slicePositions[0][2],
              ct().indexToPhysical({0, 0, 1})[2] - ct().indexToPhysical({0, 0, 0})[2], 1e-9);
  EXPECT_FALSE(r.study.attention.available);
  EXPECT_NE(r.study.attention.reason.find("no aggregator"), std::string::npos);
}

// Slices [first, first + count) of the demo CT as a volume of their own (same geometry).
core::Volume ctSlab(int first, int count) {
  const core::Volume& v = ct();
  auto slab = core::Volume::allocate({v.size()[0], v.size()[1], count}, v.pixelType()).value();
  const std::size_t sliceBytes = v.sizeInBytes() / static_cast<std::size_t>(v.size()[2]);
  std::memcpy(slab.data(), v.data() + sliceBytes * first, sliceBytes * count);
  slab.spacing = v.spacing;
  slab.direction = v.direction;
  slab.origin = v.indexToPhysical({0.0, 0.0, static_cast<double>(first)});
  slab.modality = v.modality;
  return slab;
}

// A volume that says it is a CT goes through the model's CT window in a grayscale (or any)
// model, as a CT viewer shows it -- not through one window of the volume's values, which the
// model's labelled CT crops never were (issue 19: the bundled model called every CT "MR").
TEST(VolumePipeline, ACtVolumeGoesThroughTheCtWindowInAGrayscaleModel) {
  const auto model = tinyCtModel();
  core::Volume labelled = ct();
  labelled.modality = "CT";
  VolumePipelineOptions options;
  options.batchSize = 64;
  auto result = VolumePipeline(*model, options).run(labelled, core::JobControl{});
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_NE(result.value().intensityNote.find("CT windows"), std::string::npos) << result.value().intensityNote;
  for (int k : {40, 128}) {
    auto slice = labelled.slice(k).value();  // modality CT, no window: the mediastinal window 40/400
    auto single = model->predict(slice);
    ASSERT_TRUE(single.ok()) << single.error().describe();
    auto asBefore = model->predict(sliceWithVolumeWindow(k));
    ASSERT_TRUE(asBefore.ok());
    EXPECT_NEAR(result.value().probabilities[k][1], single.value().probabilities[1], 1e-5) << "slice " << k;
    EXPECT_GT(std::abs(single.value().probabilities[1] - asBefore.value().probabilities[1]), 1e-5)
        << "the CT window and the volume's percentiles should give different inputs";
  }
}

TEST(VolumePipeline, BatchSizeDoesNotChangeScores) {
  const auto model = tinyCtModel();
  const core::Volume slab = ctSlab(100, 40);
  auto one = VolumePipeline(*model, {1, 5, false, nullptr}).run(slab);
  auto many = VolumePipeline(*model, {16, 5, false, nullptr}).run(slab);  // 16 + 16 + 8
  ASSERT_TRUE(one.ok() && many.ok());
  ASSERT_EQ(one.value().slicesDone, 40);
  ASSERT_EQ(many.value().slicesDone, 40);
  for (int k = 0; k < 40; ++k)
    for (int c = 0; c < 2; ++c) ASSERT_NEAR(one.value().probabilities[k][c], many.value().probabilities[k][c], 1e-5);
}

TEST(VolumePipeline, AttentionMapVolumeLiesInTheCtSpace) {
  const auto model = tinyCtModel();
  VolumePipelineOptions options;
  options.attentionMaps = true;
  auto result = VolumePipeline(*model, options).run(ct());
  ASSERT_TRUE(result.ok()) << result.error().describe();
  ASSERT_TRUE(result.value().attentionMap.has_value());
  const core::Volume& map = *result.value().attentionMap;
  // 128 px slices into a 64 px input: a 16-px patch covers 32 CT pixels.
  EXPECT_EQ(map.size(), (std::array<int, 3>{4, 4, 256}));
  EXPECT_EQ(map.pixelType(), core::PixelType::Float32);
  for (int a = 0; a < 2; ++a) EXPECT_NEAR(map.spacing[a], ct().spacing[a] * 32.0, 1e-9);
  EXPECT_NEAR(map.spacing[2], ct().spacing[2], 1e-12);
  EXPECT_EQ(map.direction, ct().direction);
  const core::Vec3 firstCell = ct().indexToPhysical({15.5, 15.5, 0.0});  // centre of CT pixels 0..31
  for (int a = 0; a < 3; ++a) EXPECT_NEAR(map.origin[a], firstCell[a], 1e-9);
  // The map's last cell ends where the CT's last pixel ends.
  const core::Vec3 lastCorner = map.indexToPhysical({3.5, 3.5, 255.0});
  const core::Vec3 ctCorner = ct().indexToPhysical({127.5, 127.5, 255.0});
  for (int a = 0; a < 3; ++a) EXPECT_NEAR(lastCorner[a], ctCorner[a], 1e-6);
  // Slice 100's cells are that slice's CLS attention.
  auto attention = model->clsAttention(sliceWithVolumeWindow(100));
  ASSERT_TRUE(attention.ok());
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(map.valueAt(i, j, 100), attention.value().mean[j * 4 + i], 1e-5);
}

TEST(VolumePipeline, CancelKeepsTheSlicesDone) {
  const auto model = tinyCtModel();
  auto self = std::make_shared<const core::JobControl*>(nullptr);
  core::JobControl job([self](const core::JobProgress&) { (*self)->cancel(); });
  *self = &job;
  auto result = VolumePipeline(*model, {16, 5, false, nullptr}).run(ct(), job);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_TRUE(result.value().cancelled());
  EXPECT_EQ(result.value().ended.error().code, core::ErrorCode::Cancelled);
  EXPECT_EQ(result.value().slicesDone, 16);
  EXPECT_EQ(result.value().probabilities.size(), 16u);
  ASSERT_EQ(result.value().study.mean.size(), 2u);
}

TEST(VolumePipeline, AttentionPoolingWithTheModelsAggregator) {
  test::TempDir dir;
  const int dim = 192, hidden = 8, classes = 2;
  std::mt19937 rng(5);
  std::normal_distribution<float> n(0.0f, 0.2f);
  std::vector<std::vector<float>> w(8);
  const std::vector<std::pair<std::string, std::vector<std::int64_t>>> spec = {
      {"attention_V.weight", {hidden, dim}}, {"attention_V.bias", {hidden}},      {"attention_U.weight", {hidden, dim}},
      {"attention_U.bias", {hidden}},        {"attention_w.weight", {1, hidden}}, {"attention_w.bias", {1}},
      {"classifier.weight", {classes, dim}}, {"classifier.bias", {classes}}};
  std::vector<TensorToWrite> tensors;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    w[i].resize(static_cast<std::size_t>(
        std::accumulate(spec[i].second.begin(), spec[i].second.end(), std::int64_t{1}, std::multiplies<>())));
    for (auto& x : w[i]) x = n(rng);
    tensors.push_back({"aggregator." + spec[i].first, TensorDType::F32, spec[i].second, w[i].data()});
  }
  ASSERT_TRUE(writeSafeTensors(modelAggregatorFile(dir.path()), tensors).ok());
  auto pool = loadModelAggregator(dir.path());
  ASSERT_TRUE(pool.ok() && pool.value()) << (pool.ok() ? "none" : pool.error().describe());

  const auto model = tinyCtModel();
  VolumePipelineOptions options;
  options.aggregator = pool.value().get();
  auto result = VolumePipeline(*model, options).run(ct());
  ASSERT_TRUE(result.ok()) << result.error().describe();
  const auto& attention = result.value().study.attention;
  ASSERT_TRUE(attention.available) << attention.reason;
  ASSERT_EQ(attention.weights.size(), 256u);
  EXPECT_NEAR(std::accumulate(attention.weights.begin(), attention.weights.end(), 0.0), 1.0, 1e-4);
  ASSERT_EQ(attention.probabilities.size(), 2u);
  EXPECT_NEAR(attention.probabilities[0] + attention.probabilities[1], 1.0, 1e-5);
}

TEST(VolumePipeline, RefusesColourModelsAndFrameStacks) {
  const auto colourModel = tinyCtModel(InputModality::Color);
  auto refused = VolumePipeline(*colourModel, {}).run(ct());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::Unsupported);
  EXPECT_NE(refused.error().message.find("colour"), std::string::npos) << refused.error().message;

  const auto model = tinyCtModel();
  auto rgb = core::Volume::allocate({8, 8, 4}, core::PixelType::UInt8, core::PixelBuffer::Init::Zero, 3).value();
  auto stack = VolumePipeline(*model, {}).run(rgb);
  ASSERT_FALSE(stack.ok());
  EXPECT_EQ(stack.error().code, core::ErrorCode::Unsupported);

  // A CT-window model on the demo CT (clipped at 0: no air anywhere) is refused once, for
  // the whole volume, before any slice runs.
  const auto ctModel = tinyCtModel(InputModality::CT);
  auto notHu = VolumePipeline(*ctModel, {}).run(ct());
  ASSERT_FALSE(notHu.ok());
  EXPECT_NE(notHu.error().message.find("do not look like Hounsfield units"), std::string::npos)
      << notHu.error().message;

  // A study its file calls MR is refused by a CT model even when its values would pass.
  auto mr = core::Volume::allocate({16, 16, 4}, core::PixelType::Int16, core::PixelBuffer::Init::Zero).value();
  for (int i = 0; i < 16 * 16 * 4; ++i)
    reinterpret_cast<std::int16_t*>(mr.data())[i] = static_cast<std::int16_t>(-1000 + i);
  mr.modality = "MR";
  auto wrongStudy = VolumePipeline(*ctModel, {}).run(mr);
  ASSERT_FALSE(wrongStudy.ok());
  EXPECT_NE(wrongStudy.error().message.find("MR study"), std::string::npos) << wrongStudy.error().message;
}

}  // namespace
}  // namespace meridian::model
