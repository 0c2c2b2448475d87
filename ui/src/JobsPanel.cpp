#include "meridian/ui/JobsPanel.hpp"

#include <QHeaderView>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTimer>

#include "meridian/ui/JobText.hpp"

namespace meridian::ui {

JobsPanel::JobsPanel(int workers, QWidget* parent)
    : QDockWidget(tr("Jobs"), parent), runner_(std::make_unique<core::JobRunner>(workers)) {
  setObjectName(QStringLiteral("jobsDock"));
  table_ = new QTableWidget(0, 4, this);
  table_->setObjectName(QStringLiteral("jobsTable"));
  table_->setHorizontalHeaderLabels({tr("Job"), tr("Progress"), tr("State"), QString()});
  table_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
  table_->verticalHeader()->setVisible(false);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  setWidget(table_);
  timer_ = new QTimer(this);
  connect(timer_, &QTimer::timeout, this, &JobsPanel::poll);
  timer_->start(100);
}

JobsPanel::~JobsPanel() {
  timer_->stop();
  runner_.reset();  // cancels what is queued or running and waits for the running jobs
}

core::JobId JobsPanel::submit(const QString& title, core::JobFunction work, Done done) {
  const core::JobId id = runner_->submit(title.toStdString(), std::move(work));
  if (done) done_[id] = std::move(done);
  poll();
  return id;
}

void JobsPanel::poll() {
  int running = 0, queued = 0;
  std::vector<core::JobStatus> finished;
  for (const core::JobStatus& job : runner_->jobs()) {
    running += job.state == core::JobState::Running;
    queued += job.state == core::JobState::Queued;
    auto row = rows_.find(job.id);
    if (row == rows_.end()) {
      const int r = table_->rowCount();
      table_->insertRow(r);
      row = rows_.emplace(job.id, r).first;
      table_->setItem(r, 0, new QTableWidgetItem(QString::fromStdString(job.title)));
      auto* bar = new QProgressBar(table_);
      bar->setRange(0, 100);
      table_->setCellWidget(r, 1, bar);
      table_->setItem(r, 2, new QTableWidgetItem);
      auto* cancel = new QPushButton(tr("Cancel"), table_);
      cancel->setObjectName(QStringLiteral("cancelJob%1").arg(job.id));
      const core::JobId id = job.id;
      connect(cancel, &QPushButton::clicked, this, [this, id] { runner_->cancel(id); });
      table_->setCellWidget(r, 3, cancel);
    }
    const int r = row->second;
    auto* bar = static_cast<QProgressBar*>(table_->cellWidget(r, 1));
    const int percent = progressPercent(job);
    if (percent < 0 && job.state == core::JobState::Running) {
      bar->setRange(0, 0);  // busy
    } else {
      bar->setRange(0, 100);
      bar->setValue(std::max(percent, 0));
    }
    table_->item(r, 2)->setText(QString::fromStdString(describeJob(job)));
    table_->cellWidget(r, 3)->setEnabled(!core::isFinished(job.state) && !job.cancelRequested);
    if (core::isFinished(job.state) && done_.count(job.id)) finished.push_back(job);
  }
  if (running != running_ || queued != queued_) {
    running_ = running;
    queued_ = queued;
    Q_EMIT activityChanged(running, queued);
  }
  for (const auto& job : finished) {
    Done done = std::move(done_[job.id]);
    done_.erase(job.id);
    if (job.state == core::JobState::Failed)
      Q_EMIT statusMessage(tr("%1 failed: %2").arg(QString::fromStdString(job.title),
                                                   QString::fromStdString(job.error ? job.error->message : "")));
    done(job);
  }
}

}  // namespace meridian::ui
