#include "meridian/ui/WindowStatus.hpp"

#include <QLabel>
#include <QStatusBar>
#include <QTimer>

#include "meridian/ui/ProcessMemory.hpp"

namespace meridian::ui {

WindowStatus::WindowStatus(QStatusBar* bar, const QString& device) : QObject(bar), bar_(bar) {
  readoutLabel_ = new QLabel(bar);
  readoutLabel_->setObjectName(QStringLiteral("readoutLabel"));
  readoutLabel_->setMinimumWidth(
      readoutLabel_->fontMetrics().horizontalAdvance(QStringLiteral("(00000, 00000)  -0000.00, -0000.00, -0000.00")));
  deviceLabel_ = new QLabel(device, bar);
  deviceLabel_->setObjectName(QStringLiteral("deviceLabel"));
  memoryLabel_ = new QLabel(bar);
  memoryLabel_->setObjectName(QStringLiteral("memoryLabel"));
  jobsLabel_ = new QLabel(bar);
  jobsLabel_->setObjectName(QStringLiteral("jobsLabel"));
  bar->addPermanentWidget(readoutLabel_);
  bar->addPermanentWidget(deviceLabel_);
  bar->addPermanentWidget(memoryLabel_);
  bar->addPermanentWidget(jobsLabel_);
  setJobs(0, 0);
  refreshMemory();
  timer_ = new QTimer(this);
  connect(timer_, &QTimer::timeout, this, &WindowStatus::refreshMemory);
  timer_->start(1000);
}

QString WindowStatus::readoutText() const { return readoutLabel_->text(); }
QString WindowStatus::memoryText() const { return memoryLabel_->text(); }
QString WindowStatus::jobsText() const { return jobsLabel_->text(); }
QString WindowStatus::deviceText() const { return deviceLabel_->text(); }
void WindowStatus::setDevice(const QString& device) { deviceLabel_->setText(device); }

void WindowStatus::showStatusMessage(const QString& text) { bar_->showMessage(text); }

void WindowStatus::updateReadout(viewers::ViewerKind from, const QString& text) {
  readout_.update(from, text.toStdString());
  showReadout();
}

void WindowStatus::setCurrentViewer(viewers::ViewerKind kind) {
  readout_.setCurrent(kind);
  showReadout();
}

void WindowStatus::forgetReadout(viewers::ViewerKind kind) {
  readout_.forget(kind);
  showReadout();
}

void WindowStatus::setJobs(int running, int queued) {
  jobsLabel_->setText(queued > 0 ? tr("Jobs: %1 running, %2 queued").arg(running).arg(queued)
                                 : tr("Jobs: %1 running").arg(running));
}

void WindowStatus::refreshMemory() {
  memoryLabel_->setText(tr("Memory %1").arg(QString::fromStdString(formatBytes(residentBytes()))));
}

void WindowStatus::showReadout() { readoutLabel_->setText(QString::fromStdString(readout_.text())); }

}  // namespace meridian::ui
