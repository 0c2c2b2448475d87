#pragma once
// Renaming an image-level label class as an undoable edit (EditCommands.hpp): every case
// labelled with the class follows (ProjectStore::renameClass); reverting renames it back.

#include <memory>
#include <string>

#include "meridian/project/EditCommands.hpp"

namespace meridian::project {

std::unique_ptr<EditCommand> makeRenameClass(std::string from, std::string to);

}  // namespace meridian::project
