// A project's exports (ProjectExport.hpp) on a real project: a CT series from pydicom's test
// files (patient Doe^Peter) and skimage's camera photo, with stored predictions, a review and
// an annotation. Each output is read back (CSV text, pdftotext, dsrdump, the GeoJSON reader,
// the de-identified bytes) and each export must appear in the project's audit trail.

#include "meridian/report/ProjectExport.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <variant>

#include "meridian/core/AnnotationsGeoJson.hpp"
#include "meridian/io/InputOpener.hpp"
#include "meridian/project/ProjectImport.hpp"
#include "meridian/report/PredictionJson.hpp"
#include "RunCommand.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using project::CaseId;

namespace {

const fs::path kOut = MERIDIAN_TEST_OUTPUT "/project-export";
const fs::path kSeries = "/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests/98892001/CT5N";
const fs::path kCamera = "/usr/lib/python3/dist-packages/skimage/data/camera.png";
const std::string kSha = "4f1c0c2d3e4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344";

std::string run(const std::string& command, int& rc) { return test::runCommand(command, rc); }

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class ProjectExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = kOut / info->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // pydicom's series is marked de-identified (Patient Identity Removed = YES, with a made-up
    // name); a copy that says NO stands for a study that names its patient.
    const fs::path series = dir_ / "CT5N";
    fs::copy(kSeries, series);
    int rc = -1;
    const std::string out = run("dcmodify -nb -i '(0012,0062)=NO' '" + series.string() + "'/*", rc);
    ASSERT_EQ(rc, 0) << out;
    store_ = project::ProjectStore::create(dir_ / "project").value();
    store_->setActor("Dr. Ada Reviewer");
    auto added = project::importIntoProject(*store_, {series, kCamera});
    ASSERT_TRUE(added) << added.error().describe();
    ASSERT_EQ(added.value().added.size(), 2u);
    const auto cases = store_->listCases().value();  // a copy: the loop must not outlive the Result
    for (const auto& c : cases) (c.seriesUid.empty() ? camera_ : series_) = c.id;
  }

  /// A prediction as infer stores it, with the model run naming the model.
  void predict(CaseId id, double tumour) {
    project::ModelRun run;
    run.task = "inference";
    run.modelName = "vit-test";
    run.weightsSha256 = kSha;
    const auto runId = store_->startModelRun(run).value();
    project::Prediction p;
    p.caseId = id;
    p.runId = runId;
    p.weightsSha256 = kSha;
    p.outputsJson = nlohmann::json{{"outputs", {{"classification", {{"normal", 1 - tumour}, {"tumour", tumour}}}}}}.dump();
    ASSERT_TRUE(store_->addPrediction(p));
  }

  void review(CaseId id, const std::string& decision, const std::string& correction = {}) {
    project::ReviewDecision d;
    d.caseId = id;
    d.decision = decision;
    d.correction = correction;
    ASSERT_TRUE(store_->addReview(d));
  }

  report::ProjectExportRequest request(report::ExportFormat format, const fs::path& output) {
    report::ProjectExportRequest r;
    r.format = format;
    r.output = dir_ / output;
    r.policy.replaceExisting = false;
    return r;
  }

  nlohmann::json lastEvent() {
    const auto events = store_->events().value();
    return nlohmann::json{{"kind", events.back().kind}, {"payload", nlohmann::json::parse(events.back().payloadJson)}};
  }

  fs::path dir_;
  std::unique_ptr<project::ProjectStore> store_;
  CaseId series_ = 0, camera_ = 0;
};

}  // namespace

TEST(PredictionJson, ReadsInferOutputAndFlatOutputs) {
  const std::string infer = R"({"model": {"name": "vit", "sha256": ")" + kSha +
                            R"("}, "input": "/data/x.png", "outputs": {"classification": {"a": 0.25, "b": 0.75}}})";
  auto r = report::predictionFromJson(infer);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r.value().prediction.labels, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.value().prediction.probabilities, (std::vector<double>{0.25, 0.75}));
  EXPECT_EQ(r.value().input, "/data/x.png");
  auto flat = report::predictionFromJson(R"({"tumour": 0.83})", "vit", kSha);
  ASSERT_TRUE(flat) << flat.error().message;
  EXPECT_EQ(flat.value().prediction.modelName, "vit");
  auto bad = report::predictionFromJson(R"({"tumour": 1.5})", "vit", kSha);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("not a number in [0, 1]"), std::string::npos);
  EXPECT_FALSE(report::predictionFromJson("[1, 2]"));
  EXPECT_FALSE(report::predictionFromJson(R"({"tumour": 0.5})"));  // no model named anywhere
}

