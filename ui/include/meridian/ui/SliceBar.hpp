#pragma once
// The "Slice" tool bar: a slider over the frames of a colour frame stack (cine loop) that
// the 2D viewer shows one at a time. Hidden for everything else (volumes have their own
// planes and scroll in the volume viewer).

#include <QToolBar>

class QLabel;
class QSlider;

namespace meridian::ui {

class SliceBar : public QToolBar {
  Q_OBJECT
 public:
  explicit SliceBar(QWidget* parent = nullptr);
  /// Shows the bar over `count` frames at frame `current`, without emitting sliceRequested.
  void setFrames(int count, int current);
  /// Follows a frame change made elsewhere (Ctrl+wheel in the viewer), without emitting.
  void follow(int frame, int count);
  int value() const;

 Q_SIGNALS:
  void sliceRequested(int frame);

 private:
  QSlider* slider_ = nullptr;
  QLabel* label_ = nullptr;
};

}  // namespace meridian::ui
