#include "meridian/model/VolumePipeline.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#include "meridian/core/DisplayMapping.hpp"
#include "meridian/core/Hounsfield.hpp"
#include "meridian/core/ParallelFor.hpp"
#include "meridian/model/Preprocessor.hpp"

namespace meridian::model {
namespace {

// A slice with the volume's rescale applied, so the model sees HU (CT) whatever the file
// stored. A CT keeps its modality and no window (the model's CT windows apply: fixed HU, so
// slices stay comparable); anything else gets the same display window on every slice:
// without it each slice would be stretched to its own values and slices would not be comparable.
core::Result<core::Image2D> modelSlice(const core::Volume& volume, int k, const std::optional<core::WindowLevel>& window,
                                       bool hounsfieldCt) {
  auto slice = volume.slice(k);
  if (!slice) return slice.error();
  core::Image2D image = std::move(slice).value();
  if (volume.rescaleSlope != 1.0 || volume.rescaleIntercept != 0.0) {
    auto rescaled = core::Image2D::allocate(image.width(), image.height(), 1, core::PixelType::Float32);
    if (!rescaled) return rescaled.error();
    float* out = rescaled.value().pixels<float>();
    for (int y = 0; y < image.height(); ++y)
      for (int x = 0; x < image.width(); ++x)
        out[static_cast<std::size_t>(y) * image.width() + x] =
            static_cast<float>(image.valueAt(x, y) * volume.rescaleSlope + volume.rescaleIntercept);
    rescaled.value().spacing = image.spacing;
    image = std::move(rescaled).value();
  }
  image.displayWindow = window;
  if (hounsfieldCt) image.modality = "CT";  // also a CT NIfTI, known from its values
  image.photometric = "MONOCHROME2";
  return image;
}

// Cells of the model's patch grid that lie wholly inside the slice (letterbox padding
// cells are dropped, so the map never reaches outside the volume).
struct CellRange {
  int first = 0, count = 0;
};
CellRange insideCells(int offset, int extent, int patch, int gridCells) {
  const double eps = 1e-6;
  const int first = static_cast<int>(std::ceil(offset / static_cast<double>(patch) - eps));
  const int last =
      std::min(gridCells, static_cast<int>(std::floor((offset + extent) / static_cast<double>(patch) + eps)));
  return {first, std::max(0, last - first)};
}

}  // namespace

core::Result<std::vector<float>> selectMapValues(const AttentionMap& map, int head) {
  if (head < 0) return map.mean;
  if (map.method != ExplainMethod::ClsAttention || head >= map.heads)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "head " + std::to_string(head) +
                               ": only CLS attention has per-head maps, and the model has " +
                               std::to_string(map.heads) + " heads");
  const std::size_t cells = static_cast<std::size_t>(map.gridWidth) * map.gridHeight;
  const auto first = map.perHead.begin() + static_cast<std::ptrdiff_t>(cells * head);
  return std::vector<float>(first, first + static_cast<std::ptrdiff_t>(cells));
}

VolumePipeline::VolumePipeline(const VitModel& model, VolumePipelineOptions options)
    : model_(model), options_(std::move(options)) {}

