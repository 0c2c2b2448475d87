#include "meridian/viewers/OverlayPanel2D.hpp"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

#include "meridian/core/AnnotationsGeoJson.hpp"
#include "meridian/viewers/ImageViewer2D.hpp"

namespace meridian::viewers {
namespace {

struct ToolEntry {
  Tool2D tool;
  const char* label;
  const char* tip;
};

const ToolEntry kTools[] = {
    {Tool2D::Navigate, "Navigate", "Left-drag pans, wheel zooms, right-drag sets window/level"},
    {Tool2D::Probe, "Probe", "Shows the value under the cursor"},
    {Tool2D::Distance, "Distance", "Drag from one end to the other (mm when the pixel spacing is known)"},
    {Tool2D::Angle, "Angle", "Drag the first arm to the vertex, then click the end of the second"},
    {Tool2D::RectangleRoi, "Rect ROI", "Drag a rectangle: mean, SD, min, max"},
    {Tool2D::EllipseRoi, "Ellipse ROI", "Drag an ellipse's bounding box: mean, SD, min, max"},
    {Tool2D::LabelPoint, "Point", "Click to add a point of the current class"},
    {Tool2D::LabelRectangle, "Rectangle", "Drag to add a rectangle of the current class"},
    {Tool2D::LabelPolygon, "Polygon", "Click the vertices; double-click or Enter closes, Escape drops"},
    {Tool2D::EditLabels, "Edit", "Drag a vertex or a shape; Delete removes the selected one"},
};

}  // namespace

OverlayPanel2D::OverlayPanel2D(ImageViewer2D* viewer, QWidget* parent) : QWidget(parent), viewer_(viewer) {
  auto* layout = new QVBoxLayout(this);

  auto* toolBox = new QGroupBox(tr("Tool"), this);
  auto* toolGrid = new QGridLayout(toolBox);
  tools_ = new QButtonGroup(this);
  tools_->setExclusive(true);
  int index = 0;
  for (const auto& entry : kTools) {
    auto* button = new QToolButton(toolBox);
    button->setText(tr(entry.label));
    button->setToolTip(tr(entry.tip));
    button->setCheckable(true);
    button->setObjectName(QStringLiteral("tool-%1").arg(static_cast<int>(entry.tool)));
    button->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    tools_->addButton(button, static_cast<int>(entry.tool));
    toolGrid->addWidget(button, index / 2, index % 2);
    ++index;
  }
  tools_->button(static_cast<int>(Tool2D::Navigate))->setChecked(true);
  connect(tools_, &QButtonGroup::idClicked, this, [this](int id) { viewer_->setTool(static_cast<Tool2D>(id)); });
  layout->addWidget(toolBox);

  heatmapBox_ = new QGroupBox(tr("Heatmap"), this);
  auto* form = new QFormLayout(heatmapBox_);
  auto* load = new QPushButton(tr("Load map…"), heatmapBox_);
  connect(load, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Load map"), QString(),
                                                      tr("Maps (*.nii *.nii.gz *.nrrd *.mha *.mhd);;All files (*)"));
    if (!file.isEmpty()) Q_EMIT loadMapRequested(file);
  });
  form->addRow(load);
  showHeatmap_ = new QCheckBox(tr("Show"), heatmapBox_);
  connect(showHeatmap_, &QCheckBox::toggled, viewer_, &ImageViewer2D::setHeatmapVisible);
  form->addRow(showHeatmap_);
  colorMap_ = new QComboBox(heatmapBox_);
  for (core::ColorMap m : {core::ColorMap::Jet, core::ColorMap::Viridis, core::ColorMap::Hot})
    colorMap_->addItem(QString::fromLatin1(core::toString(m)), static_cast<int>(m));
  connect(colorMap_, &QComboBox::currentIndexChanged, this,
          [this] { viewer_->setHeatmapColorMap(static_cast<core::ColorMap>(colorMap_->currentData().toInt())); });
  form->addRow(tr("Colours"), colorMap_);
  opacity_ = new QSlider(Qt::Horizontal, heatmapBox_);
  opacity_->setRange(0, 100);
  connect(opacity_, &QSlider::valueChanged, this, [this](int v) { viewer_->setHeatmapOpacity(v / 100.0); });
  form->addRow(tr("Opacity"), opacity_);
  useThreshold_ = new QCheckBox(tr("Hide below"), heatmapBox_);
  threshold_ = new QDoubleSpinBox(heatmapBox_);
  threshold_->setDecimals(4);
  connect(useThreshold_, &QCheckBox::toggled, this, &OverlayPanel2D::applyThreshold);
  connect(threshold_, &QDoubleSpinBox::valueChanged, this, &OverlayPanel2D::applyThreshold);
  form->addRow(useThreshold_, threshold_);
  layout->addWidget(heatmapBox_);

  auto* labelsBox = new QGroupBox(tr("Labels"), this);
  auto* labelsForm = new QFormLayout(labelsBox);
  labelClass_ = new QLineEdit(labelsBox);
  labelClass_->setPlaceholderText(tr("unclassified"));
  connect(labelClass_, &QLineEdit::textChanged, viewer_, &ImageViewer2D::setLabelClass);
  labelsForm->addRow(tr("Class"), labelClass_);
  auto* open = new QPushButton(tr("Open GeoJSON…"), labelsBox);
  auto* save = new QPushButton(tr("Save GeoJSON…"), labelsBox);
  connect(open, &QPushButton::clicked, this, &OverlayPanel2D::openAnnotations);
  connect(save, &QPushButton::clicked, this, &OverlayPanel2D::saveAnnotations);
  labelsForm->addRow(open);
  labelsForm->addRow(save);
  layout->addWidget(labelsBox);

  auto* clear = new QPushButton(tr("Clear measurements"), this);
  connect(clear, &QPushButton::clicked, viewer_, &ImageViewer2D::clearMeasurements);
  layout->addWidget(clear);
  auto* shot = new QPushButton(tr("Save view as PNG…"), this);
  connect(shot, &QPushButton::clicked, this, &OverlayPanel2D::saveView);
  layout->addWidget(shot);
  layout->addStretch(1);

  connect(viewer_, &ImageViewer2D::heatmapDropped, this, [this](const QString& reason) {
    syncHeatmap();
    Q_EMIT message(tr("Heatmap removed: %1").arg(reason));
  });
  syncHeatmap();
}

