#include "meridian/report/DicomStudyHeader.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <string>

namespace meridian::report {
using core::ErrorCode;
using core::makeError;

core::Result<DicomReportSource> readReportSource(const std::filesystem::path& path) {
  DcmFileFormat file;
  // Headers only: stop before the pixel data.
  if (OFCondition c = file.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect,
                                            DCM_PixelData);
      c.bad())
    return makeError(ErrorCode::Corrupt, path.string() + ": DCMTK cannot read it as DICOM: " + c.text());
  DcmDataset& ds = *file.getDataset();
  auto get = [&](const DcmTagKey& key) {
    OFString value;
    ds.findAndGetOFStringArray(key, value);
    return std::string(value.c_str());
  };
  DicomReportSource out;
  out.study.patientName = get(DCM_PatientName);
  out.study.patientId = get(DCM_PatientID);
  out.study.patientBirthDate = get(DCM_PatientBirthDate);
  out.study.patientSex = get(DCM_PatientSex);
  out.study.studyInstanceUid = get(DCM_StudyInstanceUID);
  out.study.studyDate = get(DCM_StudyDate);
  out.study.studyTime = get(DCM_StudyTime);
  out.study.studyDescription = get(DCM_StudyDescription);
  out.study.accessionNumber = get(DCM_AccessionNumber);
  out.study.modality = get(DCM_Modality);
  out.study.deidentified = get(DCM_PatientIdentityRemoved) == "YES";
  out.image.studyInstanceUid = out.study.studyInstanceUid;
  out.image.seriesInstanceUid = get(DCM_SeriesInstanceUID);
  out.image.sopClassUid = get(DCM_SOPClassUID);
  out.image.sopInstanceUid = get(DCM_SOPInstanceUID);
  out.image.path = path.string();
  if (out.image.studyInstanceUid.empty() || out.image.seriesInstanceUid.empty() || out.image.sopClassUid.empty() ||
      out.image.sopInstanceUid.empty())
    return makeError(ErrorCode::Unsupported, path.string() +
                                                 ": lacks a Study, Series or SOP Instance UID or SOP Class UID, so a "
                                                 "report cannot reference it");
  return out;
}

}  // namespace meridian::report
