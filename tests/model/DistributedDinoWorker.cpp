// One process of the 2-process data-parallel DINO test (distributed_dino.sh launches it
// twice with RANK=0/1, torchrun-style variables, and once alone for the reference).
//   dino_distributed_worker run OUT_PREFIX     -> trains 3 steps, prints "sha256 <hash>",
//                                                 rank 0 writes OUT_PREFIX.safetensors
//   dino_distributed_worker compare A B TOL    -> max |A - B| over student and teacher
//                                                 weights <= TOL, and training moved them
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "PretrainTestImages.hpp"
#include "meridian/model/Pretrainer.hpp"
#include "meridian/model/SafeTensorsFile.hpp"

using namespace meridian;
using namespace meridian::model;

namespace {

int run(const std::string& prefix) {
  auto distributed = distributedConfigFromEnvironment();
  if (!distributed) {
    std::fprintf(stderr, "%s\n", distributed.error().describe().c_str());
    return 2;
  }
  auto options = test::tinyDino();
  options.memorySize = 8;
  options.epochs = 2;
  options.stopAfterSteps = 3;
  // fp32: the single process on the union batch must match to float tolerance. Under bf16
  // (where the CPU has it, e.g. Zen 4's avx512_bf16) half and whole batches take other
  // matmul blockings and differ at bf16 precision (4e-4 seen), which says nothing of c10d.
  options.bf16 = 0;
  auto backbone = VitModel::create(test::tinyVit(), 7).value();
  // Ranks deliberately start from different weights: the broadcast from rank 0 must fix it.
  if (distributed.value().rank != 0) backbone = VitModel::create(test::tinyVit(), 99).value();
  auto trainer = DinoPretrainer::create(*backbone, options, test::realTiles(8), distributed.value());
  if (!trainer) {
    std::fprintf(stderr, "%s\n", trainer.error().describe().c_str());
    return 1;
  }
  auto summary = trainer.value()->run(core::JobControl{}, prefix + ".safetensors", prefix + ".csv");
  if (!summary || summary.value().steps != 3) {
    std::fprintf(stderr, "run failed: %s\n",
                 summary ? summary.value().message.c_str() : summary.error().describe().c_str());
    return 1;
  }
  std::printf("rank %d loss %.9g\nsha256 %s\n", distributed.value().rank, summary.value().lastLoss,
              trainer.value()->weightsSha256().c_str());
  return 0;
}

std::vector<float> floats(const SafeTensorsFile& file, const TensorEntry& entry) {
  std::vector<float> out(static_cast<std::size_t>(entry.elementCount()));
  if (!file.readBytes(entry, out.data(), out.size() * sizeof(float))) out.clear();
  return out;
}

int compare(const std::string& a, const std::string& b, double tolerance) {
  auto fa = SafeTensorsFile::open(a), fb = SafeTensorsFile::open(b);
  if (!fa || !fb) {
    std::fprintf(stderr, "cannot open the checkpoints\n");
    return 1;
  }
  // The weights both runs started from: how far training moved them is the scale.
  auto scratch = std::filesystem::temp_directory_path() / ("meridian-dist-init-" + std::to_string(::getpid()));
  if (!VitModel::create(test::tinyVit(), 7).value()->save(scratch)) return 1;
  auto init = SafeTensorsFile::open(scratch / "weights.safetensors");
  double maxDiff = 0, maxMove = 0;
  int compared = 0;
  for (const auto& entry : fa.value().entries()) {
    const bool weights = entry.name.rfind("student.", 0) == 0 || entry.name.rfind("teacher.", 0) == 0;
    if (!weights || entry.dtype != TensorDType::F32) continue;
    const auto* other = fb.value().find(entry.name);
    if (other == nullptr) {
      std::fprintf(stderr, "%s missing in %s\n", entry.name.c_str(), b.c_str());
      return 1;
    }
    const auto va = floats(fa.value(), entry), vb = floats(fb.value(), *other);
    if (va.size() != vb.size() || va.empty()) return 1;
    for (std::size_t i = 0; i < va.size(); ++i) maxDiff = std::max(maxDiff, std::abs(double(va[i]) - vb[i]));
    ++compared;
    const std::string backboneName = entry.name.substr(std::strlen("student.backbone."));
    if (entry.name.rfind("student.backbone.", 0) == 0 && init) {
      if (const auto* start = init.value().find(backboneName)) {
        const auto v0 = floats(init.value(), *start);
        for (std::size_t i = 0; i < v0.size() && i < va.size(); ++i)
          maxMove = std::max(maxMove, std::abs(double(va[i]) - v0[i]));
      }
    }
  }
  std::filesystem::remove_all(scratch);
  std::printf("tensors %d, max |distributed - single| %.3g, max training change %.3g\n", compared, maxDiff, maxMove);
  return compared > 0 && maxDiff <= tolerance && maxMove > 100 * std::max(maxDiff, 1e-9) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "run") return run(argv[2]);
  if (argc == 5 && std::string(argv[1]) == "compare") return compare(argv[2], argv[3], std::stod(argv[4]));
  std::fprintf(stderr, "usage: %s run OUT_PREFIX | compare A.safetensors B.safetensors TOLERANCE\n", argv[0]);
  return 2;
}
