// The whole-slide pipeline on the demo IHC slide (4096 x 4096 generic tiled TIFF, no µm/px)
// with a tiny ViT-T (1 block, 128 px input): the Otsu mask agrees with a plain brightness
// threshold of the thumbnail, the grid and the heatmap geometry follow the slide, the
// level choice follows µm/px, a cancelled and resumed run gives the scores of an
// uninterrupted one, a run with another model or settings starts over, a CT model is
// refused. The geometry test also prints decode-only, inference and pipelined times
// (never asserted).

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "TempDir.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/model/Preprocessor.hpp"
#include "meridian/model/SlidePipeline.hpp"

namespace meridian::model {
namespace {

const std::filesystem::path kSlide = std::filesystem::path(MERIDIAN_DEMO_DATA_DIR) / "pathology-ihc-slide.tif";

std::shared_ptr<core::SlideSource> demoSlide() {
  static const auto slide = [] {
    auto opened = io::ReaderRegistry::builtin().open(kSlide);
    if (!opened) throw std::runtime_error(opened.error().describe());
    return std::get<std::shared_ptr<core::SlideSource>>(opened.value().content);
  }();
  return slide;
}

const VitModel& tinyModel() {
  static const auto model = [] {
    auto config = VitConfig::preset("vit_t_16", 2).value();
    config.imageSize = 128;
    config.depth = 1;
    return VitModel::create(config, 21).value();
  }();
  return *model;
}

// The demo slide as a scanner that records its pixel size would present it: the real
// pyramid and pixels, plus µm/px.
class SlideWithMpp : public core::SlideSource {
 public:
  SlideWithMpp(std::shared_ptr<core::SlideSource> inner, double mpp) : inner_(std::move(inner)), mpp_(mpp) {}
  std::string vendor() const override { return inner_->vendor(); }
  const std::vector<core::SlideLevel>& levels() const override { return inner_->levels(); }
  std::optional<std::array<double, 2>> micronsPerPixel() const override { return std::array<double, 2>{mpp_, mpp_}; }
  const std::map<std::string, std::string>& properties() const override { return inner_->properties(); }
  std::vector<std::string> associatedImageNames() const override { return inner_->associatedImageNames(); }
  core::Result<core::Image2D> readAssociatedImage(const std::string& name) const override {
    return inner_->readAssociatedImage(name);
  }
  core::Result<core::Image2D> readRegion(int level, std::int64_t x, std::int64_t y, int w, int h) const override {
    return inner_->readRegion(level, x, y, w, h);
  }

 private:
  std::shared_ptr<core::SlideSource> inner_;
  double mpp_;
};

TEST(SlidePipeline, MaskCoversTheTissueOfTheDemoSlide) {
  auto mask = computeTissueMask(*demoSlide(), 1024);
  ASSERT_TRUE(mask.ok()) << mask.error().describe();
  const auto& m = mask.value();
  auto thumb = demoSlide()->thumbnail(1024);
  ASSERT_TRUE(thumb.ok());
  ASSERT_EQ(m.width, thumb.value().width());
  // The plain alternative: anything darker than near-white glass is tissue.
  const auto* px = thumb.value().pixels<std::uint8_t>();
  std::size_t agree = 0, simpleTissue = 0;
  const std::size_t n = static_cast<std::size_t>(m.width) * m.height;
  for (std::size_t i = 0; i < n; ++i) {
    const double grey = 0.299 * px[3 * i] + 0.587 * px[3 * i + 1] + 0.114 * px[3 * i + 2];
    const bool tissue = grey < 220.0;
    simpleTissue += tissue;
    agree += tissue == (m.mask[i] != 0);
  }
  const double agreement = static_cast<double>(agree) / n;
  std::cout << "tissue mask: " << toString(m.channel) << " > " << m.threshold << " after " << m.otsuSplits
            << " Otsu split(s), coverage " << m.coverage() << "; grey<220 covers "
            << static_cast<double>(simpleTissue) / n << ", pixel agreement " << agreement << "\n";
  EXPECT_EQ(m.channel, TissueChannel::Saturation);
  EXPECT_GT(agreement, 0.85);
  EXPECT_GT(m.coverage(), 0.6);   // the IHC field is mostly tissue ...
  EXPECT_LT(m.coverage(), 0.97);  // ... with glass and lumina that are not
}

TEST(SlidePipeline, GridAndHeatmapGeometryFollowTheSlide) {
  test::TempDir dir;
  SlidePipelineOptions options;
  options.batchSize = 32;
  options.progressFile = dir / "progress.json";
  auto result = SlidePipeline(tinyModel(), options).run(*demoSlide());
  ASSERT_TRUE(result.ok()) << result.error().describe();
  const auto& r = result.value();
  // No µm/px in this slide: level 0, one level-0 pixel per model pixel, and the note says so.
  EXPECT_FALSE(r.grid.mppKnown);
  EXPECT_NE(r.grid.note.find("no µm/px"), std::string::npos) << r.grid.note;
  EXPECT_EQ(r.grid.level, 0);
  EXPECT_DOUBLE_EQ(r.grid.patchLevel0, 128.0);
  EXPECT_EQ(r.grid.columns, 32);
  EXPECT_EQ(r.grid.rows, 32);
  // Tissue cells: those whose share of mask pixels reaches 25%, counted here directly.
  std::vector<int> expected;
  const auto& m = r.mask;
  const int step = static_cast<int>(128 / m.level0PerPixelX);  // 32 mask pixels per patch
  for (int row = 0; row < 32; ++row)
    for (int col = 0; col < 32; ++col) {
      int tissue = 0;
      for (int y = row * step; y < (row + 1) * step; ++y)
        for (int x = col * step; x < (col + 1) * step; ++x) tissue += m.mask[static_cast<std::size_t>(y) * m.width + x];
      if (tissue >= 0.25 * step * step) expected.push_back(row * 32 + col);
    }
  EXPECT_EQ(r.grid.tissueCells, expected);
  EXPECT_GT(expected.size(), 600u);
  EXPECT_LT(expected.size(), 1024u);
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.cells, expected);
  EXPECT_TRUE(std::filesystem::exists(options.progressFile));

