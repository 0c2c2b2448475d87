#pragma once
// The keys every view with a ToolController2D shares (2D images, slides, MPR planes):
// Delete or Backspace removes the selected label shape (else the newest measurement),
// Escape drops the shape being drawn, Enter or Return closes the polygon being drawn.
// Private to meridian_viewers.

#include <Qt>

#include <optional>

#include "meridian/viewers/ToolController2D.hpp"

namespace meridian::viewers {

/// Applies `key` to `tools`: nullopt when it is not a tool key (the view handles it), else
/// whether something changed.
inline std::optional<bool> applyToolKey(ToolController2D& tools, int key) {
  switch (key) {
    case Qt::Key_Delete:
    case Qt::Key_Backspace:
      return tools.deleteSelected();
    case Qt::Key_Escape:
      return tools.cancel();
    case Qt::Key_Return:
    case Qt::Key_Enter:
      return tools.finish();
    default:
      return std::nullopt;
  }
}

inline bool isToolKey(int key) {
  return key == Qt::Key_Delete || key == Qt::Key_Backspace || key == Qt::Key_Escape || key == Qt::Key_Return ||
         key == Qt::Key_Enter;
}

}  // namespace meridian::viewers
