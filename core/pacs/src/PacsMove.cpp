// C-MOVE of a study or series into a folder. Meridian asks the PACS to move the objects to its
// own AE title (the server's callingAe); the PACS looks that title up in its list of modalities
// and opens a second association to this machine, on which it sends them with C-STORE. So for
// the time of the retrieve Meridian runs a storage SCP (DCMTK's DcmStorageSCP) on a thread,
// listening on request.movePort, while the C-MOVE's own association waits for the answers.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/dstorscp.h>
#include <dcmtk/dcmnet/scu.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <system_error>
#include <thread>

#include "PacsAssociation.hpp"
#include "PacsMove.hpp"

namespace meridian::pacs::detail {

namespace {

/// The storage SCP the PACS sends the objects to. It records each file it wrote and leaves its
/// listen loop when told to stop (checked after each association and each idle second).
class MoveReceiver : public DcmStorageSCP {
 public:
  void requestStop() { stop_ = true; }
  std::size_t count() const { return count_; }
  std::vector<std::filesystem::path> files() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return files_;
  }

 protected:
  void notifyInstanceStored(const OFString& filename, const OFString&, const OFString&, DcmDataset*) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    files_.emplace_back(filename.c_str());
    ++count_;
  }
  OFBool stopAfterConnectionTimeout() override { return stop_; }
  OFBool stopAfterCurrentAssociation() override { return stop_; }

 private:
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  mutable std::vector<std::filesystem::path> files_;
  mutable std::atomic<std::size_t> count_{0};
};

/// The C-MOVE's own association: follows the sub-operation counts, reports progress with what
/// the receiver has written, and stops asking when the job is cancelled.
class MoveScu : public DcmSCU {
 public:
  MoveScu(const core::JobControl& job, const MoveReceiver& receiver) : job_(job), receiver_(receiver) {}
  const SubOperationCounts& counts() const { return counts_; }

 protected:
  OFCondition handleMOVEResponse(const T_ASC_PresentationContextID presID, RetrieveResponse* response,
                                 OFBool& waitForNextResponse) override {
    const OFCondition c = DcmSCU::handleMOVEResponse(presID, response, waitForNextResponse);
    if (response) counts_.update(*response);
    core::JobProgress progress;
    progress.stage = "objects";
    progress.done = receiver_.count();
    progress.total = counts_.expected > 0 ? static_cast<std::size_t>(counts_.expected) : 0;
    job_.report(progress);
    if (job_.cancelled()) waitForNextResponse = OFFalse;
    return c;
  }

 private:
  const core::JobControl& job_;
  const MoveReceiver& receiver_;
  SubOperationCounts counts_;
};

/// Wakes the receiver's accept loop at once (rather than after its idle second) so that it sees
/// the stop: a connection that closes without an association request.
void poke(int port) {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  (void)::connect(s, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::close(s);
}

/// Runs the receiver's accept loop on a thread for the lifetime of this object.
class ListeningThread {
 public:
  ListeningThread(MoveReceiver& receiver, int port)
      : receiver_(receiver), port_(port), thread_([this] { receiver_.acceptAssociations(); }) {}
  ~ListeningThread() {
    receiver_.requestStop();
    poke(port_);
    thread_.join();
  }
  ListeningThread(const ListeningThread&) = delete;
  ListeningThread& operator=(const ListeningThread&) = delete;

 private:
  MoveReceiver& receiver_;
  int port_;
  std::thread thread_;
};

std::string destinationHint(const PacsServer& server, int port) {
  return ": the PACS must list Meridian's AE title '" + server.callingAe +
         "' among its modalities (move destinations) with this machine's address and port " + std::to_string(port) +
         ", and reach that port";
}

}  // namespace

