#include "meridian/ui/SliceBar.hpp"

#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>

namespace meridian::ui {

SliceBar::SliceBar(QWidget* parent) : QToolBar(tr("Slice"), parent) {
  setObjectName(QStringLiteral("sliceBar"));
  addWidget(new QLabel(tr(" Slice "), this));
  slider_ = new QSlider(Qt::Horizontal, this);
  slider_->setMinimumWidth(300);
  addWidget(slider_);
  label_ = new QLabel(this);
  addWidget(label_);
  setVisible(false);
  connect(slider_, &QSlider::valueChanged, this, [this](int k) {
    label_->setText(tr(" %1 / %2 ").arg(k + 1).arg(slider_->maximum() + 1));
    Q_EMIT sliceRequested(k);
  });
}

void SliceBar::setFrames(int count, int current) {
  const QSignalBlocker block(slider_);
  slider_->setRange(0, count - 1);
  slider_->setValue(current);
  label_->setText(tr(" %1 / %2 ").arg(current + 1).arg(count));
}

void SliceBar::follow(int frame, int count) {
  if (slider_->value() == frame) return;
  setFrames(count, frame);
}

int SliceBar::value() const { return slider_->value(); }

}  // namespace meridian::ui