TEST_F(ProjectExportTest, CsvHasOneRowPerPredictedCaseWithLabelsAndReview) {
  predict(series_, 0.8);
  predict(camera_, 0.1);
  ASSERT_TRUE(store_->addLabel(series_, "tumour"));
  review(series_, "correct", "normal");
  auto r = report::exportProject(*store_, request(report::ExportFormat::Csv, "p.csv"));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r.value().cases, 2u);
  const std::string csv = slurp(dir_ / "p.csv");
  EXPECT_EQ(csv.rfind("case,model,weights_sha256,predicted_label,p_normal,p_tumour,label,reviewer,decision,time_utc\r\n", 0), 0u)
      << csv;
  EXPECT_NE(csv.find(",vit-test," + kSha + ",tumour,0.2,0.8,tumour,Dr. Ada Reviewer,correct to normal,"), std::string::npos)
      << csv;
  EXPECT_NE(csv.find(kCamera.string() + ",vit-test," + kSha + ",normal,0.9,0.1,,,,"), std::string::npos) << csv;
  const auto event = lastEvent();
  EXPECT_EQ(event["kind"], "export");
  EXPECT_EQ(event["payload"]["format"], "csv");
  EXPECT_TRUE(store_->verifyEvents().value().intact);
}

TEST_F(ProjectExportTest, PdfHasASectionPerReportedCaseAndSaysWhetherItNamesThePatient) {
  predict(series_, 0.8);
  predict(camera_, 0.1);
  review(series_, "accept");
  auto r = report::exportProject(*store_, request(report::ExportFormat::Pdf, "report.pdf"));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r.value().cases, 2u);
  EXPECT_TRUE(r.value().identifiesPatients);
  int rc = -1;
  const std::string text = run("pdftotext -layout '" + (dir_ / "report.pdf").string() + "' -", rc);
  ASSERT_EQ(rc, 0) << text;
  for (const std::string expected :
       {"Meridian report: case " + std::to_string(series_), "Meridian report: case " + std::to_string(camera_),
        std::string("Doe^Peter"), std::string("Not de-identified"), kSha, std::string("Dr. Ada Reviewer"),
        std::string("RESEARCH USE ONLY"), std::string("Not reviewed.")})
    EXPECT_NE(text.find(expected), std::string::npos) << "pdftotext lacks '" << expected << "'";
  EXPECT_EQ(lastEvent()["payload"]["deidentified"], false);  // the audit trail says it names patients

  auto hidden = request(report::ExportFormat::Pdf, "reviewed.pdf");
  hidden.reviewedOnly = true;
  hidden.hidePatient = true;
  auto h = report::exportProject(*store_, hidden);
  ASSERT_TRUE(h) << h.error().describe();
  EXPECT_EQ(h.value().cases, 1u);
  ASSERT_EQ(h.value().skipped.size(), 1u);
  EXPECT_NE(h.value().skipped[0].find("not reviewed"), std::string::npos);
  EXPECT_FALSE(h.value().identifiesPatients);
  const std::string hiddenText = run("pdftotext '" + (dir_ / "reviewed.pdf").string() + "' -", rc);
  EXPECT_EQ(hiddenText.find("Doe"), std::string::npos) << hiddenText;
  EXPECT_NE(hiddenText.find("de-identified"), std::string::npos) << hiddenText;
  EXPECT_EQ(lastEvent()["payload"]["deidentified"], true);
}

