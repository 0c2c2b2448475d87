// A project's GeoJSON export of a whole slide's heatmap (issue 12, item 2): the demo slide as a
// case with a prediction whose map has the slide pipeline's geometry (one cell per 256-pixel
// patch of level 0, origin at the first patch's centre). The export writes the cells as QuPath
// reads them: a FeatureCollection of Polygon tiles in level-0 pixel coordinates, each with
// properties.classification {name, color} (the prediction's top label) and the cell's score
// as a measurement.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <limits>

#include "meridian/core/Volume.hpp"
#include "meridian/io/ImageWriter.hpp"
#include "meridian/project/ProjectImport.hpp"
#include "meridian/project/ProjectStore.hpp"
#include "meridian/report/ProjectExport.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using nlohmann::json;

namespace {
const fs::path kOut = fs::path(MERIDIAN_TEST_OUTPUT) / "core-report" / "slide-heatmap";
const fs::path kDemoSlide = fs::path(MERIDIAN_TEST_DEMO_DATA) / "pathology-ihc-slide.tif";
constexpr int kColumns = 6, kRows = 4, kCell = 256;
}  // namespace

TEST(SlideHeatmapExport, CellsAreQuPathTilesInLevelZeroPixels) {
  fs::remove_all(kOut);
  auto store = project::ProjectStore::create(kOut / "project");
  ASSERT_TRUE(store) << store.error().message;
  auto imported = project::importIntoProject(*store.value(), {kDemoSlide});
  ASSERT_TRUE(imported) << imported.error().message;
  ASSERT_EQ(imported.value().added.size(), 1u);
  const project::CaseId slide = imported.value().added.front();
  ASSERT_EQ(store.value()->getCase(slide).value().kind, project::CaseKind::Slide);

  // The map as the slide pipeline writes it: value (i + 10 j) / 100 (the map writer refuses NaN).
  core::Volume map = core::Volume::allocate({kColumns, kRows, 1}, core::PixelType::Float32).value();
  auto* v = reinterpret_cast<float*>(map.data());
  for (int j = 0; j < kRows; ++j)
    for (int i = 0; i < kColumns; ++i) v[j * kColumns + i] = static_cast<float>(i + 10 * j) / 100.0f;
  map.spacing = {kCell, kCell, 1};
  map.origin = {(kCell - 1.0) / 2.0, (kCell - 1.0) / 2.0, 0};  // as SlidePipeline.cpp sets it
  fs::create_directories(kOut / "project/maps");
  const auto written = io::writeVolume(map, kOut / "project/maps/slide-heatmap.nii.gz");
  ASSERT_TRUE(written) << written.error().message;
  project::ModelRun run;  // the model that made it: exports read the prediction through its run
  run.task = "inference";
  run.modelName = "vit-slide-test";
  run.weightsSha256 = std::string(64, 'a');
  project::Prediction p;
  p.runId = store.value()->startModelRun(run).value();
  p.caseId = slide;
  p.weightsSha256 = std::string(64, 'a');
  p.outputsJson = R"({"normal": 0.3, "tumour": 0.7})";
  p.mapFile = "maps/slide-heatmap.nii.gz";
  ASSERT_TRUE(store.value()->addPrediction(p));

  report::ProjectExportRequest request;
  request.format = report::ExportFormat::GeoJson;
  request.output = kOut / "geojson";
  auto exported = report::exportProject(*store.value(), request);
  ASSERT_TRUE(exported) << exported.error().message;
  const fs::path cellsFile = request.output / ("case-" + std::to_string(slide) + "-heatmap.geojson");
  ASSERT_TRUE(fs::exists(cellsFile));
  const json g = json::parse(std::ifstream(cellsFile));
  ASSERT_EQ(g.at("type"), "FeatureCollection");
  const auto& features = g.at("features");
  ASSERT_EQ(features.size(), static_cast<std::size_t>(kColumns * kRows)) << "every cell";
  int seen = 0;
  for (const auto& f : features) {
    EXPECT_EQ(f.at("type"), "Feature");
    EXPECT_EQ(f.at("geometry").at("type"), "Polygon");
    const auto& ring = f.at("geometry").at("coordinates").at(0);
    ASSERT_EQ(ring.size(), 5u);
    const double x0 = ring[0][0], y0 = ring[0][1];
    double x1 = x0, y1 = y0;
    for (const auto& point : ring) {
      x1 = std::max(x1, point[0].get<double>());
      y1 = std::max(y1, point[1].get<double>());
    }
    // A whole patch of level 0, on the patch grid.
    EXPECT_DOUBLE_EQ(x1 - std::min<double>(x0, ring[2][0]), kCell);
    EXPECT_DOUBLE_EQ(y1 - std::min<double>(y0, ring[2][1]), kCell);
    const int i = static_cast<int>(std::lround(x1 / kCell)) - 1, j = static_cast<int>(std::lround(y1 / kCell)) - 1;
    ASSERT_TRUE(i >= 0 && i < kColumns && j >= 0 && j < kRows) << ring.dump();
    const auto& props = f.at("properties");
    EXPECT_EQ(props.at("classification").at("name"), "tumour");
    EXPECT_EQ(props.at("classification").at("color").size(), 3u);
    // The cell's score, as the map holds it.
    const json& m = props.at("measurements");
    const double score = m.is_array() ? m.at(0).at("value").get<double>() : m.at("score").get<double>();
    EXPECT_NEAR(score, (i + 10 * j) / 100.0, 1e-6) << ring.dump();
    ++seen;
  }
  EXPECT_EQ(seen, kColumns * kRows);
  // The last cell ends at the grid's far corner, in level-0 pixels.
  double maxX = 0, maxY = 0;
  for (const auto& f : features)
    for (const auto& point : f.at("geometry").at("coordinates").at(0)) {
      maxX = std::max(maxX, point[0].get<double>());
      maxY = std::max(maxY, point[1].get<double>());
    }
  EXPECT_DOUBLE_EQ(maxX, kColumns * kCell);
  EXPECT_DOUBLE_EQ(maxY, kRows * kCell);
}
