#pragma once
// The "Files" dock: what a folder holds (FolderListing: files, DICOM series, files that
// failed to join a series, with a warning sign). An entry opens on a single click, on
// Enter and on a double-click; the entry already open is not read again.

#include <QDockWidget>

#include "meridian/ui/FolderListing.hpp"

class QListWidget;
class QListWidgetItem;

namespace meridian::ui {

class FilesPanel : public QDockWidget {
  Q_OBJECT
 public:
  explicit FilesPanel(QWidget* parent = nullptr);

  /// Replaces the list (nothing is opened).
  void setListing(FolderListing listing);
  const FolderListing& listing() const { return listing_; }
  QListWidget* list() const { return list_; }
  /// Marks `row` as the open entry (selected; not opened again when clicked).
  void markOpen(int row);
  int openRow() const { return openRow_; }

 Q_SIGNALS:
  /// The user asked to open entry `row` of listing().entries.
  void openRequested(int row);

 private:
  void request(QListWidgetItem* item);

  QListWidget* list_ = nullptr;
  FolderListing listing_;
  int openRow_ = -1;
};

}  // namespace meridian::ui
