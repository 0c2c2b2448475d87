// The three adapters behind ViewerHost: each forwards to its viewer's own API and reports
// what it shows in the terms of the Qt-free overlay rules.
#include "meridian/viewers/ImageViewer2D.hpp"
#include "meridian/viewers/SlideViewer.hpp"
#include "meridian/viewers/ViewerHost.hpp"
#include "meridian/viewers/VolumeViewer.hpp"

namespace meridian::viewers {
namespace {

core::Status wrongForm(ViewerKind kind) {
  return core::makeError(core::ErrorCode::InvalidArgument,
                         std::string("this label map was not fitted to a ") + toString(kind) + " viewer");
}

class Image2DHost final : public ViewerHost {
 public:
  explicit Image2DHost(ImageViewer2D& viewer) : viewer_(viewer) {}
  ViewerKind kind() const override { return ViewerKind::Image2D; }
  QWidget* widget() const override { return &viewer_; }
  OverlayTarget* overlayTarget() const override { return &viewer_; }
  ShownContent shownContent() const override {
    return {kind(), viewer_.hasImage(), viewer_.hasImage() ? viewer_.image().width() : 0,
            viewer_.hasImage() ? viewer_.image().height() : 0};
  }
  core::Status setHeatmap(core::Volume map) override {
    if (auto status = acceptsOverlays(shownContent()); !status) return status;
    return viewer_.setHeatmap(std::move(map));
  }
  core::Status setLabelMap(FittedLabelMap labels) override {
    auto* image = std::get_if<core::Image2D>(&labels);
    if (image == nullptr) return wrongForm(kind());
    return viewer_.setLabelMap(std::move(*image));
  }
  void resetView() override { viewer_.resetView(); }
  // The 2D viewer has no empty state: its last image stays behind the others, unseen.
  void clear() override { viewer_.clearHeatmap(); }

 private:
  ImageViewer2D& viewer_;
};

class VolumeHost final : public ViewerHost {
 public:
  explicit VolumeHost(VolumeViewer& viewer) : viewer_(viewer) {}
  ViewerKind kind() const override { return ViewerKind::Volume; }
  QWidget* widget() const override { return &viewer_; }
  OverlayTarget* overlayTarget() const override { return &viewer_; }
  ShownContent shownContent() const override { return {kind(), viewer_.hasVolume(), 0, 0}; }
  core::Status setHeatmap(core::Volume map) override {
    if (auto status = acceptsOverlays(shownContent()); !status) return status;
    return viewer_.setHeatmap(std::move(map));
  }
  core::Status setLabelMap(FittedLabelMap labels) override {
    auto* volume = std::get_if<core::Volume>(&labels);
    if (volume == nullptr) return wrongForm(kind());
    return viewer_.setLabelMap(std::move(*volume));
  }
  void resetView() override {
    viewer_.state().resetViews();
    viewer_.refresh();
  }
  void clear() override { viewer_.clear(); }

 private:
  VolumeViewer& viewer_;
};

class SlideHost final : public ViewerHost {
 public:
  explicit SlideHost(SlideViewer& viewer) : viewer_(viewer) {}
  ViewerKind kind() const override { return ViewerKind::Slide; }
  QWidget* widget() const override { return &viewer_; }
  OverlayTarget* overlayTarget() const override { return &viewer_; }
  ShownContent shownContent() const override {
    const auto& slide = viewer_.slide();
    if (!slide || slide->levels().empty()) return {kind(), false, 0, 0};
    return {kind(), true, slide->levels().front().width, slide->levels().front().height};
  }
  core::Status setHeatmap(core::Volume map) override {
    if (auto status = acceptsOverlays(shownContent()); !status) return status;
    return viewer_.setHeatmap(std::move(map));
  }
  core::Status setLabelMap(FittedLabelMap labels) override {
    auto* volume = std::get_if<core::Volume>(&labels);
    if (volume == nullptr) return wrongForm(kind());
    return viewer_.setLabelMap(std::move(*volume));
  }
  void resetView() override { viewer_.resetView(); }
  void clear() override { viewer_.setSlide(nullptr); }

 private:
  SlideViewer& viewer_;
};

}  // namespace

std::unique_ptr<ViewerHost> makeViewerHost(ImageViewer2D& viewer) { return std::make_unique<Image2DHost>(viewer); }
std::unique_ptr<ViewerHost> makeViewerHost(VolumeViewer& viewer) { return std::make_unique<VolumeHost>(viewer); }
std::unique_ptr<ViewerHost> makeViewerHost(SlideViewer& viewer) { return std::make_unique<SlideHost>(viewer); }

}  // namespace meridian::viewers
