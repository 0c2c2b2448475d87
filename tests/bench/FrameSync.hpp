#pragma once
// The end of a frame for the window benchmarks (bench_volume_viewer, bench_volume_open): its
// pixels are on the X server. glFinish on the widget's context, then a round trip to the server
// (it handles requests in order, so every image Qt or GL sent before is drawn).

#include <QGuiApplication>
#include <QOpenGLContext>
#include <QOpenGLFunctions>

#include <cstdlib>

#include <xcb/xcb.h>

#include "meridian/viewers/VtkRenderWidget.hpp"

namespace meridian::bench {

inline void syncX() {
  auto* x11 = qGuiApp->nativeInterface<QNativeInterface::QX11Application>();
  if (!x11) return;
  xcb_connection_t* connection = x11->connection();
  std::free(xcb_get_input_focus_reply(connection, xcb_get_input_focus(connection), nullptr));
}

/// A widget without a GL context yet (not shown) has nothing to finish.
inline void finishGl(viewers::VtkRenderWidget* widget) {
  if (!widget->context()) return;
  widget->makeCurrent();
  widget->context()->functions()->glFinish();
  widget->doneCurrent();
}

}  // namespace meridian::bench
