#include "meridian/viewers/OverlayPanel.hpp"

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
#include "meridian/viewers/OverlayTarget.hpp"

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

OverlayPanel::OverlayPanel(OverlayTarget* target, QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);

  toolBox_ = new QGroupBox(tr("Tool"), this);
  toolGrid_ = new QGridLayout(toolBox_);
  tools_ = new QButtonGroup(this);
  tools_->setExclusive(true);
  int index = 0;
  for (const auto& entry : kTools) {
    auto* button = new QToolButton(toolBox_);
    button->setText(tr(entry.label));
    button->setToolTip(tr(entry.tip));
    button->setCheckable(true);
    button->setObjectName(QStringLiteral("tool-%1").arg(static_cast<int>(entry.tool)));
    button->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    tools_->addButton(button, static_cast<int>(entry.tool));
    toolGrid_->addWidget(button, index / 2, index % 2);
    ++index;
  }
  connect(tools_, &QButtonGroup::idClicked, this, [this](int id) {
    if (target_) target_->setTool(static_cast<Tool2D>(id));
  });
  layout->addWidget(toolBox_);

  heatmapBox_ = new QGroupBox(tr("Heatmap"), this);
  auto* form = new QFormLayout(heatmapBox_);
  auto* load = new QPushButton(tr("Load map…"), heatmapBox_);
  load->setObjectName(QStringLiteral("loadHeatmap"));
  connect(load, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Load map"), QString(),
                                                      tr("Maps (*.nii *.nii.gz *.nrrd *.mha *.mhd);;All files (*)"));
    if (!file.isEmpty()) Q_EMIT loadMapRequested(file);
  });
  form->addRow(load);
  showHeatmap_ = new QCheckBox(tr("Show"), heatmapBox_);
  showHeatmap_->setObjectName(QStringLiteral("heatmapShow"));
  connect(showHeatmap_, &QCheckBox::toggled, this, [this](bool on) {
    if (target_) target_->setHeatmapVisible(on);
  });
  form->addRow(showHeatmap_);
  colorMap_ = new QComboBox(heatmapBox_);
  colorMap_->setObjectName(QStringLiteral("heatmapColorMap"));
  for (core::ColorMap m : {core::ColorMap::Jet, core::ColorMap::Viridis, core::ColorMap::Hot})
    colorMap_->addItem(QString::fromLatin1(core::toString(m)), static_cast<int>(m));
  connect(colorMap_, &QComboBox::currentIndexChanged, this, [this] {
    if (target_) target_->setHeatmapColorMap(static_cast<core::ColorMap>(colorMap_->currentData().toInt()));
  });
  form->addRow(tr("Colours"), colorMap_);
  opacity_ = new QSlider(Qt::Horizontal, heatmapBox_);
  opacity_->setObjectName(QStringLiteral("heatmapOpacity"));
  opacity_->setRange(0, 100);
  connect(opacity_, &QSlider::valueChanged, this, [this](int v) {
    if (target_) target_->setHeatmapOpacity(v / 100.0);
  });
  form->addRow(tr("Opacity"), opacity_);
  useThreshold_ = new QCheckBox(tr("Hide below"), heatmapBox_);
  useThreshold_->setObjectName(QStringLiteral("heatmapUseThreshold"));
  threshold_ = new QDoubleSpinBox(heatmapBox_);
  threshold_->setObjectName(QStringLiteral("heatmapThreshold"));
  threshold_->setDecimals(4);
  connect(useThreshold_, &QCheckBox::toggled, this, &OverlayPanel::applyThreshold);
  connect(threshold_, &QDoubleSpinBox::valueChanged, this, &OverlayPanel::applyThreshold);
  form->addRow(useThreshold_, threshold_);
  layout->addWidget(heatmapBox_);

  labelsBox_ = new QGroupBox(tr("Labels"), this);
  auto* labelsForm = new QFormLayout(labelsBox_);
  labelClass_ = new QLineEdit(labelsBox_);
  labelClass_->setObjectName(QStringLiteral("labelClass"));
  labelClass_->setPlaceholderText(tr("unclassified"));
  connect(labelClass_, &QLineEdit::textChanged, this, [this](const QString& name) {
    if (target_) target_->setLabelClass(name);
  });
  labelsForm->addRow(tr("Class"), labelClass_);
  openAnnotations_ = new QPushButton(tr("Open GeoJSON…"), labelsBox_);
  saveAnnotations_ = new QPushButton(tr("Save GeoJSON…"), labelsBox_);
  connect(openAnnotations_, &QPushButton::clicked, this, &OverlayPanel::openAnnotations);
  connect(saveAnnotations_, &QPushButton::clicked, this, &OverlayPanel::saveAnnotations);
  labelsForm->addRow(openAnnotations_);
  labelsForm->addRow(saveAnnotations_);
  loadLabelMap_ = new QPushButton(tr("Load label map…"), labelsBox_);
  loadLabelMap_->setObjectName(QStringLiteral("loadLabelMap"));
  loadLabelMap_->setToolTip(tr("A segmentation: one class index per pixel or voxel (0 = none), the size of the image"));
  connect(loadLabelMap_, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Load label map"), QString(),
        tr("Label maps (*.nii *.nii.gz *.nrrd *.mha *.mhd *.png *.tif *.tiff);;All files (*)"));
    if (!file.isEmpty()) Q_EMIT loadLabelMapRequested(file);
  });
  labelsForm->addRow(loadLabelMap_);
  labelMapOpacity_ = new QSlider(Qt::Horizontal, labelsBox_);
  labelMapOpacity_->setObjectName(QStringLiteral("labelMapOpacity"));
  labelMapOpacity_->setRange(0, 100);
  connect(labelMapOpacity_, &QSlider::valueChanged, this, [this](int v) {
    if (target_) target_->setLabelMapOpacity(v / 100.0);
  });
  labelsForm->addRow(tr("Label map opacity"), labelMapOpacity_);
  layout->addWidget(labelsBox_);

  clearMeasurements_ = new QPushButton(tr("Clear measurements"), this);
  connect(clearMeasurements_, &QPushButton::clicked, this, [this] {
    if (target_) target_->clearMeasurements();
  });
  layout->addWidget(clearMeasurements_);
  saveView_ = new QPushButton(tr("Save view as PNG…"), this);
  connect(saveView_, &QPushButton::clicked, this, &OverlayPanel::saveView);
  layout->addWidget(saveView_);
  layout->addStretch(1);

  setTarget(target);
}