  // The heatmap: one cell per patch in level-0 pixel geometry, probability of class 1.
  const core::Volume& h = r.heatmap;
  EXPECT_EQ(h.size(), (std::array<int, 3>{32, 32, 1}));
  EXPECT_EQ(h.pixelType(), core::PixelType::Float32);
  EXPECT_DOUBLE_EQ(h.spacing[0], 128.0);
  EXPECT_DOUBLE_EQ(h.spacing[1], 128.0);
  EXPECT_DOUBLE_EQ(h.origin[0], 63.5);  // centre of level-0 pixels 0..127
  EXPECT_DOUBLE_EQ(h.origin[1], 63.5);
  EXPECT_EQ(h.direction, core::kIdentity3);
  EXPECT_LE(h.indexToPhysical({31.5, 31.5, 0})[0], 4095.5);  // the map ends inside the slide
  EXPECT_EQ(r.heatmapClass, 1);
  float lo = 1.0f, hi = 0.0f;
  std::size_t next = 0;
  for (int cell = 0; cell < 32 * 32; ++cell) {
    const double v = h.valueAt(cell % 32, cell / 32, 0);
    if (next < r.cells.size() && r.cells[next] == cell) {
      EXPECT_FLOAT_EQ(static_cast<float>(v), r.scores[next][1]);
      lo = std::min(lo, r.scores[next][1]), hi = std::max(hi, r.scores[next][1]);
      ++next;
    } else {
      EXPECT_EQ(v, 0.0);  // glass: not run
    }
  }
  EXPECT_GT(hi - lo, 1e-4f);  // patches differ

  // The score of the patch at (column, row) is the model's on the level-0 pixels at
  // (128 column, 128 row), read here straight from the slide: a grid that swapped x and y
  // (the demo slide is square) or shifted patches would score other pixels.
  int checked = 0;
  for (std::size_t i = 0; i < r.cells.size() && checked < 4; i += r.cells.size() / 7) {
    const int col = r.cells[i] % 32, row = r.cells[i] / 32;
    if (std::abs(col - row) < 3) continue;
    auto patch = demoSlide()->readRegion(0, 128 * col, 128 * row, 128, 128);
    ASSERT_TRUE(patch.ok());
    auto alone = tinyModel().predict(patch.value());
    ASSERT_TRUE(alone.ok()) << alone.error().describe();
    for (std::size_t c = 0; c < 2; ++c)
      EXPECT_NEAR(alone.value().probabilities[c], r.scores[i][c], 1e-4) << "column " << col << " row " << row;
    ++checked;
  }
  EXPECT_EQ(checked, 4);
  EXPECT_FLOAT_EQ(r.slide.max[1], hi);
  EXPECT_EQ(r.slide.topK, 10);
  EXPECT_FALSE(r.slide.attention.available);

