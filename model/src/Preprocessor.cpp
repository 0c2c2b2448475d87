#include "meridian/model/Preprocessor.hpp"

#include <algorithm>
#include <cmath>

#include "meridian/core/DisplayMapping.hpp"
#include "meridian/core/Hounsfield.hpp"

namespace meridian::model {
namespace {

// One output sample's contributing input range and normalised weights.
struct Taps {
  int first = 0;
  std::vector<float> weights;
};

// PIL-style resampling weights: a triangle filter whose support widens by the
// downscale factor, so shrinking averages over all covered pixels instead of aliasing.
std::vector<Taps> resampleTaps(int inSize, int outSize) {
  const double scale = static_cast<double>(outSize) / inSize;
  const double filterScale = std::max(1.0, 1.0 / scale);
  const double support = filterScale;  // triangle filter has radius 1
  std::vector<Taps> taps(static_cast<std::size_t>(outSize));
  for (int o = 0; o < outSize; ++o) {
    const double center = (o + 0.5) / scale;
    const int lo = std::max(0, static_cast<int>(std::floor(center - support)));
    const int hi = std::min(inSize, static_cast<int>(std::ceil(center + support)));
    Taps& t = taps[static_cast<std::size_t>(o)];
    t.first = lo;
    double sum = 0.0;
    for (int i = lo; i < hi; ++i) {
      const double w = std::max(0.0, 1.0 - std::abs((i + 0.5 - center) / filterScale));
      t.weights.push_back(static_cast<float>(w));
      sum += w;
    }
    if (sum <= 0.0) {  // cannot happen for valid sizes; keep the nearest pixel rather than divide by 0
      t.first = std::clamp(static_cast<int>(center), 0, inSize - 1);
      t.weights.assign(1, 1.0f);
      continue;
    }
    for (float& w : t.weights) w = static_cast<float>(w / sum);
  }
  return taps;
}

std::string describe(const core::Image2D& image) {
  std::string kind = std::to_string(image.channels()) + "-channel " + core::toString(image.pixelType()) + " image";
  if (!image.photometric.empty()) kind += " (" + image.photometric + ")";
  return kind;
}

bool channelsEqual(const core::Image2D& image) {
  for (int y = 0; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x)
      if (image.valueAt(x, y, 0) != image.valueAt(x, y, 1) || image.valueAt(x, y, 0) != image.valueAt(x, y, 2))
        return false;
  return true;
}

// A CT slice's channels in [0, 1]: each HU window clamps to its range and scales.
std::vector<float> windowedPlanar(const core::Image2D& image, const std::vector<HuWindow>& configured) {
  const std::vector<HuWindow> windows = configured.empty() ? std::vector<HuWindow>{{40.0, 400.0}} : configured;
  const int w = image.width(), h = image.height();
  const std::size_t plane = static_cast<std::size_t>(w) * h;
  std::vector<float> planar(windows.size() * plane);
  for (std::size_t k = 0; k < windows.size(); ++k) {
    const double lo = windows[k].center - windows[k].width / 2.0, inv = 1.0 / windows[k].width;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        planar[k * plane + static_cast<std::size_t>(y) * w + x] =
            static_cast<float>(std::clamp((image.valueAt(x, y) - lo) * inv, 0.0, 1.0));
  }
  return planar;
}

// The image as planar float in [0, 1], channel-first: 8-bit as stored, other types through
// the file's display window, else the 0.5th..99.5th percentile of the values (what the
// viewers open it with). Not the minimum..maximum: one hot pixel or a metal implant would
// darken the whole picture, and the bundled model's MR crops are percentile renderings.
std::vector<float> toUnitPlanar(const core::Image2D& image) {
  const int w = image.width(), h = image.height(), c = image.channels();
  double lo = 0.0, hi = 255.0;
  if (image.pixelType() != core::PixelType::UInt8) {
    const core::WindowLevel window = image.displayWindow && image.displayWindow->width > 0
                                         ? *image.displayWindow
                                         : core::percentileWindow(image);
    lo = window.center - window.width / 2.0;
    hi = window.center + window.width / 2.0;
  }
  const double inv = 1.0 / (hi - lo);
  std::vector<float> planar(static_cast<std::size_t>(c) * w * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int k = 0; k < c; ++k) {
        const double v = std::clamp((image.valueAt(x, y, k) - lo) * inv, 0.0, 1.0);
        planar[(static_cast<std::size_t>(k) * h + y) * w + x] = static_cast<float>(v);
      }
  return planar;
}

}  // namespace

bool rendersThroughCtWindows(const core::Image2D& image, const PreprocessConfig& config) {
  if (config.modality == InputModality::CT) return true;
  if (config.modality == InputModality::Color) return false;
  const bool ownWindow = image.displayWindow && image.displayWindow->width > 0;
  return !ownWindow && core::isHounsfieldCt(image);
}

core::Status checkInputKind(const core::Image2D& image, const PreprocessConfig& config,
                            const std::string& sourceModality) {
  auto refuse = [&](const std::string& wants, const std::string& why) {
    return core::makeError(core::ErrorCode::Unsupported,
                           std::string("this model takes ") + wants + "; the input is a " + describe(image) + why);
  };
  switch (config.modality) {
    case InputModality::Any:
      return core::Ok{};
    case InputModality::CT: {
      const char* wants = "CT slices in Hounsfield units (one channel, 16-bit or float, from DICOM or NIfTI)";
      if (!sourceModality.empty() && sourceModality != "CT")
        return refuse(wants, " from a " + sourceModality + " study");
      if (image.channels() != 1) return refuse(wants, " (a photograph or screenshot?)");
      if (image.pixelType() == core::PixelType::UInt8) return refuse(wants, ": 8 bits hold no Hounsfield units");
      return core::Ok{};
    }
    case InputModality::Grayscale:
      if (image.channels() == 1 || (image.channels() == 3 && channelsEqual(image))) return core::Ok{};
      return refuse("grayscale images (radiographs, MR)", " with colour in it");
    case InputModality::Color:
      if (image.channels() == 3) return core::Ok{};
      return refuse("colour images (RGB: pathology, fundus, dermoscopy)", " (a CT, MR or radiograph?)");
  }
  return core::Ok{};
}

core::Status checkLooksLikeHounsfield(double lowestValue, const PreprocessConfig& config) {
  if (config.modality != InputModality::CT || lowestValue <= -200.0) return core::Ok{};
  return core::makeError(core::ErrorCode::Unsupported,
                         "this model takes CT in Hounsfield units; the input's lowest value is " +
                             std::to_string(static_cast<long>(lowestValue)) +
                             ", so it has no air (below -200 HU) and its values do not look like Hounsfield units");
}

core::Result<PreprocessedImage> preprocessImage(const core::Image2D& image, int inputSize,
                                                const PreprocessConfig& config) {
  if (image.empty() || image.width() < 1 || image.height() < 1)
    return core::makeError(core::ErrorCode::InvalidArgument, "cannot run the model on an empty image");
  if (image.channels() != 1 && image.channels() != 3)
    return core::makeError(core::ErrorCode::Unsupported,
                           "the model takes 1- or 3-channel images, not " + std::to_string(image.channels()));
  if (inputSize < 1 || inputSize > 8192)
    return core::makeError(core::ErrorCode::InvalidArgument, "model input size " + std::to_string(inputSize));
  for (float s : config.std)
    if (!(s > 0.0f)) return core::makeError(core::ErrorCode::InvalidArgument, "normalisation std must be positive");
  if (config.ctWindows.size() != 0 && config.ctWindows.size() != 1 && config.ctWindows.size() != 3)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           std::to_string(config.ctWindows.size()) + " CT windows: use 1 (replicated) or 3");
  for (const HuWindow& window : config.ctWindows)
    if (!(window.width > 0.0))
      return core::makeError(core::ErrorCode::InvalidArgument, "CT window width must be positive");
  if (auto kind = checkInputKind(image, config); !kind) return kind.error();
  // A NaN or infinity (an extreme rescale, a corrupt float file) would be clamped into the
  // picture by a window, and the prediction would look valid: refuse it here.
  if (image.pixelType() == core::PixelType::Float32)
    for (int y = 0; y < image.height(); ++y)
      for (int x = 0; x < image.width(); ++x)
        for (int k = 0; k < image.channels(); ++k)
          if (!std::isfinite(image.valueAt(x, y, k)))
            return core::makeError(core::ErrorCode::Corrupt,
                                   "the image holds NaN or infinite values (pixel " + std::to_string(x) + "," +
                                       std::to_string(y) + ")");

