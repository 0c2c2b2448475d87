#pragma once
// The region annotations of the case on screen, kept in the project: when a case opens,
// its stored shapes are put in the viewer; each shape the user draws, moves or deletes there
// becomes an edit command on the case browser's undo stack (project::makeAnnotationEdits
// diffs the viewer's shapes against the stored ones), committed at once, undone and redone
// with Ctrl+Z / Ctrl+Shift+Z like labels; after an undo or redo the viewer shows the stored
// shapes again.
//
// One drag is one edit: while a mouse button is held on the viewer the changes are only
// noted, and the shape is saved when the button is released.
//
// All three viewers report their shape edits (annotationsChanged). Shapes on a volume's
// axial, coronal or sagittal planes are kept with their plane, voxel slice and points in
// patient space (LPS, mm: core::Annotation::patientPoints, which the volume viewer fills and
// places back by), so they come back where they were when the case is opened again.

#include <QObject>

#include <optional>

#include "meridian/core/Result.hpp"
#include "meridian/project/ProjectRecords.hpp"
#include "meridian/viewers/ViewerKind.hpp"

class QEvent;

namespace meridian::ui {

class CaseBrowser;
class ViewerStack;

class CaseAnnotations : public QObject {
  Q_OBJECT
 public:
  CaseAnnotations(CaseBrowser& cases, ViewerStack& viewers, QObject* parent = nullptr);

  /// The case now on screen (in the viewer on screen): shows its stored shapes and keeps
  /// what is drawn from now on. A viewer that keeps no shapes binds nothing (ok).
  core::Status bind(project::CaseId caseId);
  /// Stops keeping shapes (the viewer's content is being replaced).
  void unbind();
  std::optional<project::CaseId> boundCase() const { return caseId_; }

 Q_SIGNALS:
  void statusMessage(QString text);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  /// Saves the difference between the viewer's shapes and the stored ones as one edit.
  void save();
  /// Puts the stored shapes in the viewer (after an undo or redo, or when binding).
  void showStored();

  CaseBrowser& cases_;
  ViewerStack& viewers_;
  std::optional<project::CaseId> caseId_;
  viewers::ViewerKind kind_ = viewers::ViewerKind::Image2D;
  bool showing_ = false;     // our own setAnnotations is under way: not a user edit
  bool buttonDown_ = false;  // a drag is under way: save when it ends
  bool dirty_ = false;       // shapes changed during the drag
};

}  // namespace meridian::ui