  // How well decoding overlaps inference (printed, never asserted): the same patches read
  // and preprocessed with no model, against the pipelined run above.
  SlidePipelineOptions decodeOnly = options;
  decodeOnly.progressFile.clear();
  decodeOnly.decodeOnly = true;
  auto decode = SlidePipeline(tinyModel(), decodeOnly).run(*demoSlide());
  ASSERT_TRUE(decode.ok()) << decode.error().describe();
  EXPECT_TRUE(decode.value().cells.empty());  // decoding only: nothing scored
  const auto& t = r.timing;
  std::cout << "demo slide, " << r.patchesTotal << " patches of 128 px, ViT-T depth 1, " << options.readerThreads
            << " reader threads, batch " << options.batchSize << ": decode-only wall "
            << decode.value().timing.patchPhaseSeconds << " s; pipelined run: wall " << t.patchPhaseSeconds
            << " s, inference busy " << t.inferBusySeconds << " s, decode busy " << t.decodeBusySeconds
            << " s (summed over readers), inference waiting for patches " << t.waitSeconds << " s\n";
  RecordProperty("decode_only_s", std::to_string(decode.value().timing.patchPhaseSeconds));
  RecordProperty("infer_busy_s", std::to_string(t.inferBusySeconds));
  RecordProperty("pipelined_s", std::to_string(t.patchPhaseSeconds));
}

TEST(SlidePipeline, LevelAndPatchSizeFollowMicronsPerPixel) {
  const SlideWithMpp slide(demoSlide(), 0.25);
  auto mask = computeTissueMask(slide, 512);
  ASSERT_TRUE(mask.ok());
  SlidePipelineOptions options;
  struct Case {
    double mpp;
    int level;
    double patchLevel0;
    int readSide;
    int columns;
  };
  for (const Case& c : {Case{1.0, 2, 512.0, 128, 8}, Case{0.5, 1, 256.0, 128, 16}, Case{0.3, 0, 153.6, 154, 26},
                        Case{0.25, 0, 128.0, 128, 32}}) {
    options.micronsPerPixel = c.mpp;
    auto grid = planPatchGrid(slide, mask.value(), 128, options);
    ASSERT_TRUE(grid.ok()) << grid.error().describe();
    EXPECT_TRUE(grid.value().mppKnown);
    EXPECT_EQ(grid.value().level, c.level) << c.mpp;
    EXPECT_NEAR(grid.value().patchLevel0, c.patchLevel0, 1e-9) << c.mpp;
    EXPECT_EQ(grid.value().readSide, c.readSide) << c.mpp;
    EXPECT_EQ(grid.value().columns, c.columns) << c.mpp;
  }
  for (double bad : {0.0, -1.0, std::nan("")}) {
    options.micronsPerPixel = bad;
    auto grid = planPatchGrid(slide, mask.value(), 128, options);
    ASSERT_FALSE(grid.ok());
    EXPECT_EQ(grid.error().code, core::ErrorCode::InvalidArgument);
  }
}

TEST(SlidePipeline, CancelThenResumeGivesTheUninterruptedScores) {
  test::TempDir dir;
  const SlideWithMpp slide(demoSlide(), 0.25);  // at 0.5 µm/px: 16 x 16 patches from level 1
  SlidePipelineOptions options;
  options.batchSize = 16;
  options.micronsPerPixel = 0.5;
  options.modelId = "tiny-vit-seed-21";
  options.slideId = kSlide.string();
  options.progressFile = dir / "uninterrupted.json";
  auto full = SlidePipeline(tinyModel(), options).run(slide);
  ASSERT_TRUE(full.ok()) << full.error().describe();

  // Cancel once a third of the patches are done (and a checkpoint was forced by cancel).
  options.progressFile = dir / "interrupted.json";
  options.resume = true;
  auto self = std::make_shared<const core::JobControl*>(nullptr);
  core::JobControl job([self](const core::JobProgress& p) {
    if (p.total && p.done * 3 >= p.total) (*self)->cancel();
  });
  *self = &job;
  auto partial = SlidePipeline(tinyModel(), options).run(slide, job);
  ASSERT_TRUE(partial.ok()) << partial.error().describe();
  EXPECT_TRUE(partial.value().cancelled());
  EXPECT_EQ(partial.value().ended.error().code, core::ErrorCode::Cancelled);
  EXPECT_FALSE(partial.value().complete);
  const std::size_t doneBefore = partial.value().cells.size();
  EXPECT_GT(doneBefore, 0u);
  EXPECT_LT(doneBefore, full.value().cells.size());

  std::size_t firstReport = 0;
  core::JobControl watch([&](const core::JobProgress& p) {
    if (!firstReport) firstReport = p.done;
  });
  auto resumed = SlidePipeline(tinyModel(), options).run(slide, watch);
  ASSERT_TRUE(resumed.ok()) << resumed.error().describe();
  const auto& r = resumed.value();
  EXPECT_EQ(r.resumedPatches, doneBefore);
  EXPECT_NE(r.resumeNote.find("resumed"), std::string::npos) << r.resumeNote;
  EXPECT_GT(firstReport, doneBefore);  // progress counts the patches read back
  ASSERT_TRUE(r.complete);
  ASSERT_EQ(r.cells, full.value().cells);
  // Batches are composed differently after a resume; the model's arithmetic per image is
  // the same up to float summation order.
  for (std::size_t i = 0; i < r.cells.size(); ++i)
    for (std::size_t c = 0; c < 2; ++c)
      ASSERT_NEAR(r.scores[i][c], full.value().scores[i][c], 1e-5) << "cell " << r.cells[i];
  for (int c = 0; c < 2; ++c) EXPECT_NEAR(r.slide.mean[c], full.value().slide.mean[c], 1e-6);
}

TEST(SlidePipeline, AnotherModelOrOtherSettingsStartOver) {
  test::TempDir dir;
  SlidePipelineOptions options;
  options.batchSize = 64;
  options.micronsPerPixel = 1.0;
  options.modelId = "model-a";
  options.slideId = kSlide.string();
  options.progressFile = dir / "progress.json";
  const SlideWithMpp slide(demoSlide(), 0.25);  // 8 x 8 patches: a quick run
  ASSERT_TRUE(SlidePipeline(tinyModel(), options).run(slide).ok());

  options.resume = true;
  auto same = SlidePipeline(tinyModel(), options).run(slide);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same.value().resumedPatches, same.value().patchesTotal);