void OverlayPanel::setTarget(OverlayTarget* target) {
  target_ = target;
  syncTools();
  syncHeatmap();
  if (target_) target_->setLabelClass(labelClass_->text());
}

void OverlayPanel::syncTools() {
  // Only the target's tools, packed two per row in the order of kTools.
  int shown = 0;
  for (const auto& entry : kTools) {
    QAbstractButton* button = tools_->button(static_cast<int>(entry.tool));
    const bool offered = target_ && target_->supportsTool(entry.tool);
    toolGrid_->removeWidget(button);
    button->setVisible(offered);
    if (offered) {
      toolGrid_->addWidget(button, shown / 2, shown % 2);
      ++shown;
    }
  }
  toolBox_->setVisible(shown > 0);
  if (target_) {
    const QSignalBlocker block(tools_);
    if (QAbstractButton* current = tools_->button(static_cast<int>(target_->tool()))) current->setChecked(true);
  }
  const bool labels = target_ && target_->supportsAnnotations();
  for (QWidget* w : std::initializer_list<QWidget*>{labelClass_, openAnnotations_, saveAnnotations_})
    w->setEnabled(labels);
  const bool labelMaps = target_ && target_->supportsLabelMaps();
  loadLabelMap_->setEnabled(labelMaps);
  labelMapOpacity_->setEnabled(labelMaps);
  if (labelMaps) {
    const QSignalBlocker block(labelMapOpacity_);
    labelMapOpacity_->setValue(static_cast<int>(std::lround(target_->labelMapOpacity() * 100)));
  }
  clearMeasurements_->setEnabled(target_ != nullptr);
  saveView_->setEnabled(target_ != nullptr);
}

