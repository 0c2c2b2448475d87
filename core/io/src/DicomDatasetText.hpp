#pragma once
// Reading attributes of a DCMTK dataset as text and numbers, and the study and series keys
// that name a series to people: one reading shared by the folder scan (DicomIndex) and by the
// PACS queries (core/pacs reads the identifiers C-FIND returns). Header-only and private to
// the libraries that link DCMTK themselves.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <cstdlib>
#include <string>

namespace meridian::io::detail {

/// Every value of an attribute as DICOM writes it (backslash between values); "" when absent.
inline std::string dicomString(DcmItem* item, const DcmTagKey& tag) {
  OFString value;
  if (item && item->findAndGetOFStringArray(tag, value).good()) return std::string(value.c_str());
  return {};
}

/// An integer attribute (IS, US, SL, ...); -1 when absent, empty or not a number.
inline int dicomInteger(DcmItem* item, const DcmTagKey& tag) {
  const std::string text = dicomString(item, tag);
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || end == text.c_str() || value < -2147483647L || value > 2147483647L) return -1;
  return static_cast<int>(value);
}

/// The attributes that place a series in a study and name both.
struct DicomSeriesKeys {
  std::string studyUid, seriesUid, patientId, patientName, studyDate, studyDescription, modality, seriesDescription;
  int seriesNumber = -1;  // -1: absent
};

inline DicomSeriesKeys readSeriesKeys(DcmItem* item) {
  DicomSeriesKeys k;
  k.studyUid = dicomString(item, DCM_StudyInstanceUID);
  k.seriesUid = dicomString(item, DCM_SeriesInstanceUID);
  k.patientId = dicomString(item, DCM_PatientID);
  k.patientName = dicomString(item, DCM_PatientName);
  k.studyDate = dicomString(item, DCM_StudyDate);
  k.studyDescription = dicomString(item, DCM_StudyDescription);
  k.modality = dicomString(item, DCM_Modality);
  k.seriesDescription = dicomString(item, DCM_SeriesDescription);
  k.seriesNumber = dicomInteger(item, DCM_SeriesNumber);
  return k;
}

}  // namespace meridian::io::detail
