// PacsServer's checks, C-ECHO and C-FIND (study and series level, study root).

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/scu.h>

#include <memory>

#include "PacsAssociation.hpp"
#include "meridian/pacs/PacsClient.hpp"

namespace meridian::pacs {

using namespace detail;

std::string PacsServer::describe() const { return calledAe + "@" + host + ":" + std::to_string(port); }

namespace {

core::Status validAeTitle(const std::string& title, const char* which) {
  if (title.empty() || title.size() > 16)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           std::string(which) + " AE title '" + title + "' must have 1 to 16 characters");
  for (const char ch : title)
    if (ch == '\\' || static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) > 0x7E)
      return core::makeError(core::ErrorCode::InvalidArgument,
                             std::string(which) + " AE title '" + title +
                                 "' may hold only printable ASCII characters and no backslash");
  return core::Ok{};
}

/// Frees the responses DcmSCU hands back (it allocates them; the caller owns them).
template <class Response>
struct ResponseList {
  OFList<Response*> items;
  ~ResponseList() {
    for (Response* r : items) delete r;
  }
};

/// Runs one C-FIND with `keys` and returns each pending response's identifier.
template <class Row>
core::Result<std::vector<Row>> runFind(const PacsServer& server, DcmDataset& keys, Row (*toRow)(DcmDataset*)) {
  DcmSCU scu;
  configure(scu, server);
  scu.addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, uncompressedSyntaxes());
  if (auto connected = connect(scu, server, "C-FIND"); !connected) return connected.error();
  AssociationGuard guard(scu);
  auto context = acceptedContext(scu, server, UID_FINDStudyRootQueryRetrieveInformationModel, "study-root C-FIND");
  if (!context) return context.error();
  ResponseList<QRResponse> responses;
  const Clock::time_point askedAt = Clock::now();
  const OFCondition c = scu.sendFINDRequest(context.value(), &keys, &responses.items);
  if (c.bad()) {
    guard.abort();
    core::Error e = networkError(server, c, "the query", askedAt);
    e.message += notAllowedHint(server);
    return e;
  }
  std::vector<Row> rows;
  for (QRResponse* r : responses.items) {
    if (r->m_status == 0xFF00 || r->m_status == 0xFF01) {
      if (r->m_dataset) rows.push_back(toRow(r->m_dataset));
    } else if (r->m_status != 0x0000) {
      return core::makeError(core::ErrorCode::Io, "the PACS " + server.describe() + " answered the query with status " +
                                                      describeStatus(r->m_status));
    }
  }
  return rows;
}

StudyMatch studyRow(DcmDataset* d) {
  const io::detail::DicomSeriesKeys k = io::detail::readSeriesKeys(d);
  StudyMatch m;
  m.studyUid = k.studyUid;
  m.patientId = k.patientId;
  m.patientName = k.patientName;
  m.studyDate = k.studyDate;
  m.studyDescription = k.studyDescription;
  m.accessionNumber = dicomString(d, DCM_AccessionNumber);
  m.modalities = dicomString(d, DCM_ModalitiesInStudy);
  m.seriesCount = dicomInteger(d, DCM_NumberOfStudyRelatedSeries);
  m.instanceCount = dicomInteger(d, DCM_NumberOfStudyRelatedInstances);
  return m;
}

SeriesMatch seriesRow(DcmDataset* d) {
  const io::detail::DicomSeriesKeys k = io::detail::readSeriesKeys(d);
  return {k.studyUid, k.seriesUid, k.modality, k.seriesDescription, k.seriesNumber,
          dicomInteger(d, DCM_NumberOfSeriesRelatedInstances)};
}

}  // namespace

core::Status validate(const PacsServer& server) {
  if (server.host.empty()) return core::makeError(core::ErrorCode::InvalidArgument, "the PACS host is empty");
  if (server.port < 1 || server.port > 65535)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "the PACS port " + std::to_string(server.port) + " is not in 1..65535");
  if (auto ok = validAeTitle(server.calledAe, "the server's"); !ok) return ok;
  return validAeTitle(server.callingAe, "Meridian's");
}

core::Status echo(const PacsServer& server) {
  DcmSCU scu;
  configure(scu, server);
  scu.addPresentationContext(UID_VerificationSOPClass, uncompressedSyntaxes());
  if (auto connected = connect(scu, server, "C-ECHO"); !connected) return connected;
  AssociationGuard guard(scu);
  auto context = acceptedContext(scu, server, UID_VerificationSOPClass, "verification (C-ECHO)");
  if (!context) return context.error();
  const Clock::time_point askedAt = Clock::now();
  const OFCondition c = scu.sendECHORequest(context.value());
  if (c.bad()) {
    guard.abort();
    return networkError(server, c, "C-ECHO", askedAt);
  }
  return core::Ok{};
}

core::Result<std::vector<StudyMatch>> findStudies(const PacsServer& server, const StudyQuery& query) {
  DcmDataset keys;
  keys.putAndInsertOFStringArray(DCM_QueryRetrieveLevel, "STUDY");
  keys.putAndInsertOFStringArray(DCM_StudyInstanceUID, query.studyUid.c_str());
  keys.putAndInsertOFStringArray(DCM_PatientID, query.patientId.c_str());
  keys.putAndInsertOFStringArray(DCM_PatientName, query.patientName.c_str());
  keys.putAndInsertOFStringArray(DCM_StudyDate, query.studyDate.c_str());
  keys.putAndInsertOFStringArray(DCM_AccessionNumber, query.accessionNumber.c_str());
  keys.putAndInsertOFStringArray(DCM_ModalitiesInStudy, query.modality.c_str());
  for (const DcmTagKey& tag : {DCM_StudyDescription, DCM_NumberOfStudyRelatedSeries, DCM_NumberOfStudyRelatedInstances})
    keys.insertEmptyElement(tag);
  return runFind<StudyMatch>(server, keys, studyRow);
}

core::Result<std::vector<SeriesMatch>> findSeries(const PacsServer& server, const std::string& studyUid) {
  if (studyUid.empty())
    return core::makeError(core::ErrorCode::InvalidArgument, "a series query needs the study's instance UID");
  DcmDataset keys;
  keys.putAndInsertOFStringArray(DCM_QueryRetrieveLevel, "SERIES");
  keys.putAndInsertOFStringArray(DCM_StudyInstanceUID, studyUid.c_str());
  for (const DcmTagKey& tag : {DCM_SeriesInstanceUID, DCM_Modality, DCM_SeriesDescription, DCM_SeriesNumber,
                               DCM_NumberOfSeriesRelatedInstances})
    keys.insertEmptyElement(tag);
  return runFind<SeriesMatch>(server, keys, seriesRow);
}

}  // namespace meridian::pacs
