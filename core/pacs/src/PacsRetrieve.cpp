// C-GET of a study or series into a folder (C-MOVE is in PacsMove.cpp): Meridian proposes the retrieve service and, in the
// SCP role, the storage SOP classes, so the server sends the objects back on this association.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/scu.h>

#include <system_error>

#include "PacsAssociation.hpp"
#include "PacsMove.hpp"
#include "meridian/pacs/PacsClient.hpp"

namespace meridian::pacs {

using namespace detail;

namespace {

/// A DcmSCU that counts what arrives, reports it and stops when the job is cancelled.
class GetScu : public DcmSCU {
 public:
  GetScu(const core::JobControl& job, RetrieveSummary& summary) : job_(job), summary_(summary) {}

  const SubOperationCounts& counts() const { return counts_; }

 protected:
  OFCondition handleSTORERequest(const T_ASC_PresentationContextID presID, DcmDataset* incoming,
                                 OFBool& continueSession, Uint16& status) override {
    const OFCondition c = DcmSCU::handleSTORERequest(presID, incoming, continueSession, status);
    if (job_.cancelled()) continueSession = OFFalse;
    return c;
  }

  /// DCMTK's name (modality prefix and SOP instance UID, sanitised) with ".dcm", so the
  /// folder reads as DICOM to people and file dialogs too.
  OFString createStorageFilename(DcmDataset* dataset) override {
    OFString name = DcmSCU::createStorageFilename(dataset);
    if (!name.empty()) name += ".dcm";
    return name;
  }

  void notifyInstanceStored(const OFString& filename, const OFString&, const OFString&) const override {
    summary_.files.emplace_back(filename.c_str());
    core::JobProgress progress;
    progress.stage = "objects";
    progress.done = summary_.files.size();
    progress.total = counts_.expected > 0 ? static_cast<std::size_t>(counts_.expected) : 0;
    job_.report(progress);
  }

  OFCondition handleCGETResponse(const T_ASC_PresentationContextID presID, RetrieveResponse* response,
                                 OFBool& continueSession) override {
    if (response) {
      counts_.update(*response);
      summary_.failedSubOperations = counts_.failed;
    }
    return DcmSCU::handleCGETResponse(presID, response, continueSession);
  }

 private:
  const core::JobControl& job_;
  RetrieveSummary& summary_;
  SubOperationCounts counts_;
};

std::string received(const RetrieveSummary& summary, int expected) {
  return receivedText(summary.files.size(), expected);
}

}  // namespace

namespace detail {

std::string receivedText(std::size_t received, int expected) {
  std::string text = std::to_string(received);
  if (expected > 0) text += " of " + std::to_string(expected);
  return text + " object(s) received";
}

void SubOperationCounts::update(const RetrieveResponse& r) {
  const int total = r.m_numberOfRemainingSubops + r.m_numberOfCompletedSubops + r.m_numberOfFailedSubops +
                    r.m_numberOfWarningSubops;
  if (total > expected) expected = total;
  sent = r.m_numberOfCompletedSubops + r.m_numberOfWarningSubops;
  failed = r.m_numberOfFailedSubops;
  if (r.m_status != 0xFF00 && r.m_status != 0xFF01) {  // not Pending: the final answer
    sawFinal = true;
    finalStatus = r.m_status;
  }
}

core::Result<RetrieveSummary> retrieveOutcome(const PacsServer& server, const std::string& what, RetrieveSummary summary,
                                              const SubOperationCounts& counts) {
  const int expected = counts.expected;
  const Uint16 status = counts.finalStatus;
  if (!counts.sawFinal)
    return core::makeError(core::ErrorCode::Io, "the PACS " + server.describe() + " ended the retrieve of " + what +
                                                    " without its final answer (" + received(summary, expected) + ")");
  if (counts.failedFinally())
    return core::makeError(core::ErrorCode::Io,
                           "the PACS " + server.describe() + " answered the retrieve of " + what + " with status " +
                               describeStatus(status) + " (" + received(summary, expected) + ")" +
                               (summary.files.empty() ? ": does it hold that study, and may '" + server.callingAe +
                                                            "' retrieve from it?"
                                                      : ""));
  if (summary.files.empty())
    return core::makeError(core::ErrorCode::NotFound, "the PACS " + server.describe() + " has no objects for " + what);
  return summary;
}

}  // namespace detail

core::Result<RetrieveSummary> retrieve(const PacsServer& server, const RetrieveRequest& request,
                                       const std::filesystem::path& folder, const core::JobControl& job) {
  if (request.studyUid.empty())
    return core::makeError(core::ErrorCode::InvalidArgument, "a retrieve needs the study's instance UID");
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return core::makeError(core::ErrorCode::Io, "cannot create " + folder.string() + ": " + ec.message());
  if (request.movePort > 0) return retrieveByMove(server, request, folder, job);

  RetrieveSummary summary;
  GetScu scu(job, summary);
  configure(scu, server);
  scu.setStorageMode(DCMSCU_STORAGE_DISK);
  scu.setStorageDir(folder.string().c_str());
  scu.addPresentationContext(UID_GETStudyRootQueryRetrieveInformationModel, uncompressedSyntaxes());
  // The objects come back as C-STORE requests on this association: Meridian takes the SCP role
  // for the storage classes (127 contexts at most, with the one above: DCMTK's long list fits).
  for (int i = 0; i < numberOfDcmLongSCUStorageSOPClassUIDs; ++i)
    scu.addPresentationContext(dcmLongSCUStorageSOPClassUIDs[i], uncompressedSyntaxes(), ASC_SC_ROLE_SCP);
  if (auto connected = connect(scu, server, "C-GET"); !connected) return connected.error();
  AssociationGuard guard(scu);
  auto context = acceptedContext(scu, server, UID_GETStudyRootQueryRetrieveInformationModel, "study-root C-GET");
  if (!context) return context.error();

  DcmDataset keys;
  const bool series = !request.seriesUid.empty();
  keys.putAndInsertOFStringArray(DCM_QueryRetrieveLevel, series ? "SERIES" : "STUDY");
  keys.putAndInsertOFStringArray(DCM_StudyInstanceUID, request.studyUid.c_str());
  if (series) keys.putAndInsertOFStringArray(DCM_SeriesInstanceUID, request.seriesUid.c_str());
  const std::string what = series ? "series " + request.seriesUid : "study " + request.studyUid;

  const Clock::time_point askedAt = Clock::now();
  const OFCondition c = scu.sendCGETRequest(context.value(), &keys, nullptr);
  if (job.cancelled()) {
    guard.abort();
    return core::makeError(core::ErrorCode::Cancelled,
                           "the retrieve of " + what + " was cancelled (" + received(summary, scu.counts().expected) + ")");
  }
  if (c.bad()) {
    guard.abort();
    core::Error e = networkError(
        server, c, "the retrieve of " + what + " (" + received(summary, scu.counts().expected) + ")", askedAt);
    if (summary.files.empty()) e.message += notAllowedHint(server);
    return e;
  }
  return retrieveOutcome(server, what, std::move(summary), scu.counts());
}

}  // namespace meridian::pacs
