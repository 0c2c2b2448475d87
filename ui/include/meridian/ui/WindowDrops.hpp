#pragma once
// Files and folders dropped anywhere on the window (the viewer, the panels that take no drop
// of their own): the drop is planned by the Qt-free DropRouting.hpp -- added to the open
// project as an import job, or the first item opened when no project is open.

#include <QObject>

#include <filesystem>
#include <functional>
#include <vector>

class QWidget;

namespace meridian::ui {

class WindowDrops : public QObject {
  Q_OBJECT
 public:
  /// Installs itself on `window` (which then accepts drops).
  explicit WindowDrops(QWidget* window);

 Q_SIGNALS:
  /// The local files and folders of a drop, in the order given.
  void dropped(std::vector<std::filesystem::path> paths);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;
};

}  // namespace meridian::ui
