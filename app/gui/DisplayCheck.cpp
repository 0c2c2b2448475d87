#include "DisplayCheck.hpp"

#include <xcb/xcb.h>

#include <cstdlib>

namespace meridian::app {
namespace {
std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}
}  // namespace

std::string whyNoDisplay() {
  const std::string platform = env("QT_QPA_PLATFORM");
  if (!platform.empty() && platform.rfind("xcb", 0) != 0) return {};  // offscreen, wayland, vnc...: Qt decides
  if (platform.empty() && !env("WAYLAND_DISPLAY").empty()) return {};
  const std::string display = env("DISPLAY");
  const std::string hint =
      " Start Meridian from a desktop session, or under a virtual display (xvfb-run meridian ...), or use the "
      "headless command line instead: meridian-cli demo.";
  if (display.empty()) return "no display: DISPLAY and WAYLAND_DISPLAY are not set." + hint;
  xcb_connection_t* connection = xcb_connect(display.c_str(), nullptr);
  const bool failed = xcb_connection_has_error(connection) != 0;
  xcb_disconnect(connection);
  if (failed) return "cannot connect to the X display '" + display + "'." + hint;
  return {};
}

}  // namespace meridian::app
