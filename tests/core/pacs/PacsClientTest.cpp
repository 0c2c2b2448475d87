// core/pacs without a PACS: the checks on a server's settings, and servers that cannot be
// reached or hang up at once, each a clear message, and a project left as it was. The real
// server (Orthanc) is in tests/app/pacs_orthanc.py.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "meridian/pacs/PacsClient.hpp"
#include "meridian/pacs/PacsDownload.hpp"
#include "meridian/pacs/PacsProject.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {

/// What the PACS on the other end of a Listener does with each connection.
enum class Peer {
  OnlyListens,         ///< never accepts: the port is taken, nobody answers
  HangsUp,             ///< accepts and closes at once (a PACS that vanishes as the association starts)
  ResetsAfterRequest,  ///< reads the first bytes of the request, then resets the connection (RST)
};

/// A loopback TCP listener on a free port, with a thread that accepts as `peer` says.
class Listener {
 public:
  explicit Listener(Peer peer) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    ::listen(fd_, 4);
    if (peer != Peer::OnlyListens)
      thread_ = std::thread([this, peer] {
        while (!stop_) {
          const int client = ::accept(fd_, nullptr, nullptr);
          if (client < 0) return;
          ++accepted_;
          if (peer == Peer::ResetsAfterRequest) {
            char request[64];
            [[maybe_unused]] const auto got = ::recv(client, request, sizeof request, 0);
            const linger resetOnClose{1, 0};
            ::setsockopt(client, SOL_SOCKET, SO_LINGER, &resetOnClose, sizeof resetOnClose);
          }
          ::close(client);
        }
      });
  }
  ~Listener() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  int accepted() const { return accepted_; }

 private:
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

/// A port nobody listens on: bound, then closed.
int closedPort() {
  Listener probe(Peer::OnlyListens);
  return probe.port();
}

pacs::PacsServer serverOn(int port) {
  pacs::PacsServer server;
  server.port = port;
  server.timeoutSeconds = 5;
  return server;
}

fs::path freshFolder(const std::string& name) {
  const fs::path folder = fs::path(MERIDIAN_TEST_OUTPUT) / "core-pacs" / name;
  fs::remove_all(folder);
  return folder;
}

}  // namespace

TEST(PacsServerSettings, RefusesWhatNoAssociationCouldCarry) {
  pacs::PacsServer ok;
  EXPECT_TRUE(pacs::validate(ok));
  auto bad = [](auto change) {
    pacs::PacsServer s;
    change(s);
    auto r = pacs::validate(s);
    EXPECT_FALSE(r);
    return r ? std::string() : r.error().message;
  };
  EXPECT_NE(bad([](auto& s) { s.host.clear(); }).find("host"), std::string::npos);
  EXPECT_NE(bad([](auto& s) { s.port = 0; }).find("port 0"), std::string::npos);
  EXPECT_NE(bad([](auto& s) { s.port = 70000; }).find("65535"), std::string::npos);
  EXPECT_NE(bad([](auto& s) { s.calledAe = "A_TITLE_LONGER_THAN_16"; }).find("1 to 16"), std::string::npos);
  EXPECT_NE(bad([](auto& s) { s.callingAe.clear(); }).find("Meridian's AE title"), std::string::npos);
  EXPECT_NE(bad([](auto& s) { s.callingAe = "BACK\\SLASH"; }).find("backslash"), std::string::npos);
  EXPECT_EQ(ok.describe(), "ORTHANC@127.0.0.1:104");
}

TEST(PacsClient, AClosedPortSaysTheServerCannotBeReached) {
  const auto server = serverOn(closedPort());
  auto r = pacs::echo(server);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::Io);
  EXPECT_NE(r.error().message.find("cannot reach the PACS ORTHANC@127.0.0.1:" + std::to_string(server.port)),
            std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("Connection refused"), std::string::npos) << r.error().message;
}

TEST(PacsClient, AServerThatHangsUpIsNamedForEveryService) {
  Listener vanishing(Peer::HangsUp);
  const auto server = serverOn(vanishing.port());
  auto e = pacs::echo(server);
  auto f = pacs::findStudies(server, {});
  auto g = pacs::retrieve(server, {"1.2.3", ""}, freshFolder("hang-up-get"));
  for (const std::string& message : {e.error().message, f.error().message, g.error().message})
    EXPECT_NE(message.find("closed the connection while Meridian asked for C-"), std::string::npos) << message;
  EXPECT_GE(vanishing.accepted(), 3);
}

TEST(PacsClient, StoreRefusesAFileThatIsNotDicomBeforeConnecting) {
  const fs::path folder = freshFolder("store-not-dicom");
  fs::create_directories(folder);
  const fs::path text = folder / "notes.txt";
  { std::FILE* f = std::fopen(text.c_str(), "w"); std::fputs("not DICOM\n", f); std::fclose(f); }
  Listener listener(Peer::HangsUp);
  auto r = pacs::store(serverOn(listener.port()), {text});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::Unsupported);
  EXPECT_NE(r.error().message.find("notes.txt is not a DICOM file"), std::string::npos) << r.error().message;
  EXPECT_EQ(listener.accepted(), 0);  // nothing was sent
}

TEST(PacsProject, AFailedRetrieveAddsNothingAndLeavesNoDownloadFolder) {
  const fs::path folder = freshFolder("failed-retrieve");
  auto store = project::ProjectStore::create(folder);
  ASSERT_TRUE(store) << store.error().message;
  for (const int port : {closedPort(), 0}) {
    Listener vanishing(Peer::HangsUp);
    const auto server = serverOn(port ? port : vanishing.port());
    auto r = pacs::retrieveIntoProject(*store.value(), server, {"1.2.826.0.1.3680043.2.1125.1", ""});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("nothing was added to the project"), std::string::npos) << r.error().message;
    auto cases = store.value()->listCases();
    ASSERT_TRUE(cases);
    EXPECT_TRUE(cases.value().empty());
    // The download folder is gone: pacs/ holds nothing (or does not exist).
    EXPECT_TRUE(!fs::exists(folder / "pacs") || fs::is_empty(folder / "pacs"));
  }
}

