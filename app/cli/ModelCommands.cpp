// Model commands of meridian-cli: import-weights (a safetensors checkpoint -> a Meridian
// model folder), infer (class probabilities + embedding) and explain (CLS-attention
// overlay). They run the model on the image a viewer would show first: the image itself,
// a volume's middle axial slice, a slide's overview.

#include <algorithm>
#include <chrono>
#include <fstream>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "Commands.hpp"
#include "ExitCodes.hpp"
#include "meridian/core/HeatmapOverlay.hpp"
#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/FileHash.hpp"
#include "meridian/io/ImageSummary.hpp"
#include "meridian/io/ImageWriter.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/model/Runtime.hpp"
#include "meridian/model/VitModel.hpp"

namespace meridian::app {
namespace fs = std::filesystem;
namespace {

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "meridian-cli: %s\n", message.c_str());
  return code;
}

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// The 2D image the model sees for INPUT (a file, or a folder holding one DICOM series).
core::Result<core::Image2D> inputImage(const fs::path& input) {
  std::error_code ec;
  if (fs::is_directory(input, ec)) {
    auto index = io::indexDicomFolder(input);
    if (!index) return index.error();
    if (index.value().size() != 1)
      return core::makeError(core::ErrorCode::Unsupported, input.string() + ": holds " + std::to_string(index.value().size()) +
                                                               " DICOM series; point at one series folder");
    auto series = io::loadDicomSeries(index.value().front());
    if (!series) return series.error();
    return series.value().volume.slice(series.value().volume.size()[2] / 2);
  }
  auto opened = io::ReaderRegistry::builtin().open(input);
  if (!opened) return opened.error();
  return io::representativeImage(opened.value());
}

core::Result<std::unique_ptr<model::VitModel>> loadModel(const fs::path& dir) {
  return model::VitModel::load(dir);  // its errors name the file
}

}  // namespace

int runImportWeights(const ImportWeightsOptions& o) {
  auto config = model::VitConfig::preset(o.arch, o.classes);
  if (!config) return fail(kExitUsage, config.error().message);
  if (o.patch > 0) config.value().patchSize = o.patch;
  if (o.imageSize > 0) config.value().imageSize = o.imageSize;
  config.value().registerTokens = o.registers;
  if (o.layerScale) config.value().layerScaleInit = 1e-5;  // the value only matters for fresh weights
  if (auto valid = config.value().validate(); !valid) return fail(kExitUsage, valid.error().message);
  model::WeightLayout layout = model::WeightLayout::Auto;
  if (o.layout == "torchvision") layout = model::WeightLayout::Torchvision;
  else if (o.layout == "timm" || o.layout == "dinov2") layout = model::WeightLayout::Timm;
  else if (o.layout != "auto") return fail(kExitUsage, "--layout wants torchvision, timm, dinov2 or auto");
  const auto t0 = std::chrono::steady_clock::now();
  auto loaded = model::VitModel::load(o.source, config.value(), layout);
  if (!loaded) return fail(kExitBadInput, loaded.error().message);  // names the file already
  if (auto saved = loaded.value()->save(o.output); !saved) return fail(kExitFailure, saved.error().message);
  std::cout << "imported " << o.source.string() << " (" << o.arch << ", " << model::toString(layout) << " layout) into "
            << o.output.string() << " in " << static_cast<int>(msSince(t0)) << " ms\n";
  return kExitOk;
}

