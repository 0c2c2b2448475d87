#pragma once
// The parts every PACS service shares (private to core/pacs): setting up a DcmSCU for a
// server, opening the association, and turning DCMTK's conditions into messages a user can
// act on. One place, so echo, find, get and store fail with the same words.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmnet/scu.h>

#include <chrono>
#include <string>

#include "DicomDatasetText.hpp"  // core/io/src: dicomString, dicomInteger, readSeriesKeys

#include "meridian/core/Result.hpp"
#include "meridian/pacs/PacsClient.hpp"

namespace meridian::pacs::detail {

using io::detail::dicomInteger;
using io::detail::dicomString;

/// The transfer syntaxes Meridian proposes for queries and received objects: explicit and
/// implicit little endian (every SCP must accept implicit; the server converts compressed
/// objects, and Meridian's readers take both).
OFList<OFString> uncompressedSyntaxes();

/// The server's timeout in seconds as every association and message uses it (30 when unset).
int timeoutSecondsOf(const PacsServer& server);

/// Sets AE titles, peer, timeouts (non-blocking DIMSE, so a silent server times out) on `scu`,
/// and silences DCMTK's own console logging (the errors come back to the caller as messages).
void configure(DcmSCU& scu, const PacsServer& server);

/// initNetwork and negotiateAssociation; `service` ("C-ECHO", "C-FIND", ...) names what was
/// being done in the message.
core::Status connect(DcmSCU& scu, const PacsServer& server, const std::string& service);

/// The presentation context the server accepted for `sopClass`, or an error saying the server
/// does not offer `service`.
core::Result<T_ASC_PresentationContextID> acceptedContext(DcmSCU& scu, const PacsServer& server,
                                                          const char* sopClass, const std::string& service);

using Clock = std::chrono::steady_clock;

/// The message for a condition from an open association: a lost connection, a timeout, or
/// anything else with DCMTK's own text. `askedAt` is when the request that failed was sent: a
/// "timeout" that came sooner than the server's timeout was a reset connection (see the .cpp).
core::Error networkError(const PacsServer& server, const OFCondition& condition, const std::string& during,
                         Clock::time_point askedAt);

/// What a server that drops a query or retrieve at once usually means (Orthanc does so for an
/// AE title it does not list): appended to such messages.
std::string notAllowedHint(const PacsServer& server);

/// "0xA700 (refused: out of resources)": a DIMSE status for messages.
std::string describeStatus(Uint16 status);

/// Releases (or, when the connection is gone, drops) the association when the scope ends.
class AssociationGuard {
 public:
  explicit AssociationGuard(DcmSCU& scu) : scu_(scu) {}
  ~AssociationGuard();
  AssociationGuard(const AssociationGuard&) = delete;
  AssociationGuard& operator=(const AssociationGuard&) = delete;
  /// Drops the association without the release handshake (after a lost connection or a cancel).
  void abort();

 private:
  DcmSCU& scu_;
  bool aborted_ = false;
};

/// "3 of 20 object(s) received" (without " of N" when the server did not say how many).
std::string receivedText(std::size_t received, int expected);

/// What the responses of a C-GET or C-MOVE have said so far: the objects in all, those sent and
/// those that failed (as the server counts them), and the final status once it came.
struct SubOperationCounts {
  int expected = 0, sent = 0, failed = 0;
  bool sawFinal = false;
  Uint16 finalStatus = 0;
  void update(const RetrieveResponse& response);
  /// The final answer came and says failure (not success, not a warning).
  bool failedFinally() const { return sawFinal && finalStatus != 0x0000 && (finalStatus & 0xF000) != 0xB000; }
};

/// How a C-GET or C-MOVE ended, from its final response: the summary, or the error that
/// status means (no final answer, a failure status, or no objects at all).
core::Result<RetrieveSummary> retrieveOutcome(const PacsServer& server, const std::string& what, RetrieveSummary summary,
                                              const SubOperationCounts& counts);

/// 12 random hex digits, for the names of hidden download and scratch folders.
std::string randomSuffix();

}  // namespace meridian::pacs::detail
