#include "PretrainCommands.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "ExitCodes.hpp"
#include "OutputFiles.hpp"
#include "JobProgressLine.hpp"
#include "meridian/core/FileHash.hpp"
#include "meridian/io/ImageSummary.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/model/DistributedConfig.hpp"
#include "meridian/model/Pretrainer.hpp"
#include "meridian/model/Runtime.hpp"
#include "meridian/model/VitModel.hpp"

namespace meridian::app {
namespace fs = std::filesystem;

namespace {

struct TrainingImages {
  std::vector<core::Image2D> images;  // decoded, in list order
  std::size_t count = 0;              // images kept (images is cleared once the trainer copied them)
  std::string sha256;                 // over "relative path, content SHA-256" lines of those kept, in order
};

core::Result<std::vector<fs::path>> listFromCsv(const fs::path& csv) {
  std::ifstream in(csv);
  if (!in) return core::makeError(core::ErrorCode::NotFound, csv.string() + ": cannot open");
  std::string line;
  std::getline(in, line);
  if (line.rfind("path", 0) != 0)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           csv.string() + ": the first column must be 'path' (header path[,...])");
  std::vector<fs::path> paths;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto path = fs::path(line.substr(0, line.find(',')));
    paths.push_back(path.is_absolute() ? path : csv.parent_path() / path);
  }
  return paths;
}

// The images a folder (recursive, readable types) or a CSV's 'path' column names, in order.
core::Result<std::vector<fs::path>> listImagePaths(const fs::path& source) {
  std::error_code ec;
  if (fs::is_directory(source, ec)) {
    std::vector<fs::path> paths;
    for (auto it = fs::recursive_directory_iterator(source, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      const auto name = it->path().filename().string();
      if (!it->is_regular_file() || name.empty() || name[0] == '.') continue;
      if (io::ReaderRegistry::builtin().find(it->path()) != nullptr) paths.push_back(it->path());
    }
    std::sort(paths.begin(), paths.end());
    return paths;
  }
  if (fs::is_regular_file(source, ec)) return listFromCsv(source);
  return core::makeError(core::ErrorCode::NotFound, source.string() + ": no such folder or CSV");
}

// One image: its content hash, then its decoded representative image; an error names the file.
core::Result<std::pair<std::string, core::Image2D>> readImage(const fs::path& path) {
  auto hash = core::sha256OfFile(path);  // its errors and the reader's name the file
  if (!hash) return hash.error();
  auto opened = io::ReaderRegistry::builtin().open(path);
  if (!opened) return opened.error();
  auto image = io::representativeImage(opened.value());
  if (!image) return core::makeError(image.error().code, path.string() + ": " + image.error().message);
  return std::make_pair(std::move(hash).value(), std::move(image).value());
}

// Every listed image read, or the first that cannot be; with `skipUnreadable`, those are named
// on stderr and left out. The data's hash covers the images kept, so a resume with the same
// files (and the same unreadable ones) matches the run it continues.
core::Result<TrainingImages> loadImages(const fs::path& source, bool skipUnreadable) {
  auto paths = listImagePaths(source);
  if (!paths) return paths.error();
  std::error_code ec;
  const fs::path base = fs::is_directory(source, ec) ? source : source.parent_path();
  TrainingImages loaded;
  std::string manifest;
  std::size_t skipped = 0;
  for (const auto& path : paths.value()) {
    auto read = readImage(path);
    if (!read) {
      if (!skipUnreadable)
        return core::makeError(read.error().code, read.error().message + " (--skip-unreadable leaves such files out)");
      std::fprintf(stderr, "pretrain: left out %s\n", read.error().message.c_str());
      ++skipped;
      continue;
    }
    manifest += fs::relative(path, base, ec).generic_string() + "," + read.value().first + "\n";
    loaded.images.push_back(std::move(read.value().second));
  }
  if (skipped > 0) std::fprintf(stderr, "pretrain: %zu of %zu images left out\n", skipped, paths.value().size());
  if (loaded.images.empty())
    return core::makeError(core::ErrorCode::InvalidArgument, source.string() + ": no readable images");
  loaded.count = loaded.images.size();
  loaded.sha256 = core::sha256OfBytes(manifest);
  return loaded;
}

core::Result<std::unique_ptr<model::VitModel>> baseModel(const PretrainOptions& o) {
  if (!o.modelDir.empty()) return model::VitModel::load(o.modelDir);
  auto config = model::VitConfig::preset(o.arch, 0);
  if (!config) return config.error();
  if (o.imageSize > 0) config.value().imageSize = o.imageSize;
  return model::VitModel::create(config.value(), o.seed);
}

std::string isoNow() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return buffer;
}

}  // namespace

