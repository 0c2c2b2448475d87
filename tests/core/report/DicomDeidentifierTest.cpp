// De-identification against PS3.15 Annex E's basic profile, on real CT files from the demo set
// with a PHI canary in every attribute the profile lists, in private attributes and in
// sequences nested three deep. The outputs' raw bytes must hold no canary.

#include "meridian/report/DicomDeidentifier.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcvrlo.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "BasicProfile.hpp"  // the table, to put a canary in every attribute it lists

namespace fs = std::filesystem;
using namespace meridian;

namespace {

const fs::path kDemo = MERIDIAN_TEST_DEMO_DATA;
const fs::path kOut = MERIDIAN_TEST_OUTPUT "/deid";
constexpr const char* kCanary = "PHICANARY";
constexpr const char* kCanaryUidRoot = "1.2.826.0.1.3680043.10.999.";  // a root no real file uses

std::string readBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string canary(std::size_t index, const char* where = "") {
  char text[48];
  std::snprintf(text, sizeof text, "%s%04zu%s", kCanary, index, where);
  return text;
}

/// A private block (creator + one LO element) with a canary, as scanners write them.
void addPrivate(DcmItem& item, Uint16 group, const std::string& value) {
  item.putAndInsertString(DcmTag(group, 0x0010, EVR_LO), (value + "-CREATOR").c_str());
  auto* element = new DcmLongString(DcmTag(group, 0x1001, EVR_LO));
  element->putString(value.c_str());
  item.insert(element, true);
}

struct Original {
  fs::path path;
  std::string study, series, sop, frameOfReference, pixels;
  long instanceNumber = 0;
};

/// Tags whose original value the test keeps to check the UID links (set from the real files).
bool keepsRealValue(const DcmTagKey& key) {
  return key == DCM_StudyInstanceUID || key == DCM_SeriesInstanceUID || key == DCM_SOPInstanceUID ||
         key == DCM_FrameOfReferenceUID || key == DCM_ReferencedImageSequence || key == DCM_SourceImageSequence ||
         key.getGroup() == 0x0000 || key.getGroup() == 0x0002 || key.getGroup() >= 0xFFFA;
}

/// Puts a canary into every attribute the basic profile lists; returns how many took one.
std::size_t plantCanaries(DcmItem& item, std::size_t& counter) {
  std::size_t planted = 0;
  for (std::size_t i = 0; i < report::detail::basicProfileTableSize(); ++i) {
    const std::uint32_t tag = report::detail::basicProfileTableTag(i);
    const DcmTagKey key(static_cast<Uint16>(tag >> 16), static_cast<Uint16>(tag & 0xFFFF));
    if (keepsRealValue(key)) continue;
    DcmTag dcmTag(key);
    DcmEVR vr = dcmTag.getEVR();
    if (vr == EVR_UNKNOWN || vr == EVR_UN || vr == EVR_UNKNOWN2B) {
      dcmTag.setVR(DcmVR(EVR_LO));  // newer than DCMTK 3.6.7's dictionary: as text
      vr = EVR_LO;
    }
    const std::size_t n = counter++;
    OFCondition ok;
    if (vr == EVR_SQ) {
      DcmItem* child = nullptr;
      ok = item.findOrCreateSequenceItem(key, child, -2);
      if (ok.good() && child) {
        child->putAndInsertString(DCM_PatientName, canary(n, "SQ").c_str());
        addPrivate(*child, 0x0029, canary(n, "SQP"));
      }
    } else if (vr == EVR_UI) {
      dcmTag.setVR(DcmVR(EVR_UI));
      ok = item.putAndInsertString(dcmTag, (kCanaryUidRoot + std::to_string(n)).c_str());
    } else if (vr == EVR_US || vr == EVR_SS || vr == EVR_UL || vr == EVR_SL || vr == EVR_FL || vr == EVR_FD ||
               vr == EVR_AT) {
      continue;  // numbers cannot carry a text canary; the structural check below covers them
    } else if (vr == EVR_OB || vr == EVR_OW || vr == EVR_UN || vr == EVR_OF || vr == EVR_OD || vr == EVR_OL) {
      const std::string bytes = canary(n, "BIN");
      dcmTag.setVR(DcmVR(EVR_OB));
      ok = item.putAndInsertUint8Array(dcmTag, reinterpret_cast<const Uint8*>(bytes.data()), bytes.size());
    } else {
      ok = item.putAndInsertString(dcmTag, canary(n).c_str());
    }
    if (ok.good()) ++planted;
  }
  return planted;
}

/// Three levels of nesting below a sequence the profile keeps (its UIDs remapped), with a
/// canary in a listed attribute and in a private block at each level, and a reference to
/// another file of the series.
void plantNested(DcmDataset& dataset, const std::string& referencedSop, std::size_t& counter) {
  DcmItem* level1 = nullptr;
  ASSERT_TRUE(dataset.findOrCreateSequenceItem(DCM_ReferencedImageSequence, level1, -2).good());
  level1->putAndInsertString(DCM_ReferencedSOPClassUID, UID_CTImageStorage);
  level1->putAndInsertString(DCM_ReferencedSOPInstanceUID, referencedSop.c_str());
  level1->putAndInsertString(DCM_PatientName, canary(counter++, "L1").c_str());
  addPrivate(*level1, 0x0009, canary(counter++, "L1P"));
  DcmItem* level2 = nullptr;
  ASSERT_TRUE(level1->findOrCreateSequenceItem(DCM_SourceImageSequence, level2, -2).good());
  level2->putAndInsertString(DCM_InstitutionName, canary(counter++, "L2").c_str());
  level2->putAndInsertString(DCM_StudyDate, canary(counter++, "L2D").c_str());
  addPrivate(*level2, 0x0011, canary(counter++, "L2P"));
  DcmItem* level3 = nullptr;
  ASSERT_TRUE(level2->findOrCreateSequenceItem(DCM_ReferencedImageSequence, level3, -2).good());
  level3->putAndInsertString(DCM_PatientID, canary(counter++, "L3").c_str());
  level3->putAndInsertString(DCM_OtherPatientNames, canary(counter++, "L3N").c_str());
  level3->putAndInsertString(DCM_ReferencedSOPInstanceUID, referencedSop.c_str());
  addPrivate(*level3, 0x0013, canary(counter++, "L3P"));
  // And a private sequence holding PHI three deep: removed whole.
  DcmItem* p1 = nullptr;
  DcmItem* p2 = nullptr;
  DcmItem* p3 = nullptr;
  dataset.putAndInsertString(DcmTag(0x0015, 0x0010, EVR_LO), "MERIDIAN TEST");
  ASSERT_TRUE(dataset.findOrCreateSequenceItem(DcmTag(0x0015, 0x1010, EVR_SQ), p1, -2).good());
  ASSERT_TRUE(p1->findOrCreateSequenceItem(DcmTag(0x0015, 0x1011, EVR_SQ), p2, -2).good());
  ASSERT_TRUE(p2->findOrCreateSequenceItem(DcmTag(0x0015, 0x1012, EVR_SQ), p3, -2).good());
  p3->putAndInsertString(DCM_PatientName, canary(counter++, "PSQ").c_str());
}

std::string pixelBytes(DcmDataset& dataset) {
  DcmElement* element = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, element).bad() || !element) return {};
  Uint8* data = nullptr;
  if (element->getUint8Array(data).good() && data)
    return std::string(reinterpret_cast<char*>(data), element->getLength());
  Uint16* words = nullptr;
  if (element->getUint16Array(words).good() && words)
    return std::string(reinterpret_cast<char*>(words), element->getLength());
  return {};
}

