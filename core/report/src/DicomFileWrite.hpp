#pragma once
// Saving a DCMTK file the way Meridian writes every file users keep: into a temporary file
// beside the target, flushed to disk, then renamed over it.

#include <dcmtk/dcmdata/dcfilefo.h>

#include <filesystem>

#include "meridian/core/Result.hpp"

namespace meridian::report::detail {

/// Writes `file` with a new meta header (built from the dataset) in `xfer` to `target`.
core::Status saveDicomAtomically(DcmFileFormat& file, const std::filesystem::path& target, E_TransferSyntax xfer);

}  // namespace meridian::report::detail
