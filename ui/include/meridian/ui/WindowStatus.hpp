#pragma once
// The status bar: messages (one slot, statusMessage, for every part of the window), the
// readout of the viewer on screen (StatusReadout: never a volume's LPS readout over a
// slide), and on the right the compute device, the memory the process holds and the jobs
// running, refreshed every second.

#include <QObject>
#include <QString>

#include "meridian/ui/StatusReadout.hpp"

class QLabel;
class QStatusBar;
class QTimer;

namespace meridian::ui {

class WindowStatus : public QObject {
  Q_OBJECT
 public:
  /// Installs its labels in `bar` (owned by the window).
  WindowStatus(QStatusBar* bar, const QString& device);

  const StatusReadout& readout() const { return readout_; }
  QString readoutText() const;
  QString memoryText() const;
  QString jobsText() const;
  QString deviceText() const;

 public Q_SLOTS:
  void showStatusMessage(const QString& text);
  void updateReadout(meridian::viewers::ViewerKind from, const QString& text);
  void setCurrentViewer(meridian::viewers::ViewerKind kind);
  /// The content of a viewer was replaced: its old readout is dropped.
  void forgetReadout(meridian::viewers::ViewerKind kind);
  /// Jobs running and queued (the jobs panel reports them).
  void setJobs(int running, int queued);
  void refreshMemory();
  void setDevice(const QString& device);

 private:
  void showReadout();

  QStatusBar* bar_ = nullptr;
  QLabel* readoutLabel_ = nullptr;
  QLabel* deviceLabel_ = nullptr;
  QLabel* memoryLabel_ = nullptr;
  QLabel* jobsLabel_ = nullptr;
  QTimer* timer_ = nullptr;
  StatusReadout readout_;
};

}  // namespace meridian::ui
