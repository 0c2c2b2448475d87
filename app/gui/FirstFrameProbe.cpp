#include "FirstFrameProbe.hpp"

#include <QEvent>
#include <QTimer>

#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace meridian::app {

double secondsSinceProcessStart() {
  // Field 22 of /proc/self/stat: start time in clock ticks after boot, on CLOCK_BOOTTIME's scale.
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return -1.0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
  }
  const double started = std::stod(field) / static_cast<double>(sysconf(_SC_CLK_TCK));
  timespec now{};
  clock_gettime(CLOCK_BOOTTIME, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9 - started;
}

bool FirstFrameProbe::wanted() {
  const char* v = std::getenv("MERIDIAN_FIRST_FRAME");
  return v && *v && std::string(v) != "0";
}

FirstFrameProbe::FirstFrameProbe(QWidget* viewer) : QObject(viewer) { viewer->installEventFilter(this); }

bool FirstFrameProbe::eventFilter(QObject*, QEvent* event) {
  // The filter sees the paint before the widget does: the frame is done when control is back
  // in the event loop (the backing store is flushed to the screen in the same pass).
  if (event->type() == QEvent::Paint && !painting_ && !seconds_) {
    painting_ = true;
    QTimer::singleShot(0, this, [this] { seconds_ = secondsSinceProcessStart(); });
  }
  return false;
}

}  // namespace meridian::app