  const int w = image.width(), h = image.height();
  const double scale = static_cast<double>(inputSize) / std::max(w, h);
  PreprocessedImage out;
  out.size = inputSize;
  Letterbox& box = out.letterbox;
  box.originalWidth = w;
  box.originalHeight = h;
  box.inputSize = inputSize;
  box.resizedWidth = std::clamp(static_cast<int>(std::lround(w * scale)), 1, inputSize);
  box.resizedHeight = std::clamp(static_cast<int>(std::lround(h * scale)), 1, inputSize);
  box.scaleX = static_cast<double>(box.resizedWidth) / w;
  box.scaleY = static_cast<double>(box.resizedHeight) / h;
  box.offsetX = (inputSize - box.resizedWidth) / 2;
  box.offsetY = (inputSize - box.resizedHeight) / 2;

  const std::vector<float> planar =
      rendersThroughCtWindows(image, config) ? windowedPlanar(image, config.ctWindows) : toUnitPlanar(image);
  const int planes = static_cast<int>(planar.size() / (static_cast<std::size_t>(w) * h));
  const auto tapsX = resampleTaps(w, box.resizedWidth);
  const auto tapsY = resampleTaps(h, box.resizedHeight);
  const int rw = box.resizedWidth, rh = box.resizedHeight;

