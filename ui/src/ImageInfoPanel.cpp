#include "meridian/ui/ImageInfoPanel.hpp"

#include <QHeaderView>
#include <QTreeWidget>

namespace meridian::ui {

ImageInfoPanel::ImageInfoPanel(QWidget* parent) : QDockWidget(tr("Image"), parent) {
  setObjectName(QStringLiteral("imageInfoDock"));
  table_ = new QTreeWidget(this);
  table_->setColumnCount(2);
  table_->setHeaderLabels({tr("Property"), tr("Value")});
  table_->setRootIsDecorated(false);
  table_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  setWidget(table_);
}

void ImageInfoPanel::showRows(const InfoRows& rows) {
  table_->clear();
  for (const auto& [key, value] : rows) {
    const QString v = QString::fromStdString(value);
    auto* item = new QTreeWidgetItem({QString::fromStdString(key), v});
    item->setToolTip(1, v);  // long values (warnings, UIDs) are cut by the column
    table_->addTopLevelItem(item);
  }
}

}  // namespace meridian::ui
