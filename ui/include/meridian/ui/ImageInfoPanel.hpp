#pragma once
// The "Image" dock: a two-column table of what the open content is (ImageInfo.hpp's rows).

#include <QDockWidget>

#include "meridian/ui/ImageInfo.hpp"

class QTreeWidget;

namespace meridian::ui {

class ImageInfoPanel : public QDockWidget {
  Q_OBJECT
 public:
  explicit ImageInfoPanel(QWidget* parent = nullptr);
  void showRows(const InfoRows& rows);
  QTreeWidget* table() const { return table_; }

 private:
  QTreeWidget* table_ = nullptr;
};

}  // namespace meridian::ui
