#pragma once
// C-MOVE (private to core/pacs): retrieve() calls it when the request names a port to receive on.

#include <filesystem>

#include "meridian/pacs/PacsClient.hpp"

namespace meridian::pacs::detail {

core::Result<RetrieveSummary> retrieveByMove(const PacsServer& server, const RetrieveRequest& request,
                                             const std::filesystem::path& folder, const core::JobControl& job);

}  // namespace meridian::pacs::detail
