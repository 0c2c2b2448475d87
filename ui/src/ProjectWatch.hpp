#pragma once
// Tells a panel when what it shows of the case browser's project may have changed: another
// project was opened, the current case changed, an edit or undo happened, or the store
// reported a change (ProjectStore change listeners run on the thread that wrote, e.g. a model
// job's worker: the report is passed to the UI thread). Bursts become one changed() signal.

#include <QObject>

namespace meridian::ui {

class CaseBrowser;

class ProjectWatch : public QObject {
  Q_OBJECT
 public:
  ProjectWatch(CaseBrowser& cases, QObject* parent);

 Q_SIGNALS:
  void changed();

 private:
  void schedule();
  void watchStore();
  CaseBrowser& cases_;
  bool pending_ = false;
};

}  // namespace meridian::ui
