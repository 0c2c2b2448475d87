#pragma once
// The window's first frame with an image (issue 16: goal < 0.5 s), measured from the process's
// start as the kernel records it (so loading the shared libraries counts) to the end of the
// viewer's first paint after the image is open. `MERIDIAN_FIRST_FRAME=1 meridian --open IMAGE
// --screenshot OUT.png` prints it; tests/bench/startup_bench.py reads it.

#include <QObject>
#include <QWidget>

#include <optional>

namespace meridian::app {

class FirstFrameProbe : public QObject {
 public:
  /// Watches `viewer`, the widget on screen once the image is open.
  explicit FirstFrameProbe(QWidget* viewer);

  /// Seconds from the process's start to the end of the first paint; nullopt until then.
  std::optional<double> seconds() const { return seconds_; }

  /// Whether MERIDIAN_FIRST_FRAME asks for the measurement.
  static bool wanted();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  bool painting_ = false;
  std::optional<double> seconds_;
};

/// Seconds since this process started (the kernel's start time; 10 ms resolution).
double secondsSinceProcessStart();

}  // namespace meridian::app
