#pragma once
// A CT study's per-slice curve (the top label's probability per axial slice, Qt Charts),
// linked to the slice in view: a click on the plot asks for that slice (sliceRequested), and
// a marker shows the slice in view. Which slice a click means is ModelResults'
// sliceAtCurvePosition (Qt-free, tested).

#include <QChartView>

#include <vector>

class QLineSeries;
class QValueAxis;

namespace meridian::ui {

class SliceCurveView : public QChartView {
  Q_OBJECT
 public:
  explicit SliceCurveView(QWidget* parent = nullptr);

  /// Shows `curve` (one value per slice) for `label`; an empty curve clears the plot.
  void setCurve(const std::vector<float>& curve, const QString& label);
  /// Moves the marker to slice `k` (no signal).
  void markSlice(int k);
  int slices() const { return static_cast<int>(curve_.size()); }
  int markedSlice() const { return marked_; }
  /// The slice a click at widget position `pos` means (-1 outside the plot or with no curve).
  int sliceAt(const QPointF& pos) const;

 Q_SIGNALS:
  void sliceRequested(int k);

 protected:
  void mousePressEvent(QMouseEvent* event) override;

 private:
  QLineSeries* series_ = nullptr;
  QLineSeries* marker_ = nullptr;
  QValueAxis* x_ = nullptr;
  QValueAxis* y_ = nullptr;
  std::vector<float> curve_;
  int marked_ = -1;
};

}  // namespace meridian::ui
