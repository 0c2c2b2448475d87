// The PDF report, read back with Debian's poppler-utils: pdftotext must find what a reviewer
// relies on (weights SHA-256, probabilities, decision, "research use only"), pdftoppm renders
// the page to a PNG a person looks at (build/test-output/report/report-1.png).

#include "meridian/report/PdfReport.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include "meridian/io/ReaderRegistry.hpp"
#include "RunCommand.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {

const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;
const fs::path kOut = MERIDIAN_TEST_OUTPUT "/report";
const std::string kSha = "9b1f0c2d3e4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344";

std::string run(const std::string& command, int& rc) { return test::runCommand(command, rc); }

/// A real CT slice from the demo set (the middle of the stent series).
core::Image2D demoSlice() {
  auto opened = io::ReaderRegistry::builtin().open(kDemo / "ct-abdomen-stent-dicom" / "IM0128.dcm");
  EXPECT_TRUE(opened.ok()) << opened.error().describe();
  if (const auto* image = std::get_if<core::Image2D>(&opened.value().content)) return *image;
  return std::get<core::Volume>(opened.value().content).slice(0).value();
}

/// An 8 x 8 map over the image with a hot spot off centre: the overlay's shape only matters
/// for the picture, which the test does not judge.
core::Heatmap blob(const core::Image2D& image) {
  core::Heatmap map;
  map.width = map.height = 8;
  map.cellWidth = image.width() / 8.0;
  map.cellHeight = image.height() / 8.0;
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x)
      map.values.push_back(static_cast<float>(std::exp(-((x - 5.0) * (x - 5.0) + (y - 3.0) * (y - 3.0)) / 4.0)));
  return map;
}

report::PdfReportInput sampleInput() {
  report::PdfReportInput in;
  in.generatedUtc = "2026-12-02T04:20:00Z";
  in.study.patientName = "Demo^Stent";
  in.study.patientId = "DEMO-0001";
  in.study.patientBirthDate = "19600101";
  in.study.patientSex = "O";
  in.study.studyDescription = "CT abdomen";
  in.study.studyDate = "20200115";
  in.study.modality = "CT";
  in.study.studyInstanceUid = "1.2.826.0.1.3680043.8.498.1";
  report::KeyImage key;
  key.image = demoSlice();
  key.overlay = blob(key.image);
  key.caption = "ct-abdomen-stent-dicom/IM0128.dcm (slice 129 of 256), attention overlay at opacity 0.5";
  key.overlayLabel = "attention (last layer, mean of heads)";
  in.keyImages.push_back(std::move(key));
  in.prediction.labels = {"no stent", "stent", "stent migration"};
  in.prediction.probabilities = {0.0512, 0.8731, 0.0757};
  in.prediction.modelName = "meridian-vit-s16-stent";
  in.prediction.weightsSha256 = kSha;
  in.measurements = {{"Stent length", 84.5, "mm"}, {"Lumen diameter", 7.25, "mm"}};
  in.modelCard.name = "meridian-vit-s16-stent";
  in.modelCard.weightsSha256 = kSha;
  in.modelCard.trainingData =
      "412 abdominal CT studies (linear probe on frozen ViT-S/16 embeddings), 5-fold "
      "cross-validation; data list SHA-256 0a1b2c3d...";
  in.modelCard.metrics = {{"AUROC", 0.912, 0.871, 0.948}, {"Balanced accuracy", 0.861, 0.815, 0.902}};
  in.review = {"Dr. Ada Reviewer", "accepted", "2026-12-02T04:18:31Z"};
  return in;
}

class PdfReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kDemo / "ct-abdomen-stent-dicom")) GTEST_SKIP() << "demo set missing";
    fs::create_directories(kOut);
  }
};