core::Result<VolumeResult> VolumePipeline::run(const core::Volume& volume, const core::JobControl& job) const {
  const auto t0 = std::chrono::steady_clock::now();
  const auto& size = volume.size();
  if (volume.voxelCount() == 0) return core::makeError(core::ErrorCode::InvalidArgument, "the volume is empty");
  if (volume.channels() != 1)
    return core::makeError(core::ErrorCode::Unsupported, "the volume pipeline takes scalar volumes (CT, MR), not " +
                                                             std::to_string(volume.channels()) +
                                                             "-channel frame stacks");
  if (model_.preprocessConfig().modality == InputModality::Color)
    return core::makeError(core::ErrorCode::Unsupported,
                           "the model takes colour images (pathology, photographs), not a " +
                               (volume.modality.empty() ? std::string("scalar") : volume.modality) + " volume");
  if (options_.batchSize < 1) return core::makeError(core::ErrorCode::InvalidArgument, "batch size must be at least 1");
  const int inputSize = model_.config().imageSize;
  const int patch = model_.config().patchSize;

  VolumeResult result;
  result.slices = size[2];
  auto range = volume.valueRange();
  for (double& v : range) v = v * volume.rescaleSlope + volume.rescaleIntercept;
  if (range[1] < range[0]) std::swap(range[0], range[1]);
  if (auto hu = checkLooksLikeHounsfield(range[0], model_.preprocessConfig()); !hu) return hu.error();
  // The study's own modality, when the file says it, is checked once here: the slices the
  // preprocessing sees no longer carry it.
  if (model_.preprocessConfig().modality == InputModality::CT && !volume.modality.empty() && volume.modality != "CT")
    return core::makeError(core::ErrorCode::Unsupported,
                           "this model takes CT in Hounsfield units; the volume is a " + volume.modality + " study");
  // A CT in HU (DICOM modality, or no modality and values reaching air and bone) goes through
  // the model's CT windows, for CT models and for models that take any image alike (what a
  // CT viewer shows). Other volumes: one window for every slice, the 0.5th..99.5th
  // percentile of the whole volume (not its minimum..maximum: one hot voxel would darken
  // every slice).
  const bool hounsfieldCt =
      volume.modality == "CT" || (volume.modality.empty() && core::rangeLooksLikeHounsfield(range));
  const bool ctWindows = model_.preprocessConfig().modality == InputModality::CT || hounsfieldCt;
  std::optional<core::WindowLevel> window;
  std::string how = "through the model's CT windows";
  if (!ctWindows) {
    const core::WindowLevel stored = core::percentileWindow(volume);
    double lo = (stored.center - stored.width / 2.0) * volume.rescaleSlope + volume.rescaleIntercept;
    double hi = (stored.center + stored.width / 2.0) * volume.rescaleSlope + volume.rescaleIntercept;
    if (hi < lo) std::swap(lo, hi);
    window = core::WindowLevel{(lo + hi) / 2.0, std::max(hi - lo, 1e-6)};
    how = "through one window for every slice, the volume's 0.5..99.5 percentiles " + std::to_string(lo) + ".." +
          std::to_string(hi);
  }
  result.intensityNote = "stored values with rescale applied (" +
                         std::string(volume.modality.empty() ? "no modality" : volume.modality) + "), values " +
                         std::to_string(range[0]) + ".." + std::to_string(range[1]) + " " + how;

  Letterbox letterbox;
  std::vector<float> mapValues;  // slices x gridH x gridW (the whole input grid; cropped at the end)
  int gridW = 0, gridH = 0;
  const std::size_t perImage = static_cast<std::size_t>(3) * inputSize * inputSize;
  for (int first = 0; first < size[2]; first += options_.batchSize) {
    if (job.cancelled()) {
      result.ended = core::makeError(core::ErrorCode::Cancelled, "volume pipeline cancelled");
      break;
    }
    const int count = std::min(options_.batchSize, size[2] - first);
    InputBatch batch{count, inputSize, inputSize, std::vector<float>(perImage * count)};
    std::vector<char> failed(static_cast<std::size_t>(count), 0);  // not vector<bool>: threads write it
    std::vector<Letterbox> boxes(static_cast<std::size_t>(count));
    std::vector<core::Error> sliceErrors(static_cast<std::size_t>(count));
    core::parallelFor(static_cast<std::size_t>(count), [&](std::size_t i) {
      auto image = modelSlice(volume, first + static_cast<int>(i), window, hounsfieldCt);
      if (!image) {
        failed[i] = 1, sliceErrors[i] = image.error();
        return;
      }
      auto pre = preprocessImage(image.value(), inputSize, model_.preprocessConfig());
      if (!pre) {
        failed[i] = 1, sliceErrors[i] = pre.error();
        return;
      }
      std::memcpy(batch.data.data() + i * perImage, pre.value().chw.data(), perImage * sizeof(float));
      boxes[i] = pre.value().letterbox;
    });
    for (int i = 0; i < count; ++i)
      if (failed[static_cast<std::size_t>(i)])
        return core::makeError(
            sliceErrors[static_cast<std::size_t>(i)].code,
            "slice " + std::to_string(first + i) + ": " + sliceErrors[static_cast<std::size_t>(i)].message);
    letterbox = boxes.front();
    auto predictions = model_.predict(batch);
    if (!predictions) return predictions.error();
    for (int i = 0; i < count; ++i) {
      auto& p = predictions.value()[static_cast<std::size_t>(i)];
      result.probabilities.push_back(std::move(p.probabilities));
      result.embeddings.push_back(std::move(p.embedding));
      result.slicePositions.push_back(volume.indexToPhysical({0.0, 0.0, static_cast<double>(first + i)}));
    }
    if (options_.attentionMaps) {
      auto maps = model_.explain(batch, options_.mapMethod, options_.mapClass);
      if (!maps) return maps.error();
      for (const auto& m : maps.value()) {
        gridW = m.gridWidth, gridH = m.gridHeight;
        auto values = selectMapValues(m, options_.mapHead);
        if (!values) return values.error();
        mapValues.insert(mapValues.end(), values.value().begin(), values.value().end());
      }
    }
    result.slicesDone += count;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    job.report({"slices", static_cast<std::size_t>(result.slicesDone), static_cast<std::size_t>(size[2]),
                elapsed / result.slicesDone * (size[2] - result.slicesDone), ""});
  }

  result.study = aggregateScores(result.probabilities, options_.topK);
  std::vector<float> flat;
  for (const auto& e : result.embeddings) flat.insert(flat.end(), e.begin(), e.end());
  if (result.slicesDone > 0)
    result.study.attention = poolOrExplain(options_.aggregator, flat, result.slicesDone);
  else
    result.study.attention.reason = "no slices were processed";

  if (options_.attentionMaps && result.slicesDone > 0) {
    const CellRange cols = insideCells(letterbox.offsetX, letterbox.resizedWidth, patch, gridW);
    const CellRange rows = insideCells(letterbox.offsetY, letterbox.resizedHeight, patch, gridH);
    if (cols.count < 1 || rows.count < 1)
      return core::makeError(core::ErrorCode::Unsupported,
                             "slices too small for one attention cell of " + std::to_string(patch) + " input pixels");
    auto map = core::Volume::allocate({cols.count, rows.count, result.slicesDone}, core::PixelType::Float32);
    if (!map) return map.error();
    float* out = reinterpret_cast<float*>(map.value().data());
    const std::size_t cells = static_cast<std::size_t>(gridW) * gridH;
    for (int k = 0; k < result.slicesDone; ++k)
      for (int r = 0; r < rows.count; ++r)
        for (int c = 0; c < cols.count; ++c)
          out[(static_cast<std::size_t>(k) * rows.count + r) * cols.count + c] =
              mapValues[k * cells + static_cast<std::size_t>(rows.first + r) * gridW + (cols.first + c)];
    // Cell centre in input pixels -> original pixel (continuous, centres at +0.5) -> voxel index.
    const double i0 = letterbox.toOriginalX((cols.first + 0.5) * patch) - 0.5;
    const double j0 = letterbox.toOriginalY((rows.first + 0.5) * patch) - 0.5;
    core::Volume& m = map.value();
    m.origin = volume.indexToPhysical({i0, j0, 0.0});
    m.direction = volume.direction;
    m.spacing = {volume.spacing[0] * patch / letterbox.scaleX, volume.spacing[1] * patch / letterbox.scaleY,
                 volume.spacing[2]};
    m.modality = "MAP";
    result.attentionMap = std::move(map).value();
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace meridian::model