void OverlayPanel2D::selectTool(Tool2D tool) {
  tools_->button(static_cast<int>(tool))->setChecked(true);
  viewer_->setTool(tool);
}

void OverlayPanel2D::syncHeatmap() {
  const HeatmapLayer& layer = viewer_->heatmap();
  heatmapBox_->setEnabled(true);
  for (QWidget* w : std::initializer_list<QWidget*>{showHeatmap_, colorMap_, opacity_, useThreshold_, threshold_})
    w->setEnabled(layer.hasMap());
  const QSignalBlocker a(showHeatmap_), b(colorMap_), c(opacity_), d(useThreshold_), e(threshold_);
  showHeatmap_->setChecked(viewer_->heatmapVisible());
  colorMap_->setCurrentIndex(colorMap_->findData(static_cast<int>(layer.colorMap())));
  opacity_->setValue(static_cast<int>(std::lround(layer.opacity() * 100)));
  const auto range = layer.dataRange();
  threshold_->setRange(range[0], range[1]);
  threshold_->setSingleStep((range[1] - range[0]) / 100.0);
  useThreshold_->setChecked(layer.threshold().has_value());
  threshold_->setValue(layer.threshold().value_or((range[0] + range[1]) / 2));
}

void OverlayPanel2D::applyThreshold() {
  viewer_->setHeatmapThreshold(useThreshold_->isChecked() ? std::optional<double>(threshold_->value()) : std::nullopt);
}

void OverlayPanel2D::openAnnotations() {
  const QString file = QFileDialog::getOpenFileName(this, tr("Open annotations"), QString(),
                                                    tr("GeoJSON (*.geojson *.json);;All files (*)"));
  if (file.isEmpty()) return;
  auto set = core::loadGeoJson(file.toStdString());
  if (!set) {
    Q_EMIT message(QString::fromStdString(set.error().message));
    return;
  }
  const auto count = set.value().annotations.size();
  viewer_->setAnnotations(std::move(set).value());
  Q_EMIT message(tr("%1 annotations from %2").arg(count).arg(file));
}

void OverlayPanel2D::saveAnnotations() {
  const QString file = QFileDialog::getSaveFileName(this, tr("Save annotations"), QStringLiteral("annotations.geojson"),
                                                    tr("GeoJSON (*.geojson)"));
  if (file.isEmpty()) return;
  const auto status = core::saveGeoJson(viewer_->labels().annotations(), file.toStdString());
  Q_EMIT message(status ? tr("Saved %1").arg(file) : QString::fromStdString(status.error().message));
}

void OverlayPanel2D::saveView() {
  const QString file =
      QFileDialog::getSaveFileName(this, tr("Save view"), QStringLiteral("view.png"), tr("PNG (*.png)"));
  if (file.isEmpty()) return;
  Q_EMIT message(viewer_->saveScreenshot(file) ? tr("Saved %1").arg(file) : tr("Could not write %1").arg(file));
}

}  // namespace meridian::viewers