core::Result<RetrieveSummary> retrieveByMove(const PacsServer& server, const RetrieveRequest& request,
                                             const std::filesystem::path& folder, const core::JobControl& job) {
  if (request.movePort < 1 || request.movePort > 65535)
    return core::makeError(
        core::ErrorCode::InvalidArgument,
        "the port to receive a C-MOVE on, " + std::to_string(request.movePort) + ", is not in 1..65535");
  const auto seconds = static_cast<Uint32>(timeoutSecondsOf(server));

  MoveReceiver receiver;
  receiver.setPort(static_cast<Uint16>(request.movePort));
  receiver.setAETitle(server.callingAe.c_str());
  receiver.setConnectionBlockingMode(DUL_NOBLOCK);
  receiver.setConnectionTimeout(1);  // the accept loop looks at its stop flag each idle second
  receiver.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
  receiver.setDIMSETimeout(seconds);
  receiver.setACSETimeout(seconds);
  receiver.setOutputDirectory(folder.string().c_str());
  receiver.setDirectoryGenerationMode(DcmStorageSCP::DGM_NoSubdirectory);
  receiver.setFilenameGenerationMode(DcmStorageSCP::FGM_SOPInstanceUID);
  receiver.setFilenameExtension(".dcm");
  // The storage classes C-GET takes too (DcmStorageSCP already accepts C-ECHO): an SCP
  // profile holds at most 128 contexts and names each class once, so DCMTK's full list of
  // 186 storage classes cannot be used.
  std::set<std::string> classes;
  for (int i = 0; i < numberOfDcmLongSCUStorageSOPClassUIDs; ++i) classes.insert(dcmLongSCUStorageSOPClassUIDs[i]);
  for (const auto& sopClass : classes) receiver.addPresentationContext(sopClass.c_str(), uncompressedSyntaxes());
  // Opened here, before the PACS is asked, so a port in use is said as such.
  if (const OFCondition c = receiver.openListenPort(); c.bad())
    return core::makeError(core::ErrorCode::Io, "cannot listen on port " + std::to_string(request.movePort) +
                                                    " for the C-MOVE (" + std::string(c.text()) +
                                                    "): is another program using it?");

  RetrieveSummary summary;
  MoveScu scu(job, receiver);
  const bool series = !request.seriesUid.empty();
  const std::string what = series ? "series " + request.seriesUid : "study " + request.studyUid;
  OFCondition c;
  Clock::time_point askedAt;
  {
    ListeningThread listening(receiver, request.movePort);
    configure(scu, server);
    scu.addPresentationContext(UID_MOVEStudyRootQueryRetrieveInformationModel, uncompressedSyntaxes());
    if (auto connected = connect(scu, server, "C-MOVE"); !connected) return connected.error();
    AssociationGuard guard(scu);
    auto context = acceptedContext(scu, server, UID_MOVEStudyRootQueryRetrieveInformationModel, "study-root C-MOVE");
    if (!context) return context.error();
    DcmDataset keys;
    keys.putAndInsertOFStringArray(DCM_QueryRetrieveLevel, series ? "SERIES" : "STUDY");
    keys.putAndInsertOFStringArray(DCM_StudyInstanceUID, request.studyUid.c_str());
    if (series) keys.putAndInsertOFStringArray(DCM_SeriesInstanceUID, request.seriesUid.c_str());
    askedAt = Clock::now();
    c = scu.sendMOVERequest(context.value(), server.callingAe.c_str(), &keys, nullptr);
    if (c.bad() || job.cancelled()) guard.abort();
  }  // the receiver has finished every association it was in when the thread joins
  summary.files = receiver.files();
  const SubOperationCounts& counts = scu.counts();
  summary.failedSubOperations = counts.failed;
  if (job.cancelled())
    return core::makeError(core::ErrorCode::Cancelled, "the retrieve of " + what + " was cancelled (" +
                                                           receivedText(summary.files.size(), counts.expected) + ")");
  if (c.bad()) {
    core::Error e = networkError(
        server, c, "the retrieve of " + what + " (" + receivedText(summary.files.size(), counts.expected) + ")",
        askedAt);
    if (summary.files.empty()) e.message += notAllowedHint(server);
    return e;
  }
  const std::size_t arrived = summary.files.size();
  auto outcome = retrieveOutcome(server, what, std::move(summary), counts);
  // Nothing arrived because the PACS could not reach Meridian: say what to configure.
  // (Orthanc answers 0xC000 when it cannot connect; others 0xA801 or failed sub-operations.)
  if (!outcome && arrived == 0 && (counts.failedFinally() || counts.failed > 0)) {
    core::Error e = outcome.error();
    e.message += (counts.finalStatus & 0xFF00) == 0xA800 ? "" : "; or it could not send them to Meridian";
    e.message += destinationHint(server, request.movePort);
    return e;
  }
  // The PACS counts what it sent; a C-STORE it thinks went through but Meridian did not keep is
  // an incomplete download too.
  if (outcome && counts.sent > 0 && arrived < static_cast<std::size_t>(counts.sent))
    return core::makeError(core::ErrorCode::Io, "the PACS " + server.describe() + " reports " +
                                                    std::to_string(counts.sent) + " object(s) of " + what + " sent, " +
                                                    std::to_string(arrived) + " arrived");
  return outcome;
}

}  // namespace meridian::pacs::detail
