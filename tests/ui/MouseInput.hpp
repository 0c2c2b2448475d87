#pragma once
// Mouse and key input for GUI tests, delivered to a widget as Qt would deliver it (the
// project's test_ui does not link Qt6::Test). Shared by the 2D, slide and volume tests and
// the volume viewer benchmark.

#include <QApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QWidget>

namespace meridian::testsupport {

/// A mouse event at widget position `at`.
inline void sendMouse(QWidget* target, QEvent::Type type, QPointF at, Qt::MouseButton button,
                      Qt::MouseButtons buttons) {
  QMouseEvent event(type, at, target->mapToGlobal(at), button, buttons, Qt::NoModifier);
  QApplication::sendEvent(target, &event);
}

/// Press at `from`, `moves` evenly spaced moves ending at `to`, release there.
inline void drag(QWidget* target, QPointF from, QPointF to, Qt::MouseButton button = Qt::LeftButton,
                 int moves = 4) {
  sendMouse(target, QEvent::MouseButtonPress, from, button, button);
  for (int i = 1; i <= moves; ++i)
    sendMouse(target, QEvent::MouseMove, from + (to - from) * (double(i) / moves), Qt::NoButton, button);
  sendMouse(target, QEvent::MouseButtonRelease, to, button, Qt::NoButton);
}

inline void click(QWidget* target, QPointF at) {
  sendMouse(target, QEvent::MouseButtonPress, at, Qt::LeftButton, Qt::LeftButton);
  sendMouse(target, QEvent::MouseButtonRelease, at, Qt::LeftButton, Qt::NoButton);
}

/// What Qt sends for a double-click: press, release, double-click, release.
inline void doubleClick(QWidget* target, QPointF at) {
  click(target, at);
  sendMouse(target, QEvent::MouseButtonDblClick, at, Qt::LeftButton, Qt::LeftButton);
  sendMouse(target, QEvent::MouseButtonRelease, at, Qt::LeftButton, Qt::NoButton);
}

inline void pressKey(QWidget* target, int key) {
  QKeyEvent press(QEvent::KeyPress, key, Qt::NoModifier);
  QApplication::sendEvent(target, &press);
}

}  // namespace meridian::testsupport
