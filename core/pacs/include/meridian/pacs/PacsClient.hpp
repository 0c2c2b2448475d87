#pragma once
// Talking to a PACS through DCMTK's network module (dcmnet): C-ECHO, C-FIND at study and
// series level, C-GET or C-MOVE of a study or series into a folder, C-STORE of files. Qt-free;
// the CLI (`meridian-cli pacs`) and the window's PACS dialog both call these functions.
//
// C-GET by default: the objects come back on the association Meridian opened, so Meridian
// needs no listening port, no firewall opening and no entry in the PACS's list of move
// destinations. C-MOVE for the many PACS that offer only it: Meridian listens on a port as a
// storage SCP for the time of the retrieve, and the PACS must list Meridian's AE title with
// this machine's address and that port.
//
// Every failure is a core::Error whose message says what happened in the terms a user can act
// on: the server could not be reached, refused the association (and which AE titles were
// used), accepted no presentation context for the service, answered with a failure status, or
// closed the connection in the middle of a transfer (with how many objects had arrived).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "meridian/core/JobControl.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::pacs {

/// Where the PACS is and the AE titles of the two ends.
struct PacsServer {
  std::string host = "127.0.0.1";
  int port = 104;
  std::string calledAe = "ORTHANC";    // the server's AE title
  std::string callingAe = "MERIDIAN";  // Meridian's AE title (the server must know it)
  int timeoutSeconds = 30;             // connect, association and each network message

  /// "CALLED@host:port", for messages.
  std::string describe() const;
};

/// Refused (InvalidArgument) when the host is empty, the port is outside 1..65535, an AE
/// title is empty, longer than 16 characters or holds a backslash or control character.
core::Status validate(const PacsServer& server);

/// C-ECHO: the server answered a verification request with success.
core::Status echo(const PacsServer& server);

/// C-FIND keys at study level; empty fields match everything. DICOM wildcards (* and ?) work
/// in the name, and a date range is "YYYYMMDD-YYYYMMDD".
struct StudyQuery {
  std::string patientId, patientName, studyDate, accessionNumber, modality, studyUid;
};

struct StudyMatch {
  std::string studyUid, patientId, patientName, studyDate, studyDescription, accessionNumber, modalities;
  int seriesCount = -1, instanceCount = -1;  // -1: the server did not say
};

struct SeriesMatch {
  std::string studyUid, seriesUid, modality, seriesDescription;
  int seriesNumber = -1, instanceCount = -1;  // -1: the server did not say
};

core::Result<std::vector<StudyMatch>> findStudies(const PacsServer& server, const StudyQuery& query);
/// The series of one study (studyUid required).
core::Result<std::vector<SeriesMatch>> findSeries(const PacsServer& server, const std::string& studyUid);

/// What to retrieve: a study, or one series of it when seriesUid is set; how: C-GET, or C-MOVE
/// to Meridian's AE title (the server's callingAe) received on port movePort when it is > 0.
struct RetrieveRequest {
  std::string studyUid;
  std::string seriesUid;
  int movePort = 0;
};

struct RetrieveSummary {
  std::vector<std::filesystem::path> files;  // the objects received, in `folder`
  int failedSubOperations = 0;               // objects the server reported it could not send
};

/// C-GET (or C-MOVE, see RetrieveRequest) into `folder` (created if missing). Reports progress
/// ("objects", done/total) on `job` and stops after the object it is on when the job is
/// cancelled (ErrorCode::Cancelled). On any failure the files already received stay in
/// `folder`: callers that keep what they fetch go through downloadComplete (PacsDownload.hpp),
/// which never leaves a partial download behind.
core::Result<RetrieveSummary> retrieve(const PacsServer& server, const RetrieveRequest& request,
                                       const std::filesystem::path& folder,
                                       const core::JobControl& job = core::JobControl());

struct StoreSummary {
  std::vector<std::string> storedSopInstanceUids;
  std::vector<std::string> warnings;  // "file: status 0xB000 (warning)", one per object the server warned about
};

/// C-STORE of DICOM Part 10 files (an SR, a de-identified copy, ...). Every file is read
/// first: one that is not DICOM is refused before anything is sent. Fails on the first object
/// the server refuses (naming it and the status) or when the connection is lost.
core::Result<StoreSummary> store(const PacsServer& server, const std::vector<std::filesystem::path>& files,
                                 const core::JobControl& job = core::JobControl());

}  // namespace meridian::pacs
