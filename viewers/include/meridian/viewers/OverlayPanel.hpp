#pragma once
// The "Tools & overlays" side panel: the tool (navigate, probe, distance, angle, ROIs,
// label shapes, edit), the heatmap's look (shown, colour map, opacity, threshold), the
// label class, GeoJSON files and label maps, and screenshots of the view. It drives
// whichever viewer shows the open content through OverlayTarget (setTarget); tools the
// viewer does not offer are hidden. Reading map files is left to the owner
// (loadMapRequested, loadLabelMapRequested), which has the readers.

#include <QWidget>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QGroupBox;
class QLineEdit;
class QPushButton;
class QSlider;

namespace meridian::viewers {

class OverlayTarget;
enum class Tool2D;

class OverlayPanel : public QWidget {
  Q_OBJECT
 public:
  explicit OverlayPanel(OverlayTarget* target, QWidget* parent = nullptr);

  /// Points the controls at another viewer (nullptr: all disabled) and shows its state.
  void setTarget(OverlayTarget* target);
  OverlayTarget* target() const { return target_; }

  /// Re-reads the heatmap's state from the target (after a map was set or dropped).
  void syncHeatmap();
  void selectTool(Tool2D tool);

 Q_SIGNALS:
  /// The user picked a map file to overlay.
  void loadMapRequested(QString path);
  /// The user picked a label map (class index per pixel or voxel) to overlay.
  void loadLabelMapRequested(QString path);
  /// A result or a problem for the status bar.
  void statusMessage(QString text);

 private:
  void syncTools();
  void openAnnotations();
  void saveAnnotations();
  void saveView();
  void applyThreshold();

  OverlayTarget* target_ = nullptr;
  QButtonGroup* tools_ = nullptr;
  QGroupBox* toolBox_ = nullptr;
  QGridLayout* toolGrid_ = nullptr;
  QGroupBox* heatmapBox_ = nullptr;
  QCheckBox* showHeatmap_ = nullptr;
  QComboBox* colorMap_ = nullptr;
  QSlider* opacity_ = nullptr;
  QCheckBox* useThreshold_ = nullptr;
  QDoubleSpinBox* threshold_ = nullptr;
  QGroupBox* labelsBox_ = nullptr;
  QLineEdit* labelClass_ = nullptr;
  QPushButton* openAnnotations_ = nullptr;
  QPushButton* saveAnnotations_ = nullptr;
  QPushButton* loadLabelMap_ = nullptr;
  QSlider* labelMapOpacity_ = nullptr;
  QPushButton* clearMeasurements_ = nullptr;
  QPushButton* saveView_ = nullptr;
};

}  // namespace meridian::viewers