TEST_F(ProjectExportTest, SrPerCaseReferencesTheSeriesImages) {
  predict(series_, 0.8);
  review(series_, "accept");
  auto r = report::exportProject(*store_, request(report::ExportFormat::Sr, "sr"));
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r.value().written.size(), 1u);  // the camera has no prediction: left out, said why
  EXPECT_EQ(r.value().written[0], dir_ / "sr" / ("case-" + std::to_string(series_) + ".dcm"));
  ASSERT_EQ(r.value().skipped.size(), 1u);
  EXPECT_NE(r.value().skipped[0].find("no prediction"), std::string::npos);
  int rc = -1;
  const std::string dump = run("dsrdump +Pl '" + r.value().written[0].string() + "'", rc);
  ASSERT_EQ(rc, 0) << dump;
  for (const char* expected : {"Probability of tumour", "0.8", "vit-test", "Doe^Peter", "accept by Dr. Ada Reviewer"})
    EXPECT_NE(dump.find(expected), std::string::npos) << "dsrdump lacks '" << expected << "'\n" << dump;
  // Five images referenced: one IMAGE item per file of the series.
  std::size_t images = 0;
  for (std::size_t at = dump.find("IMAGE:"); at != std::string::npos; at = dump.find("IMAGE:", at + 1)) ++images;
  EXPECT_EQ(images, 5u) << dump;
}

TEST_F(ProjectExportTest, DeidCopiesTheDicomCasesWithoutThePatientAndSkipsTheRest) {
  auto r = report::exportProject(*store_, request(report::ExportFormat::Deid, "deid"));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r.value().written.size(), 5u);
  ASSERT_EQ(r.value().skipped.size(), 1u);
  EXPECT_NE(r.value().skipped[0].find("not DICOM"), std::string::npos);
  for (const auto& file : r.value().written) {
    const std::string bytes = slurp(file);
    EXPECT_EQ(bytes.find("Doe^Peter"), std::string::npos) << file;
    EXPECT_EQ(bytes.find("98890234"), std::string::npos) << file;
  }
  EXPECT_EQ(lastEvent()["payload"]["deidentified"], true);
}

TEST_F(ProjectExportTest, GeoJsonOfOneCaseRoundTripsItsAnnotations) {
  core::Annotation a;
  a.id = "region-1";
  a.shape = core::AnnotationShape::Polygon;
  a.points = {{10, 10}, {100, 12}, {60, 90}};
  a.className = "tumour";
  ASSERT_TRUE(store_->ensureClass("tumour"));
  ASSERT_TRUE(store_->putAnnotation(camera_, a));
  auto req = request(report::ExportFormat::GeoJson, "camera.geojson");
  req.cases = {camera_};
  auto r = report::exportProject(*store_, req);
  ASSERT_TRUE(r) << r.error().describe();
  auto back = core::loadGeoJson(dir_ / "camera.geojson");
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back.value().annotations.size(), 1u);
  EXPECT_EQ(back.value().annotations[0].points, a.points);
  EXPECT_EQ(back.value().annotations[0].className, "tumour");
}

