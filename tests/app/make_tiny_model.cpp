// Writes a small, freshly initialised ViT model folder (model.json + weights.safetensors
// through VitModel::save) for the CLI pipeline tests: the vit_t_16 preset (width 192, 3
// heads) or narrower, with few blocks and a small input, so a whole slide or a 256-slice
// CT runs in seconds on two shared cores. Random weights (fixed seed): the tests check the
// commands' plumbing and outputs, not what the scores mean.
//   make_tiny_model OUT_DIR MODALITY IMAGE_SIZE DEPTH WIDTH LABELS(comma-separated) [SEED]
// WIDTH is a multiple of 64 (heads = WIDTH / 64); 192 is ViT-T.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "meridian/model/VitModel.hpp"

int main(int argc, char** argv) {
  using namespace meridian::model;
  if (argc < 7) {
    std::fprintf(stderr,
                 "usage: make_tiny_model OUT_DIR any|ct|grayscale|color IMAGE_SIZE DEPTH WIDTH LABELS [SEED]\n");
    return 2;
  }
  const auto modality = parseInputModality(argv[2]);
  if (!modality) return std::fprintf(stderr, "unknown modality %s\n", argv[2]), 2;
  std::vector<std::string> labels;
  std::stringstream list(argv[6]);
  for (std::string label; std::getline(list, label, ',');) labels.push_back(label);
  auto config = VitConfig::preset("vit_t_16", static_cast<int>(labels.size())).value();
  config.imageSize = std::atoi(argv[3]);
  config.depth = std::atoi(argv[4]);
  config.embedDim = std::atoi(argv[5]);
  config.heads = std::max(1, config.embedDim / 64);
  PreprocessConfig preprocess;
  preprocess.modality = *modality;
  if (*modality == InputModality::CT) preprocess.ctWindows = {*ctWindowPreset("mediastinum")};
  auto model = VitModel::create(config, argc > 7 ? std::strtoull(argv[7], nullptr, 10) : 7, preprocess);
  if (!model) return std::fprintf(stderr, "%s\n", model.error().message.c_str()), 1;
  ModelCard card;
  card.name = std::string("tiny-") + argv[2];
  card.modality = argv[2];
  card.tasks.push_back({"finding", labels});
  card.provenance.method = "random initialisation (test model)";
  model.value()->setCard(card);
  if (auto saved = model.value()->save(argv[1]); !saved)
    return std::fprintf(stderr, "%s\n", saved.error().message.c_str()), 1;
  std::printf("wrote %s (width %d, depth %d, %d px, %s)\n", argv[1], config.embedDim, config.depth, config.imageSize,
              argv[2]);
  return 0;
}
