#include "meridian/ui/FilesPanel.hpp"

#include <QApplication>
#include <QListWidget>
#include <QStyle>

namespace meridian::ui {

FilesPanel::FilesPanel(QWidget* parent) : QDockWidget(tr("Files"), parent) {
  setObjectName(QStringLiteral("filesDock"));
  list_ = new QListWidget(this);
  list_->setObjectName(QStringLiteral("fileList"));
  setWidget(list_);
  // itemActivated: double-click, and Enter/Return on the current item; itemClicked: one click.
  connect(list_, &QListWidget::itemActivated, this, &FilesPanel::request);
  connect(list_, &QListWidget::itemClicked, this, &FilesPanel::request);
}

void FilesPanel::setListing(FolderListing listing) {
  listing_ = std::move(listing);
  openRow_ = -1;
  list_->clear();
  const QIcon warningIcon = QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
  for (const auto& entry : listing_.entries) {
    auto* item = new QListWidgetItem(QString::fromStdString(entry.label), list_);
    QString tip = QString::fromStdString(entry.tooltip);
    if (!entry.warning.empty()) {
      item->setIcon(warningIcon);
      item->setForeground(QColor(176, 96, 0));
      tip = QStringLiteral("⚠ %1\n%2").arg(QString::fromStdString(entry.warning), tip);
    }
    item->setToolTip(tip);
  }
}

void FilesPanel::markOpen(int row) {
  openRow_ = row;
  list_->setCurrentRow(row);
}

void FilesPanel::request(QListWidgetItem* item) {
  const int row = list_->row(item);
  if (row < 0 || row == openRow_) return;
  Q_EMIT openRequested(row);
}

}  // namespace meridian::ui