TEST_F(PdfReportTest, PopplerReadsWhatTheReviewerReliesOn) {
  const fs::path pdf = kOut / "report.pdf";
  fs::remove(pdf);
  auto written = report::writePdfReport(sampleInput(), pdf);
  ASSERT_TRUE(written.ok()) << written.error().describe();

  int rc = -1;
  const std::string text = run("pdftotext -layout '" + pdf.string() + "' -", rc);
  ASSERT_EQ(rc, 0) << text;
  for (const std::string& expected :
       {kSha, std::string("0.8731"), std::string("0.0512"), std::string("0.0757"), std::string("stent migration"),
        std::string("Research use only. Not for clinical diagnosis."), std::string("RESEARCH USE ONLY"),
        std::string("Demo^Stent"), std::string("Not de-identified: this report identifies the patient."),
        std::string("Dr. Ada Reviewer"), std::string("accepted"), std::string("2026-12-02T04:18:31Z"),
        std::string("AUROC"), std::string("0.912 (95% CI 0.871 to 0.948)"), std::string("84.50 mm"),
        std::string("412 abdominal CT studies"), std::string("attention"), std::string("Page 1")})
    EXPECT_NE(text.find(expected), std::string::npos) << "pdftotext does not find '" << expected << "' in\n" << text;

  const std::string info = run("pdfinfo '" + pdf.string() + "'", rc);
  EXPECT_EQ(std::stoi(info.substr(info.find("Pages:") + 6)), 1) << "one case, one page\n" << info;
  EXPECT_NE(info.find("Meridian report", info.find("Title:")), std::string::npos) << info;

  // The page as a person sees it; the test only checks that poppler renders it.
  const std::string png = run("pdftoppm -r 110 -png '" + pdf.string() + "' '" + (kOut / "report").string() + "'", rc);
  EXPECT_EQ(rc, 0) << png;
  EXPECT_TRUE(fs::exists(kOut / "report-1.png"));
  std::printf("rendered page: %s\n", (kOut / "report-1.png").c_str());
}

TEST_F(PdfReportTest, DeidentifiedReportShowsNoPatient) {
  auto in = sampleInput();
  in.study.deidentified = true;
  in.review = {};
  const fs::path pdf = kOut / "deidentified.pdf";
  ASSERT_TRUE(report::writePdfReport(in, pdf).ok());
  int rc = -1;
  const std::string text = run("pdftotext '" + pdf.string() + "' -", rc);
  ASSERT_EQ(rc, 0);
  EXPECT_EQ(text.find("Demo^Stent"), std::string::npos);
  EXPECT_EQ(text.find("DEMO-0001"), std::string::npos);
  EXPECT_NE(text.find("de-identified (no patient attributes"), std::string::npos);
  EXPECT_EQ(text.find("Not de-identified"), std::string::npos);
  EXPECT_NE(text.find("Not reviewed."), std::string::npos);
}

TEST_F(PdfReportTest, ManyKeyImagesFlowOntoMorePagesEachMarkedResearchOnly) {
  auto in = sampleInput();
  for (int i = 0; i < 3; ++i) in.keyImages.push_back(in.keyImages.front());
  const fs::path pdf = kOut / "four-images.pdf";
  ASSERT_TRUE(report::writePdfReport(in, pdf).ok());
  int rc = -1;
  const std::string info = run("pdfinfo '" + pdf.string() + "'", rc);
  const auto pages = std::stoi(info.substr(info.find("Pages:") + 6));
  EXPECT_GE(pages, 2);
  for (int p = 1; p <= pages; ++p) {
    const std::string text =
        run("pdftotext -f " + std::to_string(p) + " -l " + std::to_string(p) + " '" + pdf.string() + "' -", rc);
    EXPECT_NE(text.find("Research use only"), std::string::npos) << "page " << p;
  }
}

TEST_F(PdfReportTest, RefusesBadInputAndLeavesNoFile) {
  const fs::path pdf = kOut / "refused.pdf";
  fs::remove(pdf);
  auto noSha = sampleInput();
  noSha.prediction.weightsSha256.clear();
  auto badOverlay = sampleInput();
  badOverlay.keyImages[0].overlay->values.pop_back();
  for (const auto* in : {&noSha, &badOverlay}) {
    auto r = report::writePdfReport(*in, pdf);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::InvalidArgument) << r.error().message;
  }
  EXPECT_FALSE(fs::exists(pdf));
}

}  // namespace
