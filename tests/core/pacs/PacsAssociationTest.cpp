// core/pacs's reading of DCMTK's conditions. DCMTK 3.6.7 answers DUL_READTIMEOUT also for a
// connection the server reset; a "timeout" that came before the server's timeout had passed
// must be reported as a closed connection (CI once said "did not answer within 5 s" 17 ms
// after asking a server that had hung up).

#include <gtest/gtest.h>

#include "PacsAssociation.hpp"

using namespace meridian;
using pacs::detail::Clock;

namespace {

pacs::PacsServer serverWithTimeout(int seconds) {
  pacs::PacsServer server;
  server.port = 4242;
  server.timeoutSeconds = seconds;
  return server;
}

}  // namespace

TEST(PacsAssociation, ATimeoutSoonerThanTheTimeoutIsAClosedConnection) {
  const auto server = serverWithTimeout(5);
  for (const OFCondition& condition : {OFCondition(DUL_READTIMEOUT), OFCondition(DIMSE_NODATAAVAILABLE)}) {
    const auto e = pacs::detail::networkError(server, condition, "the query", Clock::now());
    EXPECT_NE(e.message.find("closed the connection during the query"), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find("stopped answering"), std::string::npos) << e.message;
  }
}

TEST(PacsAssociation, ATimeoutAfterTheTimeoutSaysTheServerStoppedAnswering) {
  const auto server = serverWithTimeout(5);
  for (const OFCondition& condition : {OFCondition(DUL_READTIMEOUT), OFCondition(DIMSE_NODATAAVAILABLE)}) {
    // DCMTK counts whole seconds with time(): a real 5 s timeout may come after 4 s and a bit.
    const auto e =
        pacs::detail::networkError(server, condition, "the query", Clock::now() - std::chrono::milliseconds(4200));
    EXPECT_NE(e.message.find("stopped answering (no message for 5 s) during the query"), std::string::npos)
        << e.message;
  }
}

TEST(PacsAssociation, OtherConditionsKeepDcmtksText) {
  const auto e = pacs::detail::networkError(serverWithTimeout(5), DIMSE_BADMESSAGE, "C-ECHO", Clock::now());
  EXPECT_NE(e.message.find("C-ECHO failed"), std::string::npos) << e.message;
}

TEST(PacsAssociation, AnUnsetTimeoutIsThirtySecondsInTheRuleAndTheMessage) {
  const auto server = serverWithTimeout(0);  // configure() then gives DCMTK 30 s
  const auto early =
      pacs::detail::networkError(server, DUL_READTIMEOUT, "the query", Clock::now() - std::chrono::seconds(5));
  EXPECT_NE(early.message.find("closed the connection"), std::string::npos) << early.message;
  const auto late =
      pacs::detail::networkError(server, DUL_READTIMEOUT, "the query", Clock::now() - std::chrono::seconds(30));
  EXPECT_NE(late.message.find("no message for 30 s"), std::string::npos) << late.message;
}
