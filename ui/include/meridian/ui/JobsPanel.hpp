#pragma once
// The "Jobs" dock: a view of the one job runner (core::JobRunner). Every long action --
// import, thumbnails, later inference, training, export -- is submitted here and runs on
// the runner's worker threads, never on the UI thread; the panel polls the runner's
// snapshots (cheap, thread-safe) and shows each job with a progress bar, its stage, the
// time left and a Cancel button. Several jobs queue. No nested event loop: a caller that
// wants the result gets a callback on the UI thread when the job ends.

#include <QDockWidget>

#include <functional>
#include <map>
#include <memory>

#include "meridian/core/JobRunner.hpp"

class QTableWidget;
class QTimer;

namespace meridian::ui {

class JobsPanel : public QDockWidget {
  Q_OBJECT
 public:
  using Done = std::function<void(const core::JobStatus&)>;

  /// `workers` jobs run at once; the rest wait.
  explicit JobsPanel(int workers = 2, QWidget* parent = nullptr);
  ~JobsPanel() override;

  /// Queues `work`; `done` (optional) runs on the UI thread when it has ended (succeeded,
  /// failed or cancelled).
  core::JobId submit(const QString& title, core::JobFunction work, Done done = {});
  void cancel(core::JobId id) { runner_->cancel(id); }
  core::JobRunner& runner() { return *runner_; }
  QTableWidget* table() const { return table_; }
  int running() const { return running_; }
  int queued() const { return queued_; }

  /// Polls the runner now (the timer does it every 100 ms).
  void poll();

 Q_SIGNALS:
  /// Counts changed (for the status bar).
  void activityChanged(int running, int queued);
  void statusMessage(QString text);

 private:
  std::unique_ptr<core::JobRunner> runner_;
  QTableWidget* table_ = nullptr;
  QTimer* timer_ = nullptr;
  std::map<core::JobId, Done> done_;
  std::map<core::JobId, int> rows_;
  int running_ = 0, queued_ = 0;
};

}  // namespace meridian::ui