  const std::size_t plane = static_cast<std::size_t>(inputSize) * inputSize;
  out.chw.resize(3 * plane);
  std::vector<float> rows(static_cast<std::size_t>(h) * rw);  // horizontally resampled channel
  for (int k = 0; k < 3; ++k) {
    const int src = planes == 1 ? 0 : k;  // grayscale (or one CT window) feeds all three channels
    const float* in = planar.data() + static_cast<std::size_t>(src) * w * h;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < rw; ++x) {
        const Taps& t = tapsX[static_cast<std::size_t>(x)];
        float acc = 0.0f;
        for (std::size_t i = 0; i < t.weights.size(); ++i)
          acc += t.weights[i] * in[static_cast<std::size_t>(y) * w + t.first + i];
        rows[static_cast<std::size_t>(y) * rw + x] = acc;
      }
    const float mean = config.mean[static_cast<std::size_t>(k)];
    const float invStd = 1.0f / config.std[static_cast<std::size_t>(k)];
    float* dst = out.chw.data() + k * plane;
    std::fill(dst, dst + plane, (config.padValue - mean) * invStd);
    for (int y = 0; y < rh; ++y) {
      const Taps& t = tapsY[static_cast<std::size_t>(y)];
      for (int x = 0; x < rw; ++x) {
        float acc = 0.0f;
        for (std::size_t i = 0; i < t.weights.size(); ++i) acc += t.weights[i] * rows[(t.first + i) * rw + x];
        dst[static_cast<std::size_t>(y + box.offsetY) * inputSize + x + box.offsetX] = (acc - mean) * invStd;
      }
    }
  }
  return out;
}

}  // namespace meridian::model
