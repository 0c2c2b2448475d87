#pragma once
// A retrieve that leaves only complete downloads behind, shared by `meridian-cli pacs get|move
// --out`, retrieve into a project (PacsProject) and the window's PACS dialog.
//
// The objects arrive in a hidden folder beside where they are going (`<parent>/.incoming-<random>`,
// on the same file system, so the final move is a rename). Only when the server has sent
// everything it announced, with no failed sub-operation, may the caller move them in; any
// failure (refusal, lost connection, timeout, cancel, an object the server could not send)
// removes the folder, and so does a download that is never moved in.

#include <filesystem>
#include <string>

#include "meridian/core/JobControl.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/pacs/PacsClient.hpp"

namespace meridian::pacs {

/// A complete download waiting in its hidden folder. Move-only; removes the folder when it goes
/// out of scope unless moveTo succeeded.
class CompleteDownload {
 public:
  CompleteDownload(std::filesystem::path staging, RetrieveSummary summary);
  CompleteDownload(CompleteDownload&& other) noexcept;
  CompleteDownload& operator=(CompleteDownload&&) = delete;
  CompleteDownload(const CompleteDownload&) = delete;
  ~CompleteDownload();

  /// The objects (paths inside the hidden folder until moveTo, inside the target after).
  const RetrieveSummary& summary() const { return summary_; }

  /// Puts the objects at `target`: a rename of the folder when `target` does not exist, else
  /// each file renamed into the existing folder (an object of the same name, i.e. the same SOP
  /// instance, is replaced). On failure what was moved is moved back and nothing is left.
  core::Status moveTo(const std::filesystem::path& target);

 private:
  std::filesystem::path staging_;
  RetrieveSummary summary_;
};

/// Retrieves (C-GET, or C-MOVE when request.movePort > 0) into a fresh hidden folder inside
/// `parent` (created if missing) and returns it only when complete. A failure's message is the
/// retrieve's own, or says how many objects the server could not send.
core::Result<CompleteDownload> downloadComplete(const PacsServer& server, const RetrieveRequest& request,
                                                const std::filesystem::path& parent,
                                                const core::JobControl& job = core::JobControl());

}  // namespace meridian::pacs
