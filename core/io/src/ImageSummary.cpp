#include "meridian/io/ImageSummary.hpp"

namespace meridian::io {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

ImageSummary summarize(const OpenedImage& opened) {
  ImageSummary s;
  s.kind = opened.kind();
  s.format = opened.format;
  std::visit(Overloaded{
                 [&](const core::Image2D& image) {
                   s.size = {image.width(), image.height()};
                   if (image.spacing) s.spacing = std::vector<double>{(*image.spacing)[0], (*image.spacing)[1]};
                   s.dtype = core::toString(image.pixelType());
                   s.channels = image.channels();
                   s.modality = image.modality;
                 },
                 [&](const core::Volume& volume) {
                   s.size = {volume.size()[0], volume.size()[1], volume.size()[2]};
                   s.spacing = std::vector<double>(volume.spacing.begin(), volume.spacing.end());
                   s.origin = std::vector<double>(volume.origin.begin(), volume.origin.end());
                   s.direction = std::vector<double>(volume.direction.begin(), volume.direction.end());
                   s.rescale = {volume.rescaleSlope, volume.rescaleIntercept};
                   s.channels = volume.channels();
                   s.dtype = core::toString(volume.pixelType());
                   s.modality = volume.modality;
                 },
                 [&](const std::shared_ptr<core::SlideSource>& slide) {
                   const auto& levels = slide->levels();
                   s.size = {levels.front().width, levels.front().height};
                   s.dtype = "uint8";
                   s.channels = 3;
                   s.levels = levels;
                   s.mpp = slide->micronsPerPixel();
                   if (s.mpp) s.spacing = std::vector<double>{(*s.mpp)[0] / 1000.0, (*s.mpp)[1] / 1000.0};
                 },
             },
             opened.content);
  return s;
}

core::Result<core::Image2D> representativeImage(const OpenedImage& opened, int maxSlideSide) {
  return std::visit(Overloaded{
                        [](const core::Image2D& image) -> core::Result<core::Image2D> { return image; },
                        [](const core::Volume& volume) -> core::Result<core::Image2D> {
                          return volume.slice(volume.size()[2] / 2);
                        },
                        [&](const std::shared_ptr<core::SlideSource>& slide) -> core::Result<core::Image2D> {
                          return slide->thumbnail(maxSlideSide);
                        },
                    },
                    opened.content);
}

}  // namespace meridian::io
