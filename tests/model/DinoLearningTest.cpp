// DINO learns: the teacher follows the student as an exponential moving average with the
// scheduled momentum (m * teacher + (1 - m) * student, checked tensor by tensor over real
// steps), and on real image tiles the DINO loss ends well below that of the same run with a
// learning rate of zero (same crops, same teacher schedule).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <numeric>
#include <sstream>

#include "PretrainTestImages.hpp"
#include "TempDir.hpp"
#include "Vit.hpp"
#include "meridian/model/Pretrainer.hpp"
#include "ssl/DinoState.hpp"
#include "ssl/DinoStep.hpp"

namespace meridian::model {
namespace {

TEST(DinoTeacher, IsAnEmaOfTheStudentWithTheScheduledMomentum) {
  const VitConfig config = test::tinyVit();
  torch::manual_seed(5);
  Vit init(config);
  std::map<std::string, at::Tensor> weights;
  for (const auto& p : init->named_parameters(true)) weights[p.key()] = p.value().detach().clone();
  DinoOptions options = test::tinyDino();
  options.momentumStart = 0.7;  // m and 1 - m far apart: swapped terms would be far off
  options.warmupSteps = 0;      // the student moves from the first step
  options.learningRate = 1e-2;
  auto built = ssl::buildDinoState(config, PreprocessConfig{}, weights, options, test::realTiles(8));
  ASSERT_TRUE(built.ok()) << built.error().describe();
  auto& state = *built.value();
  for (int step = 0; step < 3; ++step) {
    std::vector<at::Tensor> before;
    for (const auto& [name, t] : state.teacherParameters) before.push_back(t.detach().clone());
    const auto result = ssl::dinoStep(state);
    ASSERT_TRUE(result.finite);
    const double m = result.schedule.momentum;
    ASSERT_GT(m, 0.69);
    ASSERT_LT(m, 0.99);
    double worst = 0, moved = 0;
    for (std::size_t i = 0; i < before.size(); ++i) {
      const auto& student = state.studentParameters[i].second;
      const auto expected = before[i] * m + student.detach() * (1.0 - m);
      worst = std::max(worst, (state.teacherParameters[i].second - expected).abs().max().item<double>());
      moved = std::max(moved, (student.detach() - before[i]).abs().max().item<double>());
    }
    EXPECT_LT(worst, 1e-6) << "step " << step << ": the teacher is not m * teacher + (1 - m) * student";
    EXPECT_GT(moved, 1e-3) << "step " << step << ": the student hardly moved, the check would be blind";
  }
}

/// The dino_loss column of the run's CSV log.
std::vector<double> dinoLosses(const std::filesystem::path& csv) {
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);  // step,epoch,loss,dino_loss,...
  std::vector<double> losses;
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::string field;
    for (int column = 0; column < 4 && std::getline(fields, field, ','); ++column)
      if (column == 3) losses.push_back(std::stod(field));
  }
  return losses;
}

double meanOf(const std::vector<double>& v, std::size_t from, std::size_t to) {
  return std::accumulate(v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(to), 0.0) /
         static_cast<double>(to - from);
}

TEST(DinoPretraining, LossFallsBelowARunThatDoesNotLearnOnRealTiles) {
  const auto images = test::realTiles(24);
  DinoOptions options = test::tinyDino();
  options.epochs = 8;  // 6 steps per epoch: 48 steps, a few seconds
  options.learningRate = 2e-3;
  options.teacherTemperatureStart = options.teacherTemperature;  // a fixed target sharpness
  test::TempDir dir;
  auto run = [&](double learningRate, const std::string& name) {
    DinoOptions o = options;
    o.learningRate = learningRate;
    o.minLearningRate = learningRate * 1e-3;
    auto backbone = VitModel::create(test::tinyVit(), 7).value();
    auto trainer = DinoPretrainer::create(*backbone, o, images);
    EXPECT_TRUE(trainer.ok()) << trainer.error().describe();
    auto summary = trainer.value()->run(core::JobControl{}, dir / (name + ".safetensors"), dir / (name + ".csv"));
    EXPECT_TRUE(summary.ok()) << summary.error().describe();
    EXPECT_TRUE(summary.value().finished);
    return dinoLosses(dir / (name + ".csv"));
  };
  const auto trained = run(options.learningRate, "trained");
  const auto still = run(1e-9, "still");
  ASSERT_EQ(trained.size(), 48u);
  ASSERT_EQ(still.size(), 48u);
  const double first = meanOf(trained, 0, 6), last = meanOf(trained, 42, 48), stillLast = meanOf(still, 42, 48);
  std::cout << "DINO loss: first epoch " << first << ", last epoch " << last << " (learning rate 0: " << stillLast
            << ")\n";
  // Measured (2 cores): first epoch 3.62, last 4.13, the same run at learning rate 0 ends at
  // 5.48. The raw curve is not monotone (the centre and the teacher drift with the student),
  // so the check is against the run that does not learn: same crops, same schedule.
  EXPECT_LT(last, stillLast * 0.9) << "training did no better than not training";
}

}  // namespace
}  // namespace meridian::model