namespace {

/// A hidden download folder with `names` in it, as downloadComplete leaves one.
pacs::CompleteDownload stagedDownload(const fs::path& parent, const std::vector<std::string>& names) {
  const fs::path staging = parent / ".incoming-test";
  fs::create_directories(staging);
  pacs::RetrieveSummary summary;
  for (const auto& name : names) {
    std::FILE* f = std::fopen((staging / name).c_str(), "w");
    std::fputs(name.c_str(), f);
    std::fclose(f);
    summary.files.push_back(staging / name);
  }
  return pacs::CompleteDownload(staging, summary);
}

std::string contentOf(const fs::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return {};
  char text[64] = {};
  const std::size_t n = std::fread(text, 1, sizeof text - 1, f);
  std::fclose(f);
  return std::string(text, n);
}

}  // namespace

TEST(PacsDownload, ADownloadNeverMovedInLeavesNothing) {
  const fs::path parent = freshFolder("download-dropped");
  { auto download = stagedDownload(parent, {"CT.1.dcm", "CT.2.dcm"}); }
  EXPECT_TRUE(fs::is_empty(parent));
}

TEST(PacsDownload, MovesIntoANewFolderOrBesideWhatAFolderHolds) {
  const fs::path parent = freshFolder("download-moved");
  auto first = stagedDownload(parent, {"CT.1.dcm", "CT.2.dcm"});
  ASSERT_TRUE(first.moveTo(parent / "out"));
  EXPECT_EQ(first.summary().files.front(), parent / "out" / "CT.1.dcm");
  {
    auto second = stagedDownload(parent, {"CT.2.dcm", "CT.3.dcm"});
    ASSERT_TRUE(second.moveTo(parent / "out"));
  }
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(parent / "out")) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"CT.1.dcm", "CT.2.dcm", "CT.3.dcm"}));
  // Only the target is left beside the downloads: no hidden folder.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(parent)) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST(PacsDownload, AMoveThatFailsHalfWayPutsEverythingBack) {
  const fs::path parent = freshFolder("download-half");
  fs::create_directories(parent / "out" / "CT.2.dcm");  // a folder where the second file should go
  fs::create_directories(parent / "out" / "CT.2.dcm" / "keep");  // not empty: rename over it fails
  {
    auto download = stagedDownload(parent, {"CT.1.dcm", "CT.2.dcm"});
    auto moved = download.moveTo(parent / "out");
    ASSERT_FALSE(moved);
    EXPECT_NE(moved.error().message.find("CT.2.dcm"), std::string::npos) << moved.error().message;
    EXPECT_FALSE(fs::exists(parent / "out" / "CT.1.dcm"));  // the first one went back
  }
  EXPECT_FALSE(fs::exists(parent / ".incoming-test"));
}

TEST(PacsDownload, AFailedRetrieveIntoAFolderLeavesNoHiddenFolder) {
  const fs::path parent = freshFolder("download-failed");
  Listener vanishing(Peer::HangsUp);
  auto r = pacs::downloadComplete(serverOn(vanishing.port()), {"1.2.3", ""}, parent);
  ASSERT_FALSE(r);
  EXPECT_TRUE(fs::is_empty(parent));
}

TEST(PacsMove, APortInUseIsSaidBeforeThePacsIsAsked) {
  Listener taken(Peer::OnlyListens);
  Listener pacsSide(Peer::HangsUp);
  pacs::RetrieveRequest request{"1.2.3", "", taken.port()};
  auto r = pacs::retrieve(serverOn(pacsSide.port()), request, freshFolder("move-port-in-use"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot listen on port " + std::to_string(taken.port())), std::string::npos)
      << r.error().message;
  EXPECT_EQ(pacsSide.accepted(), 0);
}

namespace {
// The message a C-MOVE to a server that behaves like `peer` ends with.
std::string moveErrorFrom(Peer peer, const char* folder) {
  Listener server(peer);
  pacs::RetrieveRequest request{"1.2.3", "", closedPort()};
  auto r = pacs::retrieve(serverOn(server.port()), request, freshFolder(folder));
  return r ? std::string("retrieve succeeded") : r.error().message;
}
}  // namespace

TEST(PacsMove, AServerThatHangsUpIsNamed) {
  const std::string message = moveErrorFrom(Peer::HangsUp, "move-hang-up");
  EXPECT_NE(message.find("closed the connection while Meridian asked for C-MOVE"), std::string::npos) << message;
}

// A server that resets the connection after reading the request: DCMTK may call that a read
// timeout; the message must still say the server closed it (PacsAssociationTest has the rule).
TEST(PacsMove, AServerThatResetsTheConnectionIsNotCalledSilent) {
  const std::string message = moveErrorFrom(Peer::ResetsAfterRequest, "move-reset");
  EXPECT_NE(message.find("closed the connection while Meridian asked for C-MOVE"), std::string::npos) << message;
  EXPECT_EQ(message.find("did not answer"), std::string::npos) << message;
}

TEST(PacsProject, SendingACaseWithoutAPredictionIsRefusedBeforeConnecting) {
  const fs::path folder = freshFolder("send-without-prediction");
  auto store = project::ProjectStore::create(folder);
  ASSERT_TRUE(store) << store.error().message;
  Listener listener(Peer::HangsUp);
  auto r = pacs::sendCaseReport(*store.value(), serverOn(listener.port()), 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(listener.accepted(), 0);
}
