#include "ProjectWatch.hpp"

#include <QPointer>
#include <QTimer>

#include "meridian/ui/CaseBrowser.hpp"

namespace meridian::ui {

ProjectWatch::ProjectWatch(CaseBrowser& cases, QObject* parent) : QObject(parent), cases_(cases) {
  connect(&cases, &CaseBrowser::projectChanged, this, [this] {
    watchStore();
    schedule();
  });
  connect(&cases, &CaseBrowser::openCaseRequested, this, &ProjectWatch::schedule);
  connect(&cases, &CaseBrowser::undoChanged, this, &ProjectWatch::schedule);
}

void ProjectWatch::watchStore() {
  project::ProjectStore* store = cases_.store();
  if (!store) return;
  // The listener stays with the store and goes with it (the case browser closes the project,
  // ending its jobs, before the window's panels are destroyed).
  QPointer<ProjectWatch> self(this);
  store->addChangeListener([self](const project::ProjectChange&) {
    if (self) QMetaObject::invokeMethod(self.data(), [self] { if (self) self->schedule(); }, Qt::QueuedConnection);
  });
}

void ProjectWatch::schedule() {
  if (pending_) return;
  pending_ = true;
  QTimer::singleShot(0, this, [this] {
    pending_ = false;
    Q_EMIT changed();
  });
}

}  // namespace meridian::ui
