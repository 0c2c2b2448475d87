#include "PacsAssociation.hpp"

#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdio>
#include <mutex>
#include <random>

namespace meridian::pacs::detail {

namespace {

/// DCMTK logs association failures to the console itself ("E: Association Rejected ...");
/// Meridian reports them once, in its own words, so its loggers stay quiet below FATAL.
void silenceDcmtkLogging() {
  static std::once_flag once;
  std::call_once(once, [] {
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
    for (const char* name : {"dcmtk.dcmnet", "dcmtk.dcmdata", "dcmtk.dcmnet.scu"})
      OFLog::getLogger(name).setLogLevel(OFLogger::FATAL_LOG_LEVEL);
  });
}

bool isLostConnection(const OFCondition& c) {
  return c == DUL_PEERABORTEDASSOCIATION || c == DUL_PEERREQUESTEDRELEASE || c == DUL_NETWORKCLOSED ||
         c == DIMSE_READPDVFAILED || c == DUL_READTIMEOUT || c == DIMSE_NODATAAVAILABLE ||
         // A C-GET whose connection drops mid-object ends on the C-STORE response it can no longer send.
         c == DIMSE_SENDFAILED || c == DIMSE_RECEIVEFAILED;
}

bool isTimeout(const OFCondition& c) {
  return c == DUL_READTIMEOUT || c == DIMSE_NODATAAVAILABLE;
}

/// Whether a timeout condition is one. DCMTK 3.6.7 can answer DUL_READTIMEOUT for a connection
/// that is gone: its networkDataAvailable() says "no data" when select() fails or poll() wakes
/// without POLLIN. A real timeout cannot come before the server's timeout has passed (less a
/// second: DCMTK counts whole seconds with time()), so one that comes sooner was a closed
/// connection (seen in CI: "did not answer within 5 s", 17 ms after asking a server that had
/// hung up).
bool reallyTimedOut(const OFCondition& c, const PacsServer& server, Clock::time_point askedAt) {
  if (!isTimeout(c)) return false;
  const double waited = std::chrono::duration<double>(Clock::now() - askedAt).count();
  return waited + 1.5 >= static_cast<double>(timeoutSecondsOf(server));
}

/// DCMTK's text of a condition, first line only (the rest is the chained lower-level condition).
std::string firstLine(const OFCondition& c) {
  std::string text = c.text();
  return text.substr(0, text.find('\n'));
}

}  // namespace

OFList<OFString> uncompressedSyntaxes() {
  OFList<OFString> syntaxes;
  syntaxes.push_back(UID_LittleEndianExplicitTransferSyntax);
  syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
  return syntaxes;
}

int timeoutSecondsOf(const PacsServer& server) {
  return server.timeoutSeconds > 0 ? server.timeoutSeconds : 30;
}

void configure(DcmSCU& scu, const PacsServer& server) {
  silenceDcmtkLogging();
  scu.setAETitle(server.callingAe.c_str());
  scu.setPeerAETitle(server.calledAe.c_str());
  scu.setPeerHostName(server.host.c_str());
  scu.setPeerPort(static_cast<Uint16>(server.port));
  const auto seconds = static_cast<Uint32>(timeoutSecondsOf(server));
  scu.setConnectionTimeout(static_cast<Sint32>(seconds));
  scu.setACSETimeout(seconds);
  scu.setDIMSETimeout(seconds);
  scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);  // a server that stops answering times out
}

