// The 2D viewer's presentation (ImagePresentation.hpp): which VOI LUT or window shows the
// image, what VTK is handed for it, and the "Window" button that offers the choices.

#include <QAction>
#include <QMenu>
#include <QToolButton>

#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkImageSlice.h>
#include <vtkImageSliceMapper.h>
#include <vtkNew.h>
#include <vtkRenderer.h>

#include "VtkImageConversion.hpp"
#include "meridian/viewers/ImageViewer2D.hpp"

namespace meridian::viewers {

core::Status ImageViewer2D::choosePresentation(std::size_t index) {
  if (index >= presentations_.size())
    return core::makeError(core::ErrorCode::InvalidArgument, "the image offers " + std::to_string(presentations_.size()) +
                                                                 " presentations, not " + std::to_string(index + 1));
  auto presented = presentImage(image_, presentations_[index]);
  if (!presented) return presented.error();
  PresentedImage shown = std::move(presented).value();
  presentation_ = index;
  lutOutput_ = std::move(shown.lutOutput);
  state_.setWindow(shown.window.value_or(freeWindow_));
  return core::Ok{};
}

void ImageViewer2D::showPresentation(std::size_t index) {
  if (auto status = choosePresentation(index); !status) {
    // A table that cannot be applied: the image still shows, with the free W/L, and says why.
    Q_EMIT statusMessage(tr("%1 not applied: %2")
                             .arg(QString::fromStdString(presentations_[index].label),
                                  QString::fromStdString(status.error().message)));
    (void)choosePresentation(presentations_.size() - 1);  // Free needs nothing that can fail
  }
  rebuildSlice();
  updateWindowButton();
  applyStateToScene();
}

core::Status ImageViewer2D::setPresentation(std::size_t index) {
  if (!hasImage_) return core::makeError(core::ErrorCode::InvalidArgument, "no image is open");
  if (auto status = choosePresentation(index); !status) return status;
  rebuildSlice();
  updateWindowButton();
  applyStateToScene();
  return core::Ok{};
}

void ImageViewer2D::rebuildSlice() {
  if (slice_) {
    renderer()->RemoveViewProp(slice_);
    slice_ = nullptr;
  }
  if (!hasImage_) return;
  vtkNew<vtkImageSliceMapper> mapper;
  mapper->SetInputData(detail::toVtkImage(displayedImage()));
  vtkNew<vtkImageSlice> slice;
  slice->SetMapper(mapper);
  slice->GetProperty()->SetInterpolationTypeToLinear();
  renderer()->AddViewProp(slice);
  slice_ = slice;
}

void ImageViewer2D::rebuildWindowMenu() {
  QMenu* menu = windowButton_->menu();
  menu->clear();
  for (std::size_t i = 0; i < presentations_.size(); ++i) {
    QAction* action = menu->addAction(QString::fromStdString(presentations_[i].label));
    action->setCheckable(true);
    connect(action, &QAction::triggered, this, [this, i] {
      if (auto status = setPresentation(i); !status) Q_EMIT statusMessage(QString::fromStdString(status.error().message));
    });
  }
}

void ImageViewer2D::updateWindowButton() {
  const bool offers = hasImage_ && presentations_.size() > 1;
  windowButton_->setVisible(offers);
  if (!offers) return;
  const auto actions = windowButton_->menu()->actions();
  for (int i = 0; i < actions.size(); ++i) actions[i]->setChecked(static_cast<std::size_t>(i) == presentation_);
  windowButton_->setText(tr("Window: %1").arg(QString::fromStdString(presentations_[presentation_].label)));
  windowButton_->adjustSize();
}

}  // namespace meridian::viewers
