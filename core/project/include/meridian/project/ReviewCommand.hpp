#pragma once
// A review decision as an undoable edit (EditCommands.hpp): applying records the decision
// (ProjectStore::addReview: reviewer, UTC time), reverting removes that decision again
// (ProjectStore::removeReview; the event log keeps both). Redo records it anew, at the time
// of the redo.
//
// A correction ("correct" with a class) also makes that class the case's image-level label:
// the case's labels become exactly {correction} (a correction says what the case is; the
// training task takes cases with one label), through the same store calls as the Labels
// panel's edits (label.add / label.remove in the event log, by the same actor). Reverting
// restores the labels the case had before. The window's Review panel and `meridian-cli
// project review` both apply this one command.

#include <memory>

#include "meridian/project/EditCommands.hpp"

namespace meridian::project {

std::unique_ptr<EditCommand> makeAddReview(ReviewDecision decision);

}  // namespace meridian::project
