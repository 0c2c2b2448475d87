// The DICOM SR writer, read back by two independent readers: DCMTK's dsrdump (Debian's dcmtk
// tools) and pydicom. Sources are real CT slices from the demo set.

#include "meridian/report/StructuredReport.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "meridian/report/DicomDeidentifier.hpp"
#include "meridian/report/DicomStudyHeader.hpp"
#include "RunCommand.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {

const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;
const fs::path kOut = MERIDIAN_TEST_OUTPUT "/sr";
const std::string kSha = "3f7c1d0e9a8b7c6d5e4f30211203948576a5b4c3d2e1f00112233445566778899";

std::string run(const std::string& command, int& rc) { return test::runCommand(command, rc); }

report::SourceImage sourceFrom(const fs::path& path) {
  DcmFileFormat file;
  EXPECT_TRUE(file.loadFile(path.c_str()).good()) << path;
  report::SourceImage s;
  OFString v;
  file.getDataset()->findAndGetOFString(DCM_StudyInstanceUID, v), s.studyInstanceUid = v.c_str();
  file.getDataset()->findAndGetOFString(DCM_SeriesInstanceUID, v), s.seriesInstanceUid = v.c_str();
  file.getDataset()->findAndGetOFString(DCM_SOPClassUID, v), s.sopClassUid = v.c_str();
  file.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, v), s.sopInstanceUid = v.c_str();
  s.path = path.string();
  return s;
}

report::StructuredReportInput sampleInput() {
  report::StructuredReportInput in;
  const fs::path series = kDemo / "ct-abdomen-stent-dicom";
  in.sources = {sourceFrom(series / "IM0100.dcm"), sourceFrom(series / "IM0101.dcm")};
  in.study.studyInstanceUid = in.sources[0].studyInstanceUid;
  in.study.patientName = "Demo^Stent";
  in.study.patientId = "DEMO-0001";
  in.study.studyDate = "20200115";
  in.study.studyDescription = "CT abdomen";
  in.prediction.labels = {"no stent", "stent", "stent migration"};
  in.prediction.probabilities = {0.0512, 0.8731, 0.0757};
  in.prediction.modelName = "meridian-vit-s16-stent";
  // A SHA-256 has 64 digits; this one is made up for the test (the writer checks the form only).
  in.prediction.weightsSha256 = kSha.substr(0, 64);
  in.measurements = {{"Stent length", 84.5, "mm"}};
  in.review = {"Dr. Ada Reviewer", "accepted", "2026-12-02T04:10:00Z"};
  return in;
}

class StructuredReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kDemo / "ct-abdomen-stent-dicom" / "IM0100.dcm")) GTEST_SKIP() << "demo set missing";
    fs::create_directories(kOut);
  }
};

TEST_F(StructuredReportTest, DsrdumpAndPydicomReadTheFindingsBack) {
  const auto in = sampleInput();
  const fs::path sr = kOut / "findings.dcm";
  fs::remove(sr);
  auto written = report::writeStructuredReport(in, sr);
  ASSERT_TRUE(written.ok()) << written.error().describe();

  int rc = -1;
  const std::string dump = run("dsrdump +Pl '" + sr.string() + "'", rc);
  ASSERT_EQ(rc, 0) << dump;
  std::printf("%s\n", dump.c_str());
  for (const char* expected :
       {"Comprehensive SR", "Diagnostic imaging report", "Probability of stent migration", "0.8731", "0.0512", "0.0757",
        "meridian-vit-s16-stent", "Findings", "Source of Measurement", "Dr. Ada Reviewer",
        "accepted by Dr. Ada Reviewer at 2026-12-02T04:10:00Z", "Research use only. Not for clinical diagnosis.",
        "Stent length", "84.5"})
    EXPECT_NE(dump.find(expected), std::string::npos) << "dsrdump does not show '" << expected << "'";
  EXPECT_NE(dump.find(in.prediction.weightsSha256), std::string::npos) << "weights SHA-256";

  // dsrdump with full checks reports no problem with the document's structure.
  const std::string strict = run("dsrdump --verbose '" + sr.string() + "'", rc);
  EXPECT_EQ(strict.find("W: "), std::string::npos) << strict.substr(0, 2000);
  EXPECT_EQ(strict.find("E: "), std::string::npos) << strict.substr(0, 2000);

  const std::string py =
      run("/usr/bin/python3 '" MERIDIAN_TEST_SOURCE_DIR "/sr_readback.py' '" + sr.string() + "' " +
              in.sources[0].sopInstanceUid + " " + in.sources[1].sopInstanceUid + " " + in.study.studyInstanceUid,
          rc);
  EXPECT_EQ(rc, 0) << py;
  std::printf("%s", py.c_str());
}