/// Every attribute the profile lists, at any depth, is absent, empty, a dummy or a new UID.
void expectProfileApplied(DcmItem& item, const std::string& where) {
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* element = item.getElement(i);
    const DcmTagKey key = element->getTag();
    EXPECT_FALSE(key.getGroup() % 2 == 1) << where << ": private attribute " << key.toString() << " left";
    const auto rule = report::detail::basicProfileRule(key.getGroup(), key.getElement());
    if (element->ident() == EVR_SQ) {
      auto* sequence = static_cast<DcmSequenceOfItems*>(element);
      for (unsigned long j = 0; j < sequence->card(); ++j) expectProfileApplied(*sequence->getItem(j), where);
      continue;
    }
    if (rule.action == report::detail::ProfileAction::Keep || element->getLength() == 0) continue;
    OFString value;
    element->getOFStringArray(value);
    if (rule.action == report::detail::ProfileAction::Uid || element->ident() == EVR_UI) {
      EXPECT_EQ(value.substr(0, 5), "2.25.") << where << ": " << key.toString() << " = " << value;
      continue;
    }
    static const std::set<std::string> kDummies = {"19000101", "19000101000000", "000000",    "000Y",
                                                   "0",        "ANONYMOUS",      "ANONYMIZED"};
    EXPECT_TRUE(kDummies.count(value.c_str()) || key == DCM_PatientIdentityRemoved || key == DCM_DeidentificationMethod)
        << where << ": " << key.toString() << " kept '" << value << "'";
  }
}

class DicomDeidentifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path series = kDemo / "ct-abdomen-stent-dicom";
    if (!fs::exists(series / "IM0000.dcm")) GTEST_SKIP() << "demo set missing: " << series;
    fs::remove_all(kOut);
    fs::create_directories(kOut / "in");
    // Three real slices of one series, each carrying canaries; slice k refers to slice k-1.
    for (int k = 0; k < 3; ++k) {
      char name[32];
      std::snprintf(name, sizeof name, "IM%04d.dcm", 100 + k);
      DcmFileFormat file;
      ASSERT_TRUE(file.loadFile((series / name).c_str()).good());
      DcmDataset& ds = *file.getDataset();
      Original o;
      o.path = kOut / "in" / ("Smith^John-" + std::to_string(k) + ".dcm");
      OFString v;
      ds.findAndGetOFString(DCM_StudyInstanceUID, v), o.study = v.c_str();
      ds.findAndGetOFString(DCM_SeriesInstanceUID, v), o.series = v.c_str();
      ds.findAndGetOFString(DCM_SOPInstanceUID, v), o.sop = v.c_str();
      ds.findAndGetOFString(DCM_FrameOfReferenceUID, v), o.frameOfReference = v.c_str();
      ds.findAndGetLongInt(DCM_InstanceNumber, o.instanceNumber);
      o.pixels = pixelBytes(ds);
      ASSERT_FALSE(o.pixels.empty());
      std::size_t counter = 1000 * (k + 1);
      planted_ = plantCanaries(ds, counter);
      plantNested(ds, originals_.empty() ? o.sop : originals_.back().sop, counter);
      ASSERT_TRUE(file.saveFile(o.path.c_str(), EXS_LittleEndianExplicit).good());
      originals_.push_back(o);
    }
  }

  std::vector<Original> originals_;
  std::size_t planted_ = 0;
};

