// `meridian-cli demo`: the main job on the bundled demo data. Today it opens every demo
// item through the readers, writes a windowed preview of each, checks the model runtime
// and writes a summary. It grows as inference, explanations and reports land.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "Commands.hpp"
#include "ExitCodes.hpp"
#include "SummaryJson.hpp"
#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/DisplayMapping.hpp"
#include "meridian/core/Logging.hpp"
#include "meridian/io/InputOpener.hpp"
#include "meridian/io/ImageWriter.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/model/Runtime.hpp"
#include "meridian/model/VitModel.hpp"

namespace meridian::app {
namespace fs = std::filesystem;

namespace {

constexpr double kSlowBlasGflops = 10.0;  // OpenBLAS on 2 cores gives several times this
constexpr int kPreviewSide = 1024;

auto log() { return core::logging::get(core::logging::Layer::App); }

fs::path findDemoData(const fs::path& requested) {
  if (!requested.empty()) return requested;
  if (const char* env = std::getenv("MERIDIAN_DEMO_DATA"); env && *env) return env;
  return executableDirectory().parent_path() / "demo-data";
}

// The bundled default model (resources/model, see resources/README.md): beside the source
// tree for a build (build/bin -> resources/), under share/meridian for an install.
// MERIDIAN_MODEL overrides. Null (and the demo goes on without it) when none loads.
std::unique_ptr<model::VitModel> loadBundledModel() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("MERIDIAN_MODEL"); env && *env) candidates.emplace_back(env);
  candidates.push_back(executableDirectory().parent_path().parent_path() / "resources" / "model");
  candidates.push_back(executableDirectory().parent_path() / "share" / "meridian" / "model");
  for (const auto& dir : candidates) {
    std::error_code ec;
    if (!fs::exists(dir / "model.json", ec)) continue;
    auto loaded = model::VitModel::load(dir);
    if (loaded) return std::move(loaded).value();
    log()->warn("bundled model {}: {}", dir.string(), loaded.error().message);
  }
  return nullptr;
}

// "ct.nii.gz" -> "ct": the name without every extension.
std::string baseName(const fs::path& path) {
  const std::string name = path.filename().string();
  return name.substr(0, name.find('.'));
}

// A file through the readers; a folder as the one DICOM series it holds (io::openInput:
// an incomplete series is refused with the reason).
core::Result<io::OpenedImage> openItem(const fs::path& path) {
  auto opened = io::openInput(path);
  if (!opened) return opened.error();
  return std::move(opened).value().image;
}

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Opens one demo item, writes its preview, returns its entry for demo-summary.json.
nlohmann::json processItem(const nlohmann::json& item, const fs::path& dataDir, const fs::path& previewDir,
                           const model::VitModel* bundled) {
  nlohmann::json entry = {{"file", item.value("file", "")}, {"title", item.value("title", "")}};
  const fs::path path = dataDir / item.value("file", "");
  const auto t0 = std::chrono::steady_clock::now();
  auto opened = openItem(path);
  if (!opened) {
    entry["error"] = opened.error().message;
    return entry;
  }
  entry["summary"] = toJson(io::summarize(opened.value()));
  entry["open_seconds"] = secondsSince(t0);
  auto picture = io::representativeImage(opened.value());
  if (!picture) {
    entry["error"] = picture.error().message;
    return entry;
  }
  // A file that carries no modality (NIfTI, PNG, JPEG) gets the manifest's, as `infer --modality`
  // gives it: the model renders a CT in Hounsfield units through its CT window, and the demo's
  // NIfTI CT (values clipped at 0 HU, so no air) says it is a CT only here.
  if (picture.value().modality.empty()) picture.value().modality = item.value("modality", "");
  const core::Image2D preview =
      core::downsampleToFit(core::applyWindow(picture.value(), core::defaultWindow(picture.value())), kPreviewSide);
  const fs::path previewPath = previewDir / (baseName(path) + ".png");
  if (auto status = io::writeImage(preview, previewPath); !status) {
    entry["error"] = status.error().message;
    return entry;
  }
  entry["preview"] = fs::relative(previewPath, previewDir.parent_path()).string();
  if (bundled != nullptr) {  // the bundled model's best label for the image shown (a volume's middle slice)
    if (auto prediction = bundled->predict(picture.value()); prediction && !prediction.value().probabilities.empty()) {
      const auto& p = prediction.value().probabilities;
      const auto best = static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin());
      const auto& tasks = bundled->card().tasks;
      const bool named = !tasks.empty() && best < tasks.front().labels.size();
      entry["model_prediction"] = {{"label", named ? tasks.front().labels[best] : "class_" + std::to_string(best)},
                                   {"probability", p[best]}};
    }
  }
  return entry;
}

}  // namespace

