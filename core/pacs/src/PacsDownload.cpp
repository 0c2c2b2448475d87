#include "meridian/pacs/PacsDownload.hpp"

#include <system_error>
#include <utility>
#include <vector>

#include "PacsAssociation.hpp"

namespace meridian::pacs {

namespace fs = std::filesystem;
using core::ErrorCode;
using core::makeError;

namespace {

void discard(const fs::path& folder) {
  std::error_code ec;
  if (!folder.empty()) fs::remove_all(folder, ec);
}

}  // namespace

CompleteDownload::CompleteDownload(fs::path staging, RetrieveSummary summary)
    : staging_(std::move(staging)), summary_(std::move(summary)) {}

CompleteDownload::CompleteDownload(CompleteDownload&& other) noexcept
    : staging_(std::move(other.staging_)), summary_(std::move(other.summary_)) {
  other.staging_.clear();
}

CompleteDownload::~CompleteDownload() {
  discard(staging_);
}

core::Status CompleteDownload::moveTo(const fs::path& target) {
  if (staging_.empty()) return makeError(ErrorCode::InvalidArgument, "the download was already moved");
  std::error_code ec;
  if (!fs::exists(target, ec)) {
    fs::rename(staging_, target, ec);
    if (ec)
      return makeError(ErrorCode::Io, "cannot move the retrieved files to " + target.string() + ": " + ec.message());
    for (auto& f : summary_.files) f = target / f.filename();
    staging_.clear();
    return core::Ok{};
  }
  if (!fs::is_directory(target, ec))
    return makeError(ErrorCode::InvalidArgument, target.string() + " exists and is not a folder");
  // Into a folder that already holds files: one rename per object, undone if one fails, so the
  // folder gets all of them or none.
  std::vector<std::pair<fs::path, fs::path>> moved;
  for (const auto& from : summary_.files) {
    const fs::path to = target / from.filename();
    fs::rename(from, to, ec);
    if (ec) {
      const std::string why = ec.message();
      for (auto it = moved.rbegin(); it != moved.rend(); ++it) {
        std::error_code ignored;
        fs::rename(it->second, it->first, ignored);
      }
      return makeError(ErrorCode::Io,
                       "cannot move " + from.filename().string() + " into " + target.string() + ": " + why);
    }
    moved.emplace_back(from, to);
  }
  for (auto& f : summary_.files) f = target / f.filename();
  discard(staging_);
  staging_.clear();
  return core::Ok{};
}

core::Result<CompleteDownload> downloadComplete(const PacsServer& server, const RetrieveRequest& request,
                                                const fs::path& parent, const core::JobControl& job) {
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) return makeError(ErrorCode::Io, "cannot create " + parent.string() + ": " + ec.message());
  const fs::path staging = parent / (".incoming-" + detail::randomSuffix());
  auto received = retrieve(server, request, staging, job);
  if (!received) {
    discard(staging);
    return received.error();
  }
  // Owned from here: every return below removes the folder unless the caller moves it in.
  CompleteDownload download(staging, std::move(received).value());
  const RetrieveSummary& got = download.summary();
  if (got.failedSubOperations > 0)
    return makeError(ErrorCode::Io, "the PACS " + server.describe() + " could not send " +
                                        std::to_string(got.failedSubOperations) + " object(s) (" +
                                        std::to_string(got.files.size()) + " arrived)");
  return download;
}

}  // namespace meridian::pacs