TEST_F(DicomDeidentifierTest, NoCanaryByteSurvivesAndUidsStayLinked) {
  // The canaries are really in the inputs (else the test proves nothing).
  for (const auto& o : originals_) ASSERT_NE(readBytes(o.path).find(kCanary), std::string::npos);
  EXPECT_GT(planted_, 450u) << "canaries planted in listed attributes";
  std::printf("canaries planted in %zu listed attributes per file (of %zu the table lists)\n", planted_,
              report::detail::basicProfileTableSize());

  auto summary = report::deidentify(kOut / "in", kOut / "out", {});
  ASSERT_TRUE(summary.ok()) << summary.error().describe();
  ASSERT_EQ(summary.value().written.size(), 3u);
  EXPECT_TRUE(summary.value().refused.empty());

  std::map<long, fs::path> byInstance;
  std::set<std::string> studies, series, frames, sops;
  for (const auto& out : summary.value().written) {
    const std::string bytes = readBytes(out);
    EXPECT_EQ(bytes.find(kCanary), std::string::npos)
        << out << " holds a canary at byte " << bytes.find(kCanary) << ": ..." << bytes.substr(bytes.find(kCanary), 24);
    EXPECT_EQ(bytes.find(kCanaryUidRoot), std::string::npos) << out << " holds a canary UID";
    for (const auto& o : originals_) {
      for (const auto& uid : {o.study, o.series, o.sop, o.frameOfReference})
        EXPECT_EQ(bytes.find(uid), std::string::npos) << out << " still holds the original UID " << uid;
    }
    EXPECT_EQ(bytes.find("Smith"), std::string::npos) << "the input file name must not reach the output";
    DcmFileFormat file;
    ASSERT_TRUE(file.loadFile(out.c_str()).good());
    DcmDataset& ds = *file.getDataset();
    expectProfileApplied(ds, out.string());
    OFString v;
    ds.findAndGetOFString(DCM_StudyInstanceUID, v), studies.insert(v.c_str());
    ds.findAndGetOFString(DCM_SeriesInstanceUID, v), series.insert(v.c_str());
    ds.findAndGetOFString(DCM_FrameOfReferenceUID, v), frames.insert(v.c_str());
    ds.findAndGetOFString(DCM_SOPInstanceUID, v), sops.insert(v.c_str());
    OFString metaSop;
    file.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPInstanceUID, metaSop);
    EXPECT_EQ(metaSop, v) << "the meta header names the new SOP Instance UID";
    EXPECT_EQ(out.filename().string(), std::string(v.c_str()) + ".dcm");
    ds.findAndGetOFString(DCM_PatientIdentityRemoved, v);
    EXPECT_EQ(v, "YES");
    long instance = 0;
    ds.findAndGetLongInt(DCM_InstanceNumber, instance);
    byInstance[instance] = out;
    for (const auto& o : originals_)
      if (o.instanceNumber == instance) EXPECT_EQ(pixelBytes(ds), o.pixels) << "pixel data changed in " << out;
  }
  EXPECT_EQ(studies.size(), 1u) << "one study in, one study out";
  EXPECT_EQ(series.size(), 1u);
  EXPECT_EQ(frames.size(), 1u);
  EXPECT_EQ(sops.size(), 3u);
  // Slice k's reference (three levels deep too) names slice k-1's new SOP Instance UID.
  for (std::size_t k = 1; k < originals_.size(); ++k) {
    DcmFileFormat current, previous;
    ASSERT_TRUE(current.loadFile(byInstance.at(originals_[k].instanceNumber).c_str()).good());
    ASSERT_TRUE(previous.loadFile(byInstance.at(originals_[k - 1].instanceNumber).c_str()).good());
    OFString referenced, deep, sop;
    previous.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, sop);
    current.getDataset()->findAndGetOFString(DCM_ReferencedSOPInstanceUID, referenced, 0, true);
    EXPECT_EQ(referenced, sop);
    DcmItem* level1 = nullptr;
    DcmItem* level2 = nullptr;
    DcmItem* level3 = nullptr;
    ASSERT_TRUE(current.getDataset()->findAndGetSequenceItem(DCM_ReferencedImageSequence, level1).good());
    ASSERT_TRUE(level1->findAndGetSequenceItem(DCM_SourceImageSequence, level2).good());
    ASSERT_TRUE(level2->findAndGetSequenceItem(DCM_ReferencedImageSequence, level3).good());
    level3->findAndGetOFString(DCM_ReferencedSOPInstanceUID, deep);
    EXPECT_EQ(deep, sop) << "three levels down, the same mapping";
  }
  // pydicom (an independent reader) reads the copies back, with the pixels intact.
  const std::string command = "/usr/bin/python3 '" MERIDIAN_TEST_SOURCE_DIR "/deid_readback.py' '" +
                              (kOut / "out").string() + "' '" + (kOut / "in").string() + "'";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