core::Status connect(DcmSCU& scu, const PacsServer& server, const std::string& service) {
  if (auto valid = validate(server); !valid) return valid;
  OFCondition c = scu.initNetwork();
  if (c.bad())
    return core::makeError(core::ErrorCode::Internal,
                           "cannot set up the network for " + service + ": " + std::string(c.text()));
  const Clock::time_point askedAt = Clock::now();
  c = scu.negotiateAssociation();
  if (c.good()) return core::Ok{};
  if (c == DUL_ASSOCIATIONREJECTED)
    return core::makeError(core::ErrorCode::Io,
                           "the PACS " + server.describe() + " refused the association for " + service +
                               " (Meridian called it '" + server.calledAe + "' as '" + server.callingAe +
                               "'): check both AE titles and that the server lists Meridian's");
  if (c == NET_EC_NoAcceptablePresentationContexts)
    return core::makeError(core::ErrorCode::Io,
                           "the PACS " + server.describe() + " accepted the association but offers no " + service);
  if (c == DUL_PEERABORTEDASSOCIATION || c == DUL_PEERREQUESTEDRELEASE || c == DUL_NETWORKCLOSED ||
      (isTimeout(c) && !reallyTimedOut(c, server, askedAt)))
    return core::makeError(core::ErrorCode::Io, "the PACS " + server.describe() +
                                                    " closed the connection while Meridian asked for " + service);
  if (isTimeout(c))
    return core::makeError(core::ErrorCode::Io, "the PACS " + server.describe() + " did not answer within " +
                                                    std::to_string(timeoutSecondsOf(server)) + " s");
  return core::makeError(core::ErrorCode::Io, "cannot reach the PACS " + server.describe() + " for " + service +
                                                  ": " + std::string(c.text()) +
                                                  " (is the server running, and are host and port right?)");
}

core::Result<T_ASC_PresentationContextID> acceptedContext(DcmSCU& scu, const PacsServer& server,
                                                          const char* sopClass, const std::string& service) {
  const T_ASC_PresentationContextID id = scu.findPresentationContextID(sopClass, "");
  if (id == 0)
    return core::makeError(core::ErrorCode::Io,
                           "the PACS " + server.describe() + " does not offer " + service + " to Meridian");
  return id;
}

core::Error networkError(const PacsServer& server, const OFCondition& condition, const std::string& during,
                         Clock::time_point askedAt) {
  if (isLostConnection(condition))
    return core::makeError(core::ErrorCode::Io, "the PACS " + server.describe() +
                                                    (reallyTimedOut(condition, server, askedAt)
                                                         ? " stopped answering (no message for " +
                                                               std::to_string(timeoutSecondsOf(server)) + " s)"
                                                         : " closed the connection") +
                                                    " during " + during);
  return core::makeError(core::ErrorCode::Io,
                         "the PACS " + server.describe() + ": " + during + " failed: " + firstLine(condition));
}

std::string notAllowedHint(const PacsServer& server) {
  return " (a PACS does this when it does not allow the AE title '" + server.callingAe +
         "' to query or retrieve: add Meridian to the server's list of modalities)";
}

std::string describeStatus(Uint16 status) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%04X", status);
  const char* meaning = "failure";
  if (status == 0x0000) meaning = "success";
  else if (status == 0xFF00 || status == 0xFF01) meaning = "pending";
  else if (status == 0xFE00) meaning = "cancelled";
  else if (status == 0x0122) meaning = "SOP class not supported";
  else if (status == 0x0124) meaning = "not authorised";
  else if ((status & 0xFF00) == 0xA700) meaning = "refused: out of resources";
  else if ((status & 0xFF00) == 0xA800) meaning = "refused: move destination unknown";
  else if ((status & 0xF000) == 0xA000) meaning = "error: the data set does not match the SOP class";
  else if ((status & 0xF000) == 0xB000) meaning = "warning";
  else if ((status & 0xF000) == 0xC000) meaning = "error: cannot understand or process";
  return std::string(hex) + " (" + meaning + ")";
}

AssociationGuard::~AssociationGuard() {
  if (!scu_.isConnected()) return;
  if (aborted_) scu_.abortAssociation();
  else scu_.releaseAssociation();
}

void AssociationGuard::abort() {
  aborted_ = true;
  if (scu_.isConnected()) scu_.abortAssociation();
}

std::string randomSuffix() {
  std::random_device device;
  std::mt19937_64 generator(device());
  static const char digits[] = "0123456789abcdef";
  std::string text;
  for (int i = 0; i < 12; ++i) text += digits[generator() % 16];
  return text;
}

}  // namespace meridian::pacs::detail
