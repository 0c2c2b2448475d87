#pragma once
// The 2D viewer's side panel: the tool (navigate, probe, distance, angle, ROIs, label
// shapes, edit), the heatmap's look (shown, colour map, opacity, threshold), the label
// class and GeoJSON files, and screenshots of the view. It drives an ImageViewer2D through
// its public calls; reading a map file is left to the owner (loadMapRequested), which has
// the readers.

#include <QWidget>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSlider;
class QGroupBox;

namespace meridian::viewers {

class ImageViewer2D;
enum class Tool2D;

class OverlayPanel2D : public QWidget {
  Q_OBJECT
 public:
  OverlayPanel2D(ImageViewer2D* viewer, QWidget* parent = nullptr);

  /// Re-reads the heatmap's state from the viewer (after a map was set or dropped).
  void syncHeatmap();
  void selectTool(Tool2D tool);

 Q_SIGNALS:
  /// The user picked a map file to overlay.
  void loadMapRequested(QString path);
  /// A result or a problem for the status bar.
  void message(QString text);

 private:
  void openAnnotations();
  void saveAnnotations();
  void saveView();
  void applyThreshold();

  ImageViewer2D* viewer_;
  QButtonGroup* tools_ = nullptr;
  QGroupBox* heatmapBox_ = nullptr;
  QCheckBox* showHeatmap_ = nullptr;
  QComboBox* colorMap_ = nullptr;
  QSlider* opacity_ = nullptr;
  QCheckBox* useThreshold_ = nullptr;
  QDoubleSpinBox* threshold_ = nullptr;
  QLineEdit* labelClass_ = nullptr;
};

}  // namespace meridian::viewers
