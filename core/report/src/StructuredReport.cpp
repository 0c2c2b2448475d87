#include "meridian/report/StructuredReport.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmsr/dsrdoc.h>

#include <cstdio>
#include <string>

#include "DicomFileWrite.hpp"
#include "UidRemapper.hpp"

namespace meridian::report {
using core::ErrorCode;
using core::makeError;

namespace {

// Codes: DCM (PS3.16) and LOINC where the standard has one; labels and Meridian's own
// concepts in a private coding scheme ("99" prefix, PS3.16 8.2).
constexpr const char* kScheme = "99MERIDIAN";
const DSRCodedEntryValue kReportTitle("18748-4", "LN", "Diagnostic imaging report");
const DSRCodedEntryValue kObserverType("121005", "DCM", "Observer Type");
const DSRCodedEntryValue kDevice("121007", "DCM", "Device");
const DSRCodedEntryValue kPerson("121006", "DCM", "Person");
const DSRCodedEntryValue kDeviceObserverUid("121012", "DCM", "Device Observer UID");
const DSRCodedEntryValue kDeviceObserverName("121013", "DCM", "Device Observer Name");
const DSRCodedEntryValue kPersonObserverName("121008", "DCM", "Person Observer Name");
const DSRCodedEntryValue kAlgorithmName("111001", "DCM", "Algorithm Name");
const DSRCodedEntryValue kAlgorithmVersion("111003", "DCM", "Algorithm Version");
const DSRCodedEntryValue kWeightsSha256("WEIGHTS-SHA256", kScheme, "Model weights SHA-256");
const DSRCodedEntryValue kFindings("121070", "DCM", "Findings");
const DSRCodedEntryValue kFinding("121071", "DCM", "Finding");
const DSRCodedEntryValue kSourceOfMeasurement("121112", "DCM", "Source of Measurement");
const DSRCodedEntryValue kDecision("REVIEW-DECISION", kScheme, "Reviewer decision");
const DSRCodedEntryValue kComment("121106", "DCM", "Comment");
const DSRCodedEntryValue kNoUnits("1", "UCUM", "no units");

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);  // DS holds at most 16 characters
  return text;
}

/// A label as a code of Meridian's scheme: the code value is its index (SH: 16 characters at
/// most), the meaning the label itself (LO: 64 at most).
DSRCodedEntryValue labelCode(const Prediction& p, std::size_t i, const std::string& prefix = "") {
  return DSRCodedEntryValue(("CLASS-" + std::to_string(i)).c_str(), kScheme,
                            (prefix + p.labels[i]).substr(0, 64).c_str());
}

/// Adds content items one after another, keeping DCMTK's cursor logic in one place and the
/// first failure (DCMTK refuses an item the IOD's relationship rules forbid).
class TreeBuilder {
 public:
  explicit TreeBuilder(DSRDocumentTree& tree) : tree_(tree) {}

  /// The next item: a child of the current one when `child`, else its next sibling.
  DSRContentItem* add(bool child, DSRTypes::E_RelationshipType relation, DSRTypes::E_ValueType type,
                      const DSRCodedEntryValue& concept) {
    if (failed_) return nullptr;
    const OFCondition c =
        child ? tree_.addChildContentItem(relation, type, concept) : tree_.addContentItem(relation, type, concept);
    if (c.bad()) {
      failed_ = true;
      error_ = std::string("cannot add '") + concept.getCodeMeaning().c_str() + "': " + c.text();
      return nullptr;
    }
    return &tree_.getCurrentContentItem();
  }
  void check(const OFCondition& c, const char* what) {
    if (c.bad() && !failed_) {
      failed_ = true;
      error_ = std::string(what) + ": " + c.text();
    }
  }
  void up() { tree_.goUp(); }
  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }

 private:
  DSRDocumentTree& tree_;
  bool failed_ = false;
  std::string error_;
};

}  // namespace

