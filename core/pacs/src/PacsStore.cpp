// C-STORE of DICOM files: every file is read first (SOP class, instance and transfer syntax),
// then one association proposes exactly those SOP classes and sends the files in order.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmnet/scu.h>

#include <map>
#include <set>

#include "PacsAssociation.hpp"
#include "meridian/pacs/PacsClient.hpp"

namespace meridian::pacs {

using namespace detail;

namespace {

struct Outgoing {
  std::filesystem::path path;
  std::string sopClass, sopInstance, transferSyntax;
};

core::Result<Outgoing> inspect(const std::filesystem::path& path) {
  DcmFileFormat file;
  // Header only: the pixel data is read again when the file is sent.
  const OFCondition c = file.loadFile(path.string().c_str(), EXS_Unknown, EGL_noChange, 4096);
  if (c.bad())
    return core::makeError(core::ErrorCode::Unsupported,
                           path.string() + " is not a DICOM file Meridian can send: " + std::string(c.text()));
  Outgoing out;
  out.path = path;
  DcmMetaInfo* meta = file.getMetaInfo();
  out.sopClass = dicomString(meta, DCM_MediaStorageSOPClassUID);
  out.sopInstance = dicomString(meta, DCM_MediaStorageSOPInstanceUID);
  if (out.sopClass.empty()) out.sopClass = dicomString(file.getDataset(), DCM_SOPClassUID);
  if (out.sopInstance.empty()) out.sopInstance = dicomString(file.getDataset(), DCM_SOPInstanceUID);
  if (out.sopClass.empty() || out.sopInstance.empty())
    return core::makeError(core::ErrorCode::Corrupt,
                           path.string() + " has no SOP class or instance UID, so no PACS can store it");
  out.transferSyntax = DcmXfer(file.getDataset()->getOriginalXfer()).getXferID();
  return out;
}

}  // namespace

core::Result<StoreSummary> store(const PacsServer& server, const std::vector<std::filesystem::path>& files,
                                 const core::JobControl& job) {
  if (files.empty()) return core::makeError(core::ErrorCode::InvalidArgument, "no files to send");
  std::vector<Outgoing> outgoing;
  for (const auto& path : files) {
    auto item = inspect(path);
    if (!item) return item.error();
    outgoing.push_back(std::move(item).value());
  }
  // One context per SOP class, offering the files' own syntaxes first (no conversion needed)
  // and the uncompressed ones after (DCMTK converts when the server takes only those).
  std::map<std::string, std::set<std::string>> syntaxesByClass;
  for (const auto& o : outgoing) syntaxesByClass[o.sopClass].insert(o.transferSyntax);
  if (syntaxesByClass.size() > 127)
    return core::makeError(core::ErrorCode::InvalidArgument, "the files hold more than 127 SOP classes; send them in parts");

  DcmSCU scu;
  configure(scu, server);
  scu.setDatasetConversionMode(OFTrue);
  for (const auto& [sopClass, own] : syntaxesByClass) {
    OFList<OFString> syntaxes;
    for (const auto& s : own) syntaxes.push_back(s.c_str());
    for (const OFString& s : uncompressedSyntaxes())
      if (!own.count(s.c_str())) syntaxes.push_back(s);
    scu.addPresentationContext(sopClass.c_str(), syntaxes);
  }
  if (auto connected = connect(scu, server, "C-STORE"); !connected) return connected.error();
  AssociationGuard guard(scu);

  StoreSummary summary;
  for (std::size_t i = 0; i < outgoing.size(); ++i) {
    if (job.cancelled()) {
      guard.abort();
      return core::makeError(core::ErrorCode::Cancelled, "sending was cancelled after " + std::to_string(i) + " of " +
                                                             std::to_string(outgoing.size()) + " file(s)");
    }
    const Outgoing& o = outgoing[i];
    if (scu.findPresentationContextID(o.sopClass.c_str(), "") == 0)
      return core::makeError(core::ErrorCode::Io, "the PACS " + server.describe() + " does not store objects of SOP class " +
                                                      o.sopClass + " (" + o.path.string() + ")");
    Uint16 status = 0;
    const Clock::time_point askedAt = Clock::now();
    const OFCondition c = scu.sendSTORERequest(0, o.path.string().c_str(), nullptr, status);
    if (c.bad()) {
      guard.abort();
      return networkError(server, c,
                          "sending " + o.path.string() + " (" + std::to_string(i) + " of " +
                              std::to_string(outgoing.size()) + " file(s) stored before)",
                          askedAt);
    }
    if ((status & 0xF000) == 0xB000) summary.warnings.push_back(o.path.string() + ": status " + describeStatus(status));
    else if (status != 0x0000)
      return core::makeError(core::ErrorCode::Io, "the PACS " + server.describe() + " refused " + o.path.string() +
                                                      " with status " + describeStatus(status));
    summary.storedSopInstanceUids.push_back(o.sopInstance);
    job.report(core::JobProgress{"files", i + 1, outgoing.size(), -1, o.path.filename().string()});
  }
  return summary;
}

}  // namespace meridian::pacs