TEST_F(StructuredReportTest, DeidentifiedHeaderCarriesNoPatient) {
  auto in = sampleInput();
  in.study.deidentified = true;
  const fs::path sr = kOut / "deidentified.dcm";
  ASSERT_TRUE(report::writeStructuredReport(in, sr).ok());
  std::ifstream file(sr, std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  EXPECT_EQ(bytes.str().find("Demo^Stent"), std::string::npos);
  EXPECT_EQ(bytes.str().find("DEMO-0001"), std::string::npos);
  DcmFileFormat file2;
  ASSERT_TRUE(file2.loadFile(sr.c_str()).good());
  OFString removed;
  file2.getDataset()->findAndGetOFString(DCM_PatientIdentityRemoved, removed);
  EXPECT_EQ(removed, "YES");
}

TEST_F(StructuredReportTest, RefusesWhatItCannotReportAndWritesNothing) {
  const fs::path sr = kOut / "refused.dcm";
  fs::remove(sr);
  auto mismatched = sampleInput();
  mismatched.prediction.probabilities.pop_back();
  auto outOfRange = sampleInput();
  outOfRange.prediction.probabilities[1] = 1.5;
  auto badSha = sampleInput();
  badSha.prediction.weightsSha256 = "not-a-digest";
  auto badUid = sampleInput();
  badUid.sources[0].sopInstanceUid = "1.2.x";
  for (const auto* in : {&mismatched, &outOfRange, &badSha, &badUid}) {
    auto r = report::writeStructuredReport(*in, sr);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::ErrorCode::InvalidArgument) << r.error().message;
  }
  EXPECT_FALSE(fs::exists(sr));
}

}  // namespace

namespace {

// The header reader the CLI will use for DICOM inputs, on a real file and on a copy
// de-identified by the same library.
TEST_F(StructuredReportTest, ReportSourceComesFromTheDicomHeader) {
  const fs::path slice = kDemo / "ct-abdomen-stent-dicom" / "IM0100.dcm";
  auto source = report::readReportSource(slice);
  ASSERT_TRUE(source.ok()) << source.error().describe();
  const auto expected = sourceFrom(slice);
  EXPECT_EQ(source.value().image.sopInstanceUid, expected.sopInstanceUid);
  EXPECT_EQ(source.value().image.seriesInstanceUid, expected.seriesInstanceUid);
  EXPECT_EQ(source.value().study.studyInstanceUid, expected.studyInstanceUid);
  EXPECT_EQ(source.value().study.patientName, "Demo^Stent");
  EXPECT_EQ(source.value().study.modality, "CT");
  EXPECT_FALSE(source.value().study.deidentified);

  ASSERT_TRUE(report::deidentify(slice, kOut / "deid-source.dcm", {}).ok());
  auto deidentified = report::readReportSource(kOut / "deid-source.dcm");
  ASSERT_TRUE(deidentified.ok());
  EXPECT_TRUE(deidentified.value().study.deidentified);
  EXPECT_EQ(deidentified.value().study.patientName, "");

  auto notDicom = report::readReportSource(kDemo / "fundus-retina.jpg");
  ASSERT_FALSE(notDicom.ok());
}

}  // namespace