TEST_F(DicomDeidentifierTest, DateShiftMovesDatesAndKeepsIntervals) {
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(originals_[0].path.c_str()).good());
  file.getDataset()->putAndInsertString(DCM_StudyDate, "20200115");
  file.getDataset()->putAndInsertString(DCM_SeriesDate, "20200228");
  file.getDataset()->putAndInsertString(DCM_AcquisitionDateTime, "20201231235900.5");
  file.getDataset()->putAndInsertString(DCM_StudyTime, "101500");
  file.getDataset()->putAndInsertString(DCM_PatientBirthDate, "19700101");
  ASSERT_TRUE(file.saveFile((kOut / "dated.dcm").c_str(), EXS_LittleEndianExplicit).good());

  report::DeidOptions shift;
  shift.dateShiftDays = 10;
  ASSERT_TRUE(report::deidentify(kOut / "dated.dcm", kOut / "shifted.dcm", shift).ok());
  ASSERT_TRUE(report::deidentify(kOut / "dated.dcm", kOut / "basic.dcm", {}).ok());

  DcmFileFormat shifted, basic;
  ASSERT_TRUE(shifted.loadFile((kOut / "shifted.dcm").c_str()).good());
  ASSERT_TRUE(basic.loadFile((kOut / "basic.dcm").c_str()).good());
  OFString v;
  shifted.getDataset()->findAndGetOFString(DCM_StudyDate, v);
  EXPECT_EQ(v, "20200125");
  shifted.getDataset()->findAndGetOFString(DCM_SeriesDate, v);
  EXPECT_EQ(v, "20200309");  // across the end of a leap February
  shifted.getDataset()->findAndGetOFString(DCM_AcquisitionDateTime, v);
  EXPECT_EQ(v, "20210110235900.5");  // across a year, time of day kept
  shifted.getDataset()->findAndGetOFString(DCM_StudyTime, v);
  EXPECT_EQ(v, "101500");
  shifted.getDataset()->findAndGetOFString(DCM_PatientBirthDate, v);
  EXPECT_EQ(v, "") << "birth date: Z in the profile, not one of the option's dates";
  shifted.getDataset()->findAndGetOFString(DCM_LongitudinalTemporalInformationModified, v);
  EXPECT_EQ(v, "MODIFIED");
  basic.getDataset()->findAndGetOFString(DCM_StudyDate, v);
  EXPECT_EQ(v, "") << "study date: Z without the option";
  basic.getDataset()->findAndGetOFString(DCM_LongitudinalTemporalInformationModified, v);
  EXPECT_EQ(v, "REMOVED");
}

TEST_F(DicomDeidentifierTest, BurnedInAnnotationIsRefusedAndNothingIsWritten) {
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(originals_[0].path.c_str()).good());
  file.getDataset()->putAndInsertString(DCM_BurnedInAnnotation, "YES");
  fs::create_directories(kOut / "mixed");
  ASSERT_TRUE(file.saveFile((kOut / "mixed" / "burned.dcm").c_str(), EXS_LittleEndianExplicit).good());
  fs::copy_file(originals_[1].path, kOut / "mixed" / "clean.dcm");
  { std::ofstream(kOut / "mixed" / "notes.txt") << "not DICOM"; }

  auto single = report::deidentify(kOut / "mixed" / "burned.dcm", kOut / "burned-out.dcm", {});
  ASSERT_FALSE(single.ok());
  EXPECT_NE(single.error().message.find("Burned In Annotation"), std::string::npos) << single.error().message;
  EXPECT_FALSE(fs::exists(kOut / "burned-out.dcm"));

  auto folder = report::deidentify(kOut / "mixed", kOut / "mixed-out", {});
  ASSERT_TRUE(folder.ok()) << folder.error().describe();
  EXPECT_EQ(folder.value().written.size(), 1u);
  ASSERT_EQ(folder.value().refused.size(), 1u);
  EXPECT_EQ(folder.value().refused[0].first.filename(), "burned.dcm");
  EXPECT_EQ(folder.value().notDicom, 1u);
  std::size_t filesOut = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kOut / "mixed-out"))
    if (entry.is_regular_file()) ++filesOut;
  EXPECT_EQ(filesOut, 1u) << "no copy and no temporary file of the refused one";
}

TEST_F(DicomDeidentifierTest, NeverOverwritesTheInputOrWritesInsideIt) {
  const std::string before = readBytes(originals_[0].path);
  auto same = report::deidentify(originals_[0].path, originals_[0].path, {});
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(readBytes(originals_[0].path), before);
  auto inside = report::deidentify(kOut / "in", kOut / "in" / "copies", {});
  ASSERT_FALSE(inside.ok());
  EXPECT_EQ(inside.error().code, core::ErrorCode::InvalidArgument);
  auto itself = report::deidentify(kOut / "in", kOut / "in", {});
  ASSERT_FALSE(itself.ok());
  auto missing = report::deidentify(kOut / "nothing-here", kOut / "x", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, core::ErrorCode::NotFound);
}

}  // namespace
