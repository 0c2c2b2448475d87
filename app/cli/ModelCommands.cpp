// Model commands of meridian-cli: import-weights (a safetensors checkpoint -> a Meridian
// model folder), infer (class probabilities + embedding) and explain (CLS-attention
// overlay). They run the model on the image a viewer would show first: the image itself,
// a volume's middle axial slice, a slide's overview.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "Commands.hpp"
#include "ExitCodes.hpp"
#include "ImageExplain.hpp"
#include "OutputFiles.hpp"
#include "PipelineCommands.hpp"
#include "PredictionJson.hpp"
#include "meridian/core/FileHash.hpp"
#include "meridian/model/Runtime.hpp"
#include "meridian/model/VitModel.hpp"

namespace meridian::app {
namespace fs = std::filesystem;
namespace {

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

core::Result<std::unique_ptr<model::VitModel>> loadModel(const fs::path& dir, const RunOptions& run) {
  auto vit = model::VitModel::load(dir);  // its errors name the file
  if (!vit) return vit;
  if (auto placed = vit.value()->setDevice(run.device); !placed) return placed.error();
  if (run.precision == "bf16") {
    const auto choice = vit.value()->setPrecision(model::Precision::BFloat16);
    if (choice.active != model::Precision::BFloat16) std::cerr << "note: " << choice.reason << "\n";
  }
  return vit;
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    items.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

// --modality and --ct-windows ("lung,mediastinum,bone" or "-600/1500,40/400").
core::Result<model::PreprocessConfig> importPreprocess(const ImportWeightsOptions& o) {
  model::PreprocessConfig preprocess;
  auto usage = [](const std::string& what) { return core::makeError(core::ErrorCode::InvalidArgument, what); };
  const auto modality = model::parseInputModality(o.modality);
  if (!modality) return usage("--modality wants any, ct, grayscale or color, not '" + o.modality + "'");
  preprocess.modality = *modality;
  if (o.ctWindows.empty()) return preprocess;
  if (preprocess.modality == model::InputModality::Color) return usage("--ct-windows: a colour model takes no CT windows");
  for (const std::string& item : splitList(o.ctWindows)) {
    if (auto preset = model::ctWindowPreset(item)) {
      preprocess.ctWindows.push_back(*preset);
      continue;
    }
    model::HuWindow window;
    char tail = 0;
    if (std::sscanf(item.c_str(), "%lf/%lf%c", &window.center, &window.width, &tail) != 2 || !(window.width > 0))
      return usage("--ct-windows: '" + item + "' is neither a window name nor center/width in HU (e.g. 40/400)");
    preprocess.ctWindows.push_back(window);
  }
  if (preprocess.ctWindows.size() != 1 && preprocess.ctWindows.size() != 3)
    return usage("--ct-windows: give 1 window (replicated to 3 channels) or 3 (one per channel), not " +
                 std::to_string(preprocess.ctWindows.size()));
  return preprocess;
}

// What import-weights writes into model.json besides the architecture: a name, label
// names, and where the weights came from.
core::Result<model::ModelCard> importCard(const ImportWeightsOptions& o, int classes) {
  model::ModelCard card;
  card.name = o.name.empty() ? fs::absolute(o.output).lexically_normal().filename().string() : o.name;
  if (card.name.empty()) card.name = fs::absolute(o.output).lexically_normal().parent_path().filename().string();
  if (!o.labels.empty()) card.tasks.push_back({"classification", splitList(o.labels)});
  if (auto fits = model::checkTasksFitHead(card, classes); !fits)
    return core::makeError(fits.error().code, "--labels: " + fits.error().message);
  auto sourceHash = core::sha256OfFile(o.source);
  if (!sourceHash) return sourceHash.error();
  card.provenance.baseModel = o.source.filename().string();
  card.provenance.baseModelSha256 = sourceHash.value();
  card.provenance.method = "import";
  card.provenance.createdWith = std::string("meridian-cli ") + MERIDIAN_VERSION;
  card.provenance.notes = o.layout + " layout, architecture " + o.arch;
  return card;
}

}  // namespace

int runImportWeights(const ImportWeightsOptions& o) {
  // An existing model folder is kept unless --force; the source never lies inside the output.
  if (auto allowed = core::checkOutputFolder(o.output, outputPolicy(o.force, {o.source})); !allowed)
    return failOutput(allowed.error());
  auto config = model::VitConfig::preset(o.arch, o.classes);
  if (!config) return fail(config.error());
  if (o.patch > 0) config.value().patchSize = o.patch;
  if (o.imageSize > 0) config.value().imageSize = o.imageSize;
  config.value().registerTokens = o.registers;
  if (o.layerScale) config.value().layerScaleInit = 1e-5;  // the value only matters for fresh weights
  if (auto valid = config.value().validate(); !valid) return fail(valid.error());
  model::WeightLayout layout = model::WeightLayout::Auto;
  if (o.layout == "torchvision") layout = model::WeightLayout::Torchvision;
  else if (o.layout == "timm" || o.layout == "dinov2") layout = model::WeightLayout::Timm;
  else if (o.layout != "auto") return fail(kExitUsage, "--layout wants torchvision, timm, dinov2 or auto");
  const auto t0 = std::chrono::steady_clock::now();
  auto preprocess = importPreprocess(o);
  if (!preprocess) return fail(preprocess.error());
  auto card = importCard(o, config.value().numClasses);
  if (!card) return fail(card.error());  // --labels that do not fit the head: 2; an unreadable source: 3
  auto loaded = model::VitModel::load(o.source, config.value(), layout, preprocess.value());
  if (!loaded) return fail(loaded.error(), Judged::InputFile);  // names the file already
  loaded.value()->setCard(std::move(card).value());
  if (auto saved = loaded.value()->save(o.output); !saved) return failOutput(saved.error());
  std::cout << "imported " << o.source.string() << " (" << o.arch << ", " << model::toString(layout) << " layout) into "
            << o.output.string() << " in " << static_cast<int>(msSince(t0)) << " ms\n";
  return kExitOk;
}

int runInfer(const InferOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const fs::path predictionFile =
      o.outDir.empty() ? fs::path() : o.outDir / (o.input.stem().string() + ".prediction.json");
  const core::OutputPolicy policy = outputPolicy(o.force, {o.input});
  if (!predictionFile.empty() && fs::exists(o.outDir))
    if (auto allowed = core::checkOutputTarget(predictionFile, policy); !allowed) return failOutput(allowed.error());
  model::initializeRuntime();
  auto vit = loadModel(o.modelDir, o.run);
  if (!vit) return fail(vit.error(), Judged::InputFile);
  const double loadMs = msSince(t0);
  // Opened once (io::openInput); volumes, DICOM series and slides go through their
  // pipelines (PipelineCommands.cpp), the rest is one 2D image.
  auto input = openPipelineInput(o.input, o.allowIncomplete, o.modality);
  if (!input) return fail(exitCodeFor(input.error()), input.error().message);
  if (auto routed = runPipelineInfer(o, *vit.value(), loadMs, input.value())) return *routed;
  const core::Image2D& image = input.value().image;
  if (auto kind = vit.value()->checkInputKind(image, image.modality); !kind)
    return fail(exitCodeFor(kind.error(), Judged::InputFile), o.input.string() + ": " + kind.error().message);
  const auto t1 = std::chrono::steady_clock::now();
  auto prediction = vit.value()->predict(image);
  // NaN/Inf in the input or the outputs is the input's (or the model's) fault: exit 3.
  if (!prediction) return fail(exitCodeFor(prediction.error()), o.input.string() + ": " + prediction.error().message);
  const double inferMs = msSince(t1);

  const auto& p = prediction.value();
  const model::ModelCard& card = vit.value()->card();
  const auto tasks = effectiveTasks(card, p.probabilities.size());
  const nlohmann::json top = topLabels(tasks, p.probabilities, 5);
  // load() verified the weights against this hash.
  const nlohmann::json result = {
      {"model",
       {{"name", card.name.empty() ? fs::absolute(o.modelDir).lexically_normal().filename().string() : card.name},
        {"sha256", card.provenance.weightsSha256}}},
      {"input", o.input.string()},
      {"modality", image.modality},
      {"outputs", taskOutputs(tasks, p.probabilities)},
      {"top", top},
      {"embedding_dim", p.embedding.size()},
      {"timing_ms", {{"load_model", loadMs}, {"predict", inferMs}}}};
  nlohmann::json recorded = result;
  if (!input.value().incomplete.is_null()) recorded["incomplete"] = input.value().incomplete;
  if (!predictionFile.empty()) {
    // Checked like every output: an unwritable folder or a full disk is an error, not exit 0.
    std::error_code ec;
    fs::create_directories(o.outDir, ec);
    if (ec) return fail(kExitFailure, o.outDir.string() + ": cannot create the output folder: " + ec.message());
    nlohmann::json withEmbedding = recorded;
    withEmbedding["embedding"] = p.embedding;
    if (auto written = core::writeFileAtomically(predictionFile, withEmbedding.dump(2) + "\n", policy); !written)
      return failOutput(written.error());
  }
  if (o.json) {
    std::cout << recorded.dump(2) << "\n";
  } else {
    std::cout << o.input.string() << " (" << static_cast<int>(inferMs) << " ms)"
              << (recorded.contains("incomplete") ? " from an INCOMPLETE series" : "") << "\n";
    for (const auto& t : top) std::cout << "  " << t["label"].get<std::string>() << "  " << t["probability"].get<double>() << "\n";
  }
  return kExitOk;
}

int runExplain(const ExplainOptions& o) {
  // Before the model runs: --out may not be the input (under any name) nor, without
  // --force, an existing file.
  if (auto allowed = core::checkOutputTarget(o.output, outputPolicy(o.force, {o.input})); !allowed)
    return failOutput(allowed.error());
  auto vit = loadModel(o.modelDir, o.run);
  if (!vit) return fail(vit.error(), Judged::InputFile);
  auto request = explainRequest(o, *vit.value());
  if (!request) return fail(request.error());
  auto input = openPipelineInput(o.input, o.allowIncomplete, o.modality);
  if (!input) return fail(exitCodeFor(input.error()), input.error().message);
  if (auto routed = runPipelineExplain(o, *vit.value(), input.value())) return *routed;  // volumes and slides
  if (!input.value().incomplete.is_null())
    std::fprintf(stderr, "meridian-cli: warning: explaining a slice of an INCOMPLETE series (allowed)\n");
  return runImageExplain(o, request.value(), *vit.value(), input.value().image);
}

}  // namespace meridian::app
