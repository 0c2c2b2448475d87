#include "meridian/ui/WindowDrops.hpp"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QUrl>
#include <QWidget>

namespace meridian::ui {
namespace {
std::vector<std::filesystem::path> localPaths(const QMimeData* data) {
  std::vector<std::filesystem::path> paths;
  if (!data || !data->hasUrls()) return paths;
  for (const QUrl& url : data->urls())
    if (url.isLocalFile()) paths.emplace_back(url.toLocalFile().toStdString());
  return paths;
}
}  // namespace

WindowDrops::WindowDrops(QWidget* window) : QObject(window) {
  window->setAcceptDrops(true);
  window->installEventFilter(this);
}

bool WindowDrops::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::DragEnter || event->type() == QEvent::DragMove) {
    auto* drag = static_cast<QDragMoveEvent*>(event);
    if (localPaths(drag->mimeData()).empty()) return false;
    drag->acceptProposedAction();
    return true;
  }
  if (event->type() == QEvent::Drop) {
    auto* drop = static_cast<QDropEvent*>(event);
    auto paths = localPaths(drop->mimeData());
    if (paths.empty()) return false;
    drop->acceptProposedAction();
    Q_EMIT dropped(std::move(paths));
    return true;
  }
  return QObject::eventFilter(watched, event);
}

}  // namespace meridian::ui