int runInfer(const InferOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  model::initializeRuntime();
  auto vit = loadModel(o.modelDir);
  if (!vit) return fail(kExitBadInput, vit.error().message);
  const double loadMs = msSince(t0);
  auto image = inputImage(o.input);
  if (!image) return fail(kExitBadInput, image.error().message);
  const auto t1 = std::chrono::steady_clock::now();
  auto prediction = vit.value()->predict(image.value());
  if (!prediction) return fail(kExitFailure, prediction.error().message);
  const double inferMs = msSince(t1);
  auto hash = io::sha256OfFile(o.modelDir / "model.safetensors");

  const auto& p = prediction.value();
  nlohmann::json classes = nlohmann::json::object();
  for (std::size_t i = 0; i < p.probabilities.size(); ++i) classes["class_" + std::to_string(i)] = p.probabilities[i];
  std::vector<std::size_t> order(p.probabilities.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const std::size_t k = std::min<std::size_t>(5, order.size());
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&](std::size_t a, std::size_t b) { return p.probabilities[a] > p.probabilities[b]; });
  nlohmann::json top = nlohmann::json::array();
  for (std::size_t i = 0; i < k; ++i) top.push_back({{"label", "class_" + std::to_string(order[i])}, {"probability", p.probabilities[order[i]]}});
  const nlohmann::json result = {
      {"model", {{"name", fs::absolute(o.modelDir).filename().string()}, {"sha256", hash ? hash.value() : ""}}},
      {"input", o.input.string()},
      {"outputs", {{"classification", classes}}},
      {"top", top},
      {"embedding_dim", p.embedding.size()},
      {"timing_ms", {{"load_model", loadMs}, {"predict", inferMs}}}};
  if (!o.outDir.empty()) {
    std::error_code ec;
    fs::create_directories(o.outDir, ec);
    nlohmann::json withEmbedding = result;
    withEmbedding["embedding"] = p.embedding;
    const fs::path file = o.outDir / (o.input.stem().string() + ".prediction.json");
    std::ofstream(file) << withEmbedding.dump(2) << "\n";
  }
  if (o.json) {
    std::cout << result.dump(2) << "\n";
  } else {
    std::cout << o.input.string() << " (" << static_cast<int>(inferMs) << " ms)\n";
    for (const auto& t : top) std::cout << "  " << t["label"].get<std::string>() << "  " << t["probability"].get<double>() << "\n";
  }
  return kExitOk;
}

int runExplain(const ExplainOptions& o) {
  if (o.method != "cls")
    return fail(kExitUsage, "--method " + o.method + " is not available yet; use --method cls (last-layer CLS attention)");
  auto vit = loadModel(o.modelDir);
  if (!vit) return fail(kExitBadInput, vit.error().message);
  auto image = inputImage(o.input);
  if (!image) return fail(kExitBadInput, image.error().message);
  auto attention = vit.value()->clsAttention(image.value());
  if (!attention) return fail(kExitFailure, attention.error().message);
  const auto& a = attention.value();
  if (o.head >= a.heads) return fail(kExitUsage, "--head " + std::to_string(o.head) + ": the model has " + std::to_string(a.heads) + " heads");
  core::Heatmap map;
  map.width = a.gridWidth;
  map.height = a.gridHeight;
  const std::size_t cells = static_cast<std::size_t>(a.gridWidth) * a.gridHeight;
  map.values = o.head < 0 ? a.mean
                          : std::vector<float>(a.perHead.begin() + static_cast<std::ptrdiff_t>(cells * o.head),
                                               a.perHead.begin() + static_cast<std::ptrdiff_t>(cells * (o.head + 1)));
  // Cell (0, 0) starts at input pixel 0, which is original pixel -offset/scale.
  map.cellWidth = a.patchSize / a.letterbox.scaleX;
  map.cellHeight = a.patchSize / a.letterbox.scaleY;
  map.originX = a.letterbox.toOriginalX(0.0);
  map.originY = a.letterbox.toOriginalY(0.0);
  auto overlay = core::renderHeatmapOverlay(image.value(), map, o.opacity, core::ColorMap::Jet);
  if (!overlay) return fail(kExitFailure, overlay.error().message);
  if (auto status = io::writeImage(overlay.value(), o.output); !status) return fail(kExitFailure, status.error().message);
  std::cout << "wrote " << o.output.string() << " (CLS attention, " << (o.head < 0 ? std::string("mean of heads") : "head " + std::to_string(o.head))
            << ", " << a.gridWidth << "x" << a.gridHeight << " patches)\n";
  return kExitOk;
}

}  // namespace meridian::app