TEST_F(ProjectExportTest, GeoJsonOfVolumePlaneShapesCarriesPatientAndVoxelCoordinates) {
  // A polygon on axial slice 2 of the CT series, stored as the volume viewer stores it: in
  // patient space (LPS, mm) with its plane and slice, no plane pixels.
  const auto cases = store_->listCases().value();
  const auto it = std::find_if(cases.begin(), cases.end(), [&](const auto& c) { return c.id == series_; });
  ASSERT_NE(it, cases.end());
  auto opened = io::openInput(it->path);
  ASSERT_TRUE(opened) << opened.error().message;
  const auto& volume = std::get<core::Volume>(opened.value().image.content);
  const std::vector<core::Vec3> voxels = {{10, 20, 2}, {100, 30, 2}, {60, 90, 2}};
  core::Annotation a;
  a.id = "lesion-1";
  a.shape = core::AnnotationShape::Polygon;
  a.className = "tumour";
  a.plane = "axial";
  a.slice = 2;
  for (const auto& v : voxels) a.patientPoints.push_back(volume.indexToPhysical(v));
  ASSERT_TRUE(store_->ensureClass("tumour"));
  ASSERT_TRUE(store_->putAnnotation(series_, a));

  auto req = request(report::ExportFormat::GeoJson, "ct.geojson");
  req.cases = {series_};
  auto r = report::exportProject(*store_, req);
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r.value().written.size(), 1u);

  const auto doc = nlohmann::json::parse(slurp(dir_ / "ct.geojson"));
  const auto& f = doc["features"][0];
  const auto& props = f["properties"];
  EXPECT_EQ(props["plane"], "axial");
  EXPECT_EQ(props["slice"], 2);
  EXPECT_EQ(props["voxelAxes"], nlohmann::json::array({0, 1}));  // the series is stored axially
  ASSERT_TRUE(props.contains("coordinateUnits"));
  ASSERT_EQ(props["patientCoordinates"].size(), 3u);
  ASSERT_EQ(props["voxelCoordinates"].size(), 3u);
  const auto& ring = f["geometry"]["coordinates"][0];
  ASSERT_EQ(ring.size(), 4u);  // closed
  for (std::size_t n = 0; n < voxels.size(); ++n) {
    for (int c = 0; c < 3; ++c) {
      EXPECT_NEAR(props["patientCoordinates"][n][c].get<double>(), a.patientPoints[n][c], 1e-9);
      EXPECT_NEAR(props["voxelCoordinates"][n][c].get<double>(), voxels[n][c], 1e-6);
    }
    // The geometry: the in-plane voxel index, QuPath's corner convention.
    EXPECT_NEAR(ring[n][0].get<double>(), voxels[n][0] + 0.5, 1e-6);
    EXPECT_NEAR(ring[n][1].get<double>(), voxels[n][1] + 0.5, 1e-6);
  }

  // Back in: the same patient points, plane and slice, and the in-plane voxel points.
  auto back = core::loadGeoJson(dir_ / "ct.geojson");
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back.value().annotations.size(), 1u);
  const auto& b = back.value().annotations[0];
  EXPECT_EQ(b.id, "lesion-1");
  EXPECT_EQ(b.plane, "axial");
  EXPECT_EQ(b.slice, 2);
  EXPECT_EQ(b.className, "tumour");
  ASSERT_EQ(b.patientPoints.size(), 3u);
  ASSERT_EQ(b.points.size(), 3u);
  for (std::size_t n = 0; n < voxels.size(); ++n) {
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(b.patientPoints[n][c], a.patientPoints[n][c], 1e-9);
    EXPECT_NEAR(b.points[n][0], voxels[n][0], 1e-6);
    EXPECT_NEAR(b.points[n][1], voxels[n][1], 1e-6);
  }
  // And back into a project: the annotation store takes it as a volume shape again.
  ASSERT_TRUE(store_->putAnnotation(series_, b));
  const auto stored = store_->annotations(series_).value();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].patientPoints.size(), 3u);
}

TEST(VolumeGeometry, PhysicalToIndexInvertsIndexToPhysicalForAnObliqueVolume) {
  core::Volume v;
  v.spacing = {0.7, 0.8, 2.5};
  v.origin = {-120.0, 35.5, 80.25};
  const double c = std::cos(0.3), s = std::sin(0.3);
  v.direction = {c, 0, s, 0, -1, 0, s, 0, -c};  // a tilted, flipped frame
  for (const core::Vec3 index : {core::Vec3{0, 0, 0}, core::Vec3{12.5, -3, 7}, core::Vec3{511, 511, 99}}) {
    const auto back = v.physicalToIndex(v.indexToPhysical(index));
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(back[k], index[k], 1e-9);
  }
  v.spacing[1] = 0.0;
  EXPECT_TRUE(std::isnan(v.physicalToIndex({1, 2, 3})[0]));
}

TEST_F(ProjectExportTest, NothingToExportAndARefusedOutputFailWithoutWriting) {
  auto none = report::exportProject(*store_, request(report::ExportFormat::Csv, "none.csv"));
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no case has a prediction"), std::string::npos) << none.error().message;
  EXPECT_FALSE(fs::exists(dir_ / "none.csv"));

  predict(camera_, 0.3);
  { std::ofstream(dir_ / "kept.csv") << "mine"; }
  auto refused = report::exportProject(*store_, request(report::ExportFormat::Csv, "kept.csv"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_EQ(slurp(dir_ / "kept.csv"), "mine");
  EXPECT_NE(lastEvent()["kind"], "export");  // a failed export is not recorded as done
}