  options.modelId = "model-b";
  auto other = SlidePipeline(tinyModel(), options).run(slide);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other.value().resumedPatches, 0u);
  EXPECT_NE(other.value().resumeNote.find("another model"), std::string::npos) << other.value().resumeNote;

  options.micronsPerPixel = 0.5;  // the file now belongs to model-b at 1 µm/px
  auto settings = SlidePipeline(tinyModel(), options).run(slide);
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings.value().resumedPatches, 0u);
  EXPECT_NE(settings.value().resumeNote.find("other settings"), std::string::npos) << settings.value().resumeNote;
  EXPECT_TRUE(settings.value().complete);
}

TEST(SlidePipeline, ExplanationMapsAreStitchedInLevel0Geometry) {
  const SlideWithMpp slide(demoSlide(), 0.25);  // 1 µm/px: 8 x 8 patches of 512 level-0 px
  SlidePipelineOptions options;
  options.micronsPerPixel = 1.0;
  options.attentionMaps = true;
  options.mapMethod = ExplainMethod::Rollout;
  auto result = SlidePipeline(tinyModel(), options).run(slide);
  ASSERT_TRUE(result.ok()) << result.error().describe();
  const auto& r = result.value();
  ASSERT_TRUE(r.attentionMap.has_value());
  const core::Volume& m = *r.attentionMap;
  EXPECT_EQ(m.size(), (std::array<int, 3>{64, 64, 1}));  // 8 patches x 8 cells per side
  EXPECT_DOUBLE_EQ(m.spacing[0], 64.0);
  EXPECT_DOUBLE_EQ(m.origin[0], 31.5);
  // One patch's cells are the rollout of that patch, read and preprocessed here.
  const int cell = r.cells[r.cells.size() / 2];
  const auto origin = r.grid.cellOrigin(cell);
  auto region = slide.readRegion(r.grid.level, origin[0], origin[1], r.grid.readSide, r.grid.readSide);
  ASSERT_TRUE(region.ok());
  auto pre = preprocessImage(region.value(), 128, tinyModel().preprocessConfig());
  ASSERT_TRUE(pre.ok());
  auto maps = tinyModel().explain(InputBatch{1, 128, 128, pre.value().chw}, ExplainMethod::Rollout);
  ASSERT_TRUE(maps.ok()) << maps.error().describe();
  const int col = cell % 8, row = cell / 8;
  for (int j = 0; j < 8; ++j)
    for (int i = 0; i < 8; ++i)
      EXPECT_NEAR(m.valueAt(col * 8 + i, row * 8 + j, 0), maps.value().front().mean[j * 8 + i], 1e-5);
}

TEST(SlidePipeline, ACtModelIsRefused) {
  auto config = VitConfig::preset("vit_t_16", 2).value();
  config.imageSize = 64;
  config.depth = 1;
  PreprocessConfig ct;
  ct.modality = InputModality::CT;
  auto model = VitModel::create(config, 1, ct);
  ASSERT_TRUE(model.ok());
  auto refused = SlidePipeline(*model.value(), {}).run(*demoSlide());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::Unsupported);
  // The reason names the model's modality ("ct" alone would match "expected" or "colour microscopy").
  EXPECT_NE(refused.error().message.find("takes ct images"), std::string::npos) << refused.error().message;
}

}  // namespace
}  // namespace meridian::model
