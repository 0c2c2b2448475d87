#include "meridian/ui/CaseAnnotations.hpp"

#include <QEvent>
#include <QWidget>

#include "meridian/project/EditCommands.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/ViewerStack.hpp"
#include "meridian/viewers/OverlayTarget.hpp"
#include "meridian/viewers/MprPlaneView.hpp"
#include "meridian/viewers/ViewerHost.hpp"
#include "meridian/viewers/VolumeViewer.hpp"

namespace meridian::ui {

using viewers::ViewerKind;

CaseAnnotations::CaseAnnotations(CaseBrowser& cases, ViewerStack& viewers, QObject* parent)
    : QObject(parent), cases_(cases), viewers_(viewers) {
  connect(&viewers_, &ViewerStack::annotationsChanged, this, [this](ViewerKind from) {
    if (!caseId_ || showing_ || from != kind_) return;
    if (buttonDown_) {
      dirty_ = true;
      return;
    }
    save();
  });
  connect(&cases_, &CaseBrowser::undoChanged, this, [this] {
    if (caseId_ && !showing_) showStored();
  });
  connect(&cases_, &CaseBrowser::projectChanged, this, [this] { unbind(); });
  for (ViewerKind kind : {ViewerKind::Image2D, ViewerKind::Slide}) viewers_.host(kind).widget()->installEventFilter(this);
  // The volume viewer's mouse goes to its planes, each its own widget.
  for (viewers::Plane plane : viewers::kPlanes) viewers_.volumeViewer()->planeView(plane)->installEventFilter(this);
}

core::Status CaseAnnotations::bind(project::CaseId caseId) {
  unbind();
  viewers::OverlayTarget* target = viewers_.current().overlayTarget();
  const ViewerKind kind = viewers_.currentKind();
  if (!cases_.store() || !target || !target->supportsAnnotations()) return core::Ok{};
  caseId_ = caseId;
  kind_ = kind;
  showStored();
  return core::Ok{};
}

void CaseAnnotations::unbind() {
  caseId_.reset();
  buttonDown_ = dirty_ = false;
}

void CaseAnnotations::showStored() {
  project::ProjectStore* store = cases_.store();
  viewers::OverlayTarget* target = viewers_.host(kind_).overlayTarget();
  if (!store || !target) return;
  auto stored = store->annotations(*caseId_);
  if (!stored) {
    Q_EMIT statusMessage(QString::fromStdString(stored.error().message));
    return;
  }
  core::AnnotationSet shown = target->annotations();
  if (!project::makeAnnotationEdits(*caseId_, shown.annotations, stored.value())) return;  // already the same
  shown.annotations = std::move(stored).value();  // the class colours the viewer has stay
  showing_ = true;
  target->setAnnotations(std::move(shown));
  showing_ = false;
}

void CaseAnnotations::save() {
  dirty_ = false;
  project::ProjectStore* store = cases_.store();
  viewers::OverlayTarget* target = viewers_.host(kind_).overlayTarget();
  if (!caseId_ || !store || !target) return;
  auto stored = store->annotations(*caseId_);
  if (!stored) {
    Q_EMIT statusMessage(QString::fromStdString(stored.error().message));
    return;
  }
  auto edit = project::makeAnnotationEdits(*caseId_, stored.value(), target->annotations().annotations);
  if (!edit) return;
  const std::string what = edit->text();
  if (auto status = cases_.applyEdit(std::move(edit)); !status) {
    // Not saved (a read-only project, a full disk): say so, and show what is stored, so the
    // screen never shows a shape the project does not hold.
    Q_EMIT statusMessage(tr("Annotation not saved: %1").arg(QString::fromStdString(status.error().message)));
    showStored();
    return;
  }
  Q_EMIT statusMessage(tr("Saved: %1").arg(QString::fromStdString(what)));
}

bool CaseAnnotations::eventFilter(QObject* watched, QEvent* event) {
  switch (event->type()) {
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonDblClick:
      buttonDown_ = true;
      break;
    case QEvent::MouseButtonRelease:
      // The viewer handles the release after this filter (and may report the last change
      // then, saved at once as buttonDown_ is false); changes it reported during the drag are
      // saved here, after the viewer is done with the event.
      buttonDown_ = false;
      if (dirty_) QMetaObject::invokeMethod(this, [this] { if (dirty_ && !buttonDown_) save(); }, Qt::QueuedConnection);
      break;
    default: break;
  }
  return QObject::eventFilter(watched, event);
}

}  // namespace meridian::ui