int runPretrain(const PretrainOptions& o) {
  if (o.modelDir.empty() && o.arch.empty() && o.resume.empty())
    return fail(kExitUsage, "pretrain needs --model BASE_DIR, --arch NAME or --resume CHECKPOINT");
  auto distributed = model::distributedConfigFromEnvironment();
  if (!distributed) return fail(distributed.error());
  if (o.batch % distributed.value().worldSize != 0)  // before minutes of image loading
    return fail(kExitUsage, "--batch " + std::to_string(o.batch) + " must be a multiple of WORLD_SIZE " +
                                std::to_string(distributed.value().worldSize));
  // A fresh run into a folder that holds another run would mix two loss logs and replace its
  // checkpoint: kept unless --resume (continuing that run) or --force. Rank 0 alone decides,
  // the other ranks start while it fills the folder.
  if (distributed.value().isRankZero())
    if (auto allowed = core::checkOutputFolder(o.outDir, outputPolicy(o.force || !o.resume.empty(), {o.modelDir, o.images}));
        !allowed)
      return failOutput(allowed.error());
  auto data = loadImages(o.images, o.skipUnreadable);
  if (!data) return fail(data.error(), Judged::InputFile);
  auto& training = data.value();

  model::DinoOptions options;
  options.localCrops = o.localCrops;
  options.prototypes = o.prototypes;
  if (o.teacherTemperature > 0) options.teacherTemperatureStart = options.teacherTemperature = o.teacherTemperature;
  if (o.teacherMomentum >= 0) options.momentumStart = o.teacherMomentum;
  options.learningRate = o.learningRate;
  options.memorySize = o.memory;
  options.rehearsalSize = o.rehearsal;
  options.batchSize = o.batch;
  options.epochs = o.epochs;
  options.seed = o.seed;
  options.stopAfterSteps = o.stopAfter;
  options.checkpointEvery = o.checkpointEvery;
  options.bf16 = o.fp32 ? 0 : 1;
  options.dataSha256 = training.sha256;

  std::string baseName, baseSha;
  core::Result<std::unique_ptr<model::DinoPretrainer>> trainer =
      core::makeError(core::ErrorCode::Internal, "no trainer");
  if (!o.resume.empty()) {
    trainer = model::DinoPretrainer::resume(o.resume, options, training.images, distributed.value());
    baseName = o.resume.string();
    if (auto hash = core::sha256OfFile(o.resume)) baseSha = hash.value();
  } else {
    auto base = baseModel(o);
    if (!base) return fail(base.error(), o.modelDir.empty() ? Judged::Arguments : Judged::InputFile);
    baseName = o.modelDir.empty() ? o.arch + " (random initialisation, seed " + std::to_string(o.seed) + ")"
                                  : base.value()->card().name;
    baseSha = base.value()->card().provenance.weightsSha256;
    trainer = model::DinoPretrainer::create(*base.value(), options, training.images, distributed.value());
  }
  if (!trainer) return fail(trainer.error());  // options that do not fit: 2; a bad checkpoint: 3
  training.images.clear();                     // the trainer holds its own working copies
  trainer.value()->setThreads(o.threads);  // -1: the trainer picks from the views' size

  std::error_code ec;
  fs::create_directories(o.outDir, ec);
  if (ec) return fail(kExitFailure, o.outDir.string() + ": cannot create: " + ec.message());
  const bool writer = distributed.value().isRankZero();
  std::fprintf(stderr, "pretrain: %zu images (data %s), rank %d of %d, %d compute threads\n", training.count,
               training.sha256.substr(0, 12).c_str(), distributed.value().rank, distributed.value().worldSize,
               trainer.value()->threads());

  // Ctrl-C or TERM cancels the run: it stops after the current step with a checkpoint.
  JobProgressLine line("pretrain", writer);
  const auto checkpoint = o.outDir / "checkpoint.safetensors";
  auto summary = trainer.value()->run(line.job(), checkpoint, o.outDir / "loss.csv");
  line.finish();
  if (!summary) return fail(summary.error());
  const auto& s = summary.value();
  if (s.diverged) return fail(kExitFailure, s.message);

  if (writer) {
    const auto& used = trainer.value()->options();
    model::ModelCard card;
    card.name = o.name.empty() ? o.outDir.filename().string() : o.name;
    card.provenance.baseModel = baseName;
    card.provenance.baseModelSha256 = baseSha;
    card.provenance.method = "dino";
    card.provenance.trainingDataSha256 = training.sha256;
    card.provenance.trainingImages = training.count;
    card.provenance.split = "none (self-supervised, all images)";
    card.provenance.seed = used.seed;
    card.provenance.hyperParameters = used.toMap();
    card.provenance.hyperParameters["steps"] = std::to_string(s.steps) + "/" + std::to_string(s.totalSteps);
    card.provenance.hyperParameters["world_size"] = std::to_string(distributed.value().worldSize);
    card.provenance.createdWith = std::string("meridian-cli ") + MERIDIAN_VERSION;
    card.provenance.createdAt = isoNow();
    card.provenance.notes = "DINO continued pretraining; the exported backbone is the EMA teacher" +
                            std::string(s.finished ? "" : " (schedule not finished: " + s.message + ")");
    auto exported = trainer.value()->exportBackbone(o.outDir / "model", card);
    if (!exported) return fail(exported.error());
    std::printf("%s (last loss %.4f)\ncheckpoint: %s\nloss curve: %s\nmodel: %s\n", s.message.c_str(), s.lastLoss,
                checkpoint.string().c_str(), (o.outDir / "loss.csv").string().c_str(),
                (o.outDir / "model").string().c_str());
  }
  // The one cancelled result maps to the one exit code for a cancel (130), as for infer.
  if (s.cancelled()) return fail(exitCodeFor(s.ended.error()), "cancelled; continue with --resume " + checkpoint.string());
  return kExitOk;
}

}  // namespace meridian::app