int runDemo(const DemoOptions& options) {
  const fs::path dataDir = findDemoData(options.dataDir);
  const fs::path manifestPath = dataDir / "provenance.json";
  std::ifstream manifestFile(manifestPath);
  if (!manifestFile) {
    std::fprintf(stderr,
                 "meridian-cli: no demo data at %s (missing provenance.json). Build it with:\n"
                 "  bash packaging/make-demo-data.sh %s\n",
                 dataDir.c_str(), dataDir.c_str());
    return kExitBadInput;
  }
  nlohmann::json manifest;
  try {
    manifest = nlohmann::json::parse(manifestFile);
  } catch (const nlohmann::json::exception& e) {
    std::fprintf(stderr, "meridian-cli: %s is not valid JSON: %s\n", manifestPath.c_str(), e.what());
    return kExitBadInput;
  }
  const fs::path outDir = options.outputDir.empty() ? dataDir.parent_path() / "demo-output" : options.outputDir;
  const fs::path previewDir = outDir / "previews";
  std::error_code ec;
  fs::create_directories(previewDir, ec);
  if (ec) {
    std::fprintf(stderr, "meridian-cli: cannot create %s: %s\n", previewDir.c_str(), ec.message().c_str());
    return kExitFailure;
  }

  nlohmann::json summary = {{"data", fs::absolute(dataDir).string()}, {"items", nlohmann::json::array()}};
  int failures = 0;
  std::cout << "Meridian demo on " << fs::absolute(dataDir).string() << "\n";
  const auto bundled = loadBundledModel();
  if (bundled) {
    summary["model"] = {{"name", bundled->card().name}, {"sha256", bundled->card().provenance.weightsSha256}};
    std::cout << "  model " << bundled->card().name << " (modality head; weak, see resources/README.md)\n";
  }
  for (const auto& item : manifest.value("items", nlohmann::json::array())) {
    nlohmann::json entry = processItem(item, dataDir, previewDir, bundled.get());
    const bool ok = !entry.contains("error");
    failures += ok ? 0 : 1;
    if (ok) {
      const auto& s = entry["summary"];
      std::cout << "  ok    " << entry["file"].get<std::string>() << "  " << s["kind"].get<std::string>() << " "
                << s["format"].get<std::string>() << " " << s["size"].dump();
      if (entry.contains("model_prediction"))
        std::cout << "  model: " << entry["model_prediction"]["label"].get<std::string>() << " "
                  << static_cast<int>(100 * entry["model_prediction"]["probability"].get<double>()) << "%";
      std::cout << "\n";
    } else {
      std::cout << "  FAIL  " << entry["file"].get<std::string>() << ": " << entry["error"].get<std::string>() << "\n";
      log()->error("demo item {}: {}", entry["file"].get<std::string>(), entry["error"].get<std::string>());
    }
    summary["items"].push_back(std::move(entry));
  }

  const auto runtime = model::initializeRuntime();
  nlohmann::json runtimeJson = {{"torch", runtime.torchVersion},
                                {"cuda", runtime.cudaAvailable},
                                {"threads", runtime.intraOpThreads},
                                {"blas", runtime.blasLibrary}};
  if (auto check = model::checkMatmul(512)) {
    runtimeJson["matmul_gflops"] = check.value().gflops;
    std::cout << "  model runtime: LibTorch " << runtime.torchVersion << ", " << runtime.intraOpThreads
              << " threads, float32 matmul " << static_cast<int>(check.value().gflops) << " GFLOP/s\n";
    if (check.value().gflops < kSlowBlasGflops)
      std::cout << "  warning: LibTorch runs on a slow BLAS (" << runtime.blasLibrary
                << "); install libopenblas0-pthread (packaging/setup-debian.sh does)\n";
  } else {
    runtimeJson["error"] = check.error().message;
    ++failures;
    std::cout << "  FAIL  model runtime: " << check.error().message << "\n";
  }
  summary["runtime"] = runtimeJson;
  summary["failures"] = failures;

  const fs::path summaryPath = outDir / "demo-summary.json";
  if (auto status = core::writeFileAtomically(summaryPath, summary.dump(2) + "\n"); !status) {
    std::fprintf(stderr, "meridian-cli: %s\n", status.error().message.c_str());
    return kExitFailure;
  }
  std::cout << "Outputs written to " << fs::absolute(outDir).string() << "\n"
            << "  summary:  " << fs::absolute(summaryPath).string() << "\n"
            << "  previews: " << fs::absolute(previewDir).string() << "\n";
  return failures == 0 ? kExitOk : kExitBadInput;
}

}  // namespace meridian::app
