#pragma once
// Undo and redo for labels and annotations, Qt-free: each edit is a command that knows how
// to apply and revert itself against the store; the window binds Ctrl+Z / Ctrl+Shift+Z to
// UndoStack::undo()/redo() and shows undoText()/redoText() in its Edit menu.
//
// Contract:
// - push() applies the command (one committed transaction, like any store edit) and, when
//   that succeeds, puts it on the undo stack and clears the redo stack. A failed apply
//   leaves both stacks and the project as they were.
// - undo()/redo() revert/re-apply the top command, each one committed transaction that is
//   also written to the event log (the log keeps the edit and its undo). A failure leaves
//   the command where it was.
// - The stacks live in memory (a reopened project starts with empty stacks; what was
//   committed stays). Not thread-safe: one UndoStack per window, used from its thread.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Annotations.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::project {

class EditCommand {
 public:
  virtual ~EditCommand() = default;
  virtual core::Status apply(ProjectStore& store) = 0;
  virtual core::Status revert(ProjectStore& store) = 0;
  /// "Add label 'tumour' to case 3", for the Edit menu.
  virtual std::string text() const = 0;
};

/// Image-level labels: add or remove one class on one case. Reverting restores what the
/// case had before (adding a label it already had reverts to still having it).
std::unique_ptr<EditCommand> makeAddLabel(CaseId caseId, std::string className);
std::unique_ptr<EditCommand> makeRemoveLabel(CaseId caseId, std::string className);

/// Region annotations: add, replace (same id, new shape/class) or remove one annotation.
/// The command reads the annotation's previous state when applied, so revert restores it.
std::unique_ptr<EditCommand> makePutAnnotation(CaseId caseId, core::Annotation annotation);
std::unique_ptr<EditCommand> makeRemoveAnnotation(CaseId caseId, std::string annotationId);

/// The edit that turns a case's annotations `before` (as stored) into `after` (as the viewer
/// now shows them), matched by annotation id: a put for each new or changed one, a remove for
/// each that is gone; several changes make one command (one undo step). nullptr when the
/// two are the same.
std::unique_ptr<EditCommand> makeAnnotationEdits(CaseId caseId, const std::vector<core::Annotation>& before,
                                                 const std::vector<core::Annotation>& after);
/// True when two annotations are the same shape, points, class, name, plane and slice. Shapes
/// on a volume's plane compare by their patient points (within a micrometre), not their pixels.
bool sameAnnotation(const core::Annotation& a, const core::Annotation& b);

class UndoStack {
 public:
  explicit UndoStack(ProjectStore& store, std::size_t limit = 1000);

  core::Status push(std::unique_ptr<EditCommand> command);
  core::Status undo();  // NotFound-free: InvalidArgument when there is nothing to undo
  core::Status redo();

  bool canUndo() const { return !undo_.empty(); }
  bool canRedo() const { return !redo_.empty(); }
  std::string undoText() const;  // "" when nothing
  std::string redoText() const;
  void clear();

 private:
  ProjectStore& store_;
  std::size_t limit_;
  std::vector<std::unique_ptr<EditCommand>> undo_, redo_;
};

}  // namespace meridian::project
