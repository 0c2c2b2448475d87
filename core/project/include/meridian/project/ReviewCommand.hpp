#pragma once
// A review decision as an undoable edit (EditCommands.hpp): applying records the decision
// (ProjectStore::addReview: reviewer, UTC time), reverting removes that decision again
// (ProjectStore::removeReview; the event log keeps both). Redo records it anew, at the time
// of the redo.

#include <memory>

#include "meridian/project/EditCommands.hpp"

namespace meridian::project {

std::unique_ptr<EditCommand> makeAddReview(ReviewDecision decision);

}  // namespace meridian::project