core::Status writeStructuredReport(const StructuredReportInput& in, const std::filesystem::path& output,
                                   const core::OutputPolicy& policy) {
  if (auto valid = validatePrediction(in.prediction); !valid) return valid.error();
  if (auto allowed = core::checkOutputTarget(output, policy); !allowed) return allowed;
  for (const auto& s : in.sources)
    for (const std::string* uid : {&s.studyInstanceUid, &s.seriesInstanceUid, &s.sopClassUid, &s.sopInstanceUid})
      if (DcmUniqueIdentifier::checkStringValue(uid->c_str(), "1").bad() || uid->empty())
        return makeError(ErrorCode::InvalidArgument, "source image " + s.path + ": '" + *uid + "' is not a valid UID");

  DSRDocument doc(DSRTypes::DT_ComprehensiveSR);
  if (!in.study.studyInstanceUid.empty()) doc.createNewSeriesInStudy(in.study.studyInstanceUid.c_str());
  if (!in.study.deidentified) {
    doc.setPatientName(in.study.patientName.c_str());
    doc.setPatientID(in.study.patientId.c_str());
    doc.setPatientBirthDate(in.study.patientBirthDate.c_str());
    doc.setPatientSex(in.study.patientSex.c_str());
    doc.setAccessionNumber(in.study.accessionNumber.c_str());
  }
  doc.setStudyDate(in.study.studyDate.c_str());
  doc.setStudyTime(in.study.studyTime.c_str());
  doc.setStudyDescription(in.study.studyDescription.c_str());
  doc.setManufacturer("Meridian");
  doc.setSeriesDescription("Meridian model findings (research use only)");

  const Prediction& p = in.prediction;
  TreeBuilder t(doc.getTree());
  t.add(true, DSRTypes::RT_isRoot, DSRTypes::VT_Container, kReportTitle);
  // Who observed: the model (TID 1004 device observer, and its algorithm identification) ...
  if (auto* item = t.add(true, DSRTypes::RT_hasObsContext, DSRTypes::VT_Code, kObserverType))
    t.check(item->setCodeValue(kDevice), "observer type");
  if (auto* item = t.add(false, DSRTypes::RT_hasObsContext, DSRTypes::VT_UIDRef, kDeviceObserverUid))
    t.check(item->setStringValue(detail::uidFromHex(p.weightsSha256).c_str()), "device observer UID");  // one per model
  if (auto* item = t.add(false, DSRTypes::RT_hasObsContext, DSRTypes::VT_Text, kDeviceObserverName))
    t.check(item->setStringValue(p.modelName.c_str()), "device observer name");
  if (auto* item = t.add(false, DSRTypes::RT_hasObsContext, DSRTypes::VT_Text, kAlgorithmName))
    t.check(item->setStringValue(p.modelName.c_str()), "algorithm name");
  if (auto* item = t.add(false, DSRTypes::RT_hasObsContext, DSRTypes::VT_Text, kAlgorithmVersion))
    t.check(item->setStringValue(("weights sha256:" + p.weightsSha256).c_str()), "algorithm version");
  if (auto* item = t.add(false, DSRTypes::RT_hasObsContext, DSRTypes::VT_Text, kWeightsSha256))
    t.check(item->setStringValue(p.weightsSha256.c_str()), "weights SHA-256");
  // ... and the person who reviewed it, when someone has.
  if (!in.review.reviewer.empty()) {
    if (auto* item = t.add(false, DSRTypes::RT_hasObsContext, DSRTypes::VT_Code, kObserverType))
      t.check(item->setCodeValue(kPerson), "observer type");
    if (auto* item = t.add(false, DSRTypes::RT_hasObsContext, DSRTypes::VT_PName, kPersonObserverName))
      t.check(item->setStringValue(in.review.reviewer.c_str()), "reviewer");
  }
  // Findings: the top label, then every label's probability.
  t.add(false, DSRTypes::RT_contains, DSRTypes::VT_Container, kFindings);
  const std::size_t top = topLabelIndex(p);
  if (auto* item = t.add(true, DSRTypes::RT_contains, DSRTypes::VT_Code, kFinding))
    t.check(item->setCodeValue(labelCode(p, top)), "finding");
  for (std::size_t i = 0; i < p.labels.size(); ++i)
    if (auto* item = t.add(false, DSRTypes::RT_contains, DSRTypes::VT_Num, labelCode(p, i, "Probability of ")))
      t.check(item->setNumericValue(DSRNumericMeasurementValue(number(p.probabilities[i]).c_str(), kNoUnits)),
              "probability");
  for (std::size_t i = 0; i < in.measurements.size(); ++i)
    if (const Measurement& m = in.measurements[i];
        auto* item =
            t.add(false, DSRTypes::RT_contains, DSRTypes::VT_Num,
                  DSRCodedEntryValue(("MEAS-" + std::to_string(i)).c_str(), kScheme, m.name.substr(0, 64).c_str())))
      t.check(item->setNumericValue(DSRNumericMeasurementValue(
                  number(m.value).c_str(), DSRCodedEntryValue(m.unit.empty() ? "1" : m.unit.c_str(), "UCUM",
                                                              m.unit.empty() ? "no units" : m.unit.c_str()))),
              "measurement");
  t.up();
  // The images the prediction was made on.
  for (const auto& s : in.sources) {
    if (auto* item = t.add(false, DSRTypes::RT_contains, DSRTypes::VT_Image, kSourceOfMeasurement))
      t.check(item->setImageReference(DSRImageReferenceValue(s.sopClassUid.c_str(), s.sopInstanceUid.c_str())),
              "source image");
    t.check(doc.getCurrentRequestedProcedureEvidence().addItem(s.studyInstanceUid.c_str(), s.seriesInstanceUid.c_str(),
                                                               s.sopClassUid.c_str(), s.sopInstanceUid.c_str()),
            "evidence");
  }
  if (!in.review.reviewer.empty())
    if (auto* item = t.add(false, DSRTypes::RT_contains, DSRTypes::VT_Text, kDecision))
      t.check(
          item->setStringValue((in.review.decision + " by " + in.review.reviewer + " at " + in.review.timeUtc).c_str()),
          "decision");
  if (auto* item = t.add(false, DSRTypes::RT_contains, DSRTypes::VT_Text, kComment))
    t.check(item->setStringValue("Research use only. Not for clinical diagnosis."), "comment");
  if (t.failed()) return makeError(ErrorCode::Internal, "DICOM SR: " + t.error());

  DcmFileFormat file;
  if (OFCondition c = doc.write(*file.getDataset()); c.bad())
    return makeError(ErrorCode::Internal, std::string("DICOM SR: DCMTK refused the document: ") + c.text());
  // Marked either way (PS3.3 C.7.1.1): a copy that names the patient says so in the file.
  file.getDataset()->putAndInsertString(DCM_PatientIdentityRemoved, in.study.deidentified ? "YES" : "NO");
  return detail::saveDicomAtomically(file, output, EXS_LittleEndianExplicit);
}

}  // namespace meridian::report