void OverlayPanel::selectTool(Tool2D tool) {
  if (!target_ || !target_->supportsTool(tool)) return;
  tools_->button(static_cast<int>(tool))->setChecked(true);
  target_->setTool(tool);
}

void OverlayPanel::syncHeatmap() {
  const bool hasMap = target_ && target_->heatmap().hasMap();
  for (QWidget* w : std::initializer_list<QWidget*>{showHeatmap_, colorMap_, opacity_, useThreshold_, threshold_})
    w->setEnabled(hasMap);
  if (!target_) return;
  const HeatmapLayer& layer = target_->heatmap();
  const QSignalBlocker a(showHeatmap_), b(colorMap_), c(opacity_), d(useThreshold_), e(threshold_);
  showHeatmap_->setChecked(target_->heatmapVisible());
  colorMap_->setCurrentIndex(colorMap_->findData(static_cast<int>(layer.colorMap())));
  opacity_->setValue(static_cast<int>(std::lround(layer.opacity() * 100)));
  const auto range = layer.dataRange();
  threshold_->setRange(range[0], range[1]);
  threshold_->setSingleStep((range[1] - range[0]) / 100.0);
  useThreshold_->setChecked(layer.threshold().has_value());
  threshold_->setValue(layer.threshold().value_or((range[0] + range[1]) / 2));
}

void OverlayPanel::applyThreshold() {
  if (!target_) return;
  target_->setHeatmapThreshold(useThreshold_->isChecked() ? std::optional<double>(threshold_->value()) : std::nullopt);
}

void OverlayPanel::openAnnotations() {
  if (!target_) return;
  const QString file = QFileDialog::getOpenFileName(this, tr("Open annotations"), QString(),
                                                    tr("GeoJSON (*.geojson *.json);;All files (*)"));
  if (file.isEmpty()) return;
  auto set = core::loadGeoJson(file.toStdString());
  if (!set) {
    Q_EMIT statusMessage(QString::fromStdString(set.error().message));
    return;
  }
  const auto offered = set.value().annotations.size();
  target_->setAnnotations(std::move(set).value());
  // The viewer may leave shapes out that do not belong to it (volume-plane shapes on a 2D
  // image, a slice outside the volume): say so rather than claim them all.
  const auto kept = target_->annotations().annotations.size();
  Q_EMIT statusMessage(kept == offered ? tr("%1 annotations from %2").arg(offered).arg(file)
                                 : tr("%1 of the %2 annotations in %3 belong to this view; the others were left out")
                                       .arg(kept)
                                       .arg(offered)
                                       .arg(file));
}

void OverlayPanel::saveAnnotations() {
  if (!target_) return;
  const QString file = QFileDialog::getSaveFileName(this, tr("Save annotations"), QStringLiteral("annotations.geojson"),
                                                    tr("GeoJSON (*.geojson)"));
  if (file.isEmpty()) return;
  const auto status = core::saveGeoJson(target_->annotations(), file.toStdString());
  Q_EMIT statusMessage(status ? tr("Saved %1").arg(file) : QString::fromStdString(status.error().message));
}

void OverlayPanel::saveView() {
  if (!target_) return;
  const QString file =
      QFileDialog::getSaveFileName(this, tr("Save view"), QStringLiteral("view.png"), tr("PNG (*.png)"));
  if (file.isEmpty()) return;
  Q_EMIT statusMessage(target_->saveScreenshot(file) ? tr("Saved %1").arg(file) : tr("Could not write %1").arg(file));
}

}  // namespace meridian::viewers
