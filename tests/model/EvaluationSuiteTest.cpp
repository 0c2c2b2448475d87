// The evaluation suite (EvaluationSuite.hpp) on a fixed split of real tiles (skimage's IHC
// image: the rightmost 128-px column of regions is the test side, as make-eval-data.sh
// splits it): every backbone scored, the model's row equal to scikit-learn's probe on the
// same embeddings, continued DINO run for the steps asked; and the suite definitions it
// must refuse (a class absent from the test side, an image on both sides, a missing file).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "IhcTiles.hpp"
#include "PeerPython.hpp"
#include "TempDir.hpp"
#include "meridian/model/EvaluationSuite.hpp"
#include "meridian/model/VitModel.hpp"

namespace meridian::model {
namespace {

void writeSuite(const test::TempDir& dir, const std::string& train, const std::string& test) {
  std::ofstream(dir / "train.csv") << "path,label,patient\n" << train;
  std::ofstream(dir / "test.csv") << "path,label,patient\n" << test;
  std::ofstream(dir / "suite.json")
      << R"({"tasks": [{"name": "t", "description": "d", "train": "train.csv", "test": "test.csv"}]})";
}

class EvaluationSuiteIhc : public ::testing::Test {
 protected:
  void SetUp() override {
    auto set = readLabelsCsv(test::ihcTilesDir() / "labels.csv");
    ASSERT_TRUE(set.ok()) << set.error().describe();
    std::string train, test;
    for (const auto& image : set.value().images) {
      const auto row = image.path.string() + "," + image.label + "," + image.patient + "\n";
      (image.patient.size() > 2 && image.patient.substr(image.patient.size() - 2) == "_3" ? test : train) += row;
    }
    writeSuite(dir, train, test);
    auto model = VitModel::create(test::tinyVitConfig(), 42);
    ASSERT_TRUE(model.ok());
    ModelCard card;
    card.name = "tiny-base";
    model.value()->setCard(card);
    ASSERT_TRUE(model.value()->save(dir / "base").ok());
  }
  test::TempDir dir;
};

TEST_F(EvaluationSuiteIhc, ScoresEveryBackboneAndTheModelRowMatchesScikitLearn) {
  auto tasks = readEvaluationSuite(dir / "suite.json");
  ASSERT_TRUE(tasks.ok()) << tasks.error().describe();
  ASSERT_EQ(tasks.value().size(), 1u);
  const auto& task = tasks.value()[0];
  ASSERT_EQ(task.test.images.size(), 64u);  // one column of 4 regions x 16 tiles
  SuiteOptions options;
  options.seed = 3;
  options.dinoSteps = 2;
  options.dinoBatch = 8;
  options.dinoLocalCrops = 2;
  options.dinoPrototypes = 64;
  options.evaluation.bootstrap.resamples = 200;
  const auto report = runEvaluationSuite(dir / "base", tasks.value(), options, test::readPpm, nullptr);
  ASSERT_TRUE(report.ok()) << report.error().describe();
  ASSERT_EQ(report.value().results.size(), 3u);
  for (const auto& r : report.value().results) {
    EXPECT_EQ(r.testImages, 64u);
    EXPECT_EQ(r.report.n, 64u);
    EXPECT_LE(r.report.auroc.ciLow, r.report.auroc.value);
    EXPECT_GE(r.report.auroc.ciHigh, r.report.auroc.value);
  }
  EXPECT_EQ(report.value().results[2].backbone, SuiteBackbone::ContinuedDino);
  EXPECT_EQ(report.value().results[2].dinoSteps, 2);

  // The model's row against scikit-learn's LogisticRegression + roc_auc_score on the same
  // embeddings of the same split.
  auto model = VitModel::load(dir / "base").value();
  std::vector<std::filesystem::path> trainPaths, testPaths;
  for (const auto& image : task.train.images) trainPaths.push_back(image.path);
  for (const auto& image : task.test.images) testPaths.push_back(image.path);
  const auto xTrain = embedImages(*model, "m", trainPaths, test::readPpm, nullptr).value().embeddings;
  const auto xTest = embedImages(*model, "m", testPaths, test::readPpm, nullptr).value().embeddings;
  std::ofstream(dir / "in.json") << nlohmann::json{{"x_train", xTrain},
                                                   {"y_train", task.train.classIndices()},
                                                   {"x_test", xTest},
                                                   {"y_test", task.test.classIndices()},
                                                   {"C", 1.0}}
                                        .dump();
  ASSERT_EQ(test::runPeerScript("sklearn_suite_probe.py",
                                test::quoted(dir / "in.json") + " " + test::quoted(dir / "out.json")),
            0);
  const auto peer = nlohmann::json::parse(std::ifstream(dir / "out.json"));
  const auto& given = report.value().results[1];
  ASSERT_EQ(given.backbone, SuiteBackbone::Given);
  EXPECT_NEAR(given.report.auroc.value, peer["auroc"].get<double>(), 0.01);
  EXPECT_NEAR(given.report.accuracy.value, peer["accuracy"].get<double>(), 2.0 / 64 + 1e-12);
}

TEST_F(EvaluationSuiteIhc, SubsetTakesTheFirstImagesOfEachClass) {
  SuiteReadOptions read;
  read.maxTrainPerClass = 5;
  read.maxTestPerClass = 3;
  auto tasks = readEvaluationSuite(dir / "suite.json", read);
  ASSERT_TRUE(tasks.ok()) << tasks.error().describe();
  EXPECT_EQ(tasks.value()[0].train.images.size(), 10u);
  EXPECT_EQ(tasks.value()[0].test.images.size(), 6u);
  read.only = {"no-such-task"};
  auto unknown = readEvaluationSuite(dir / "suite.json", read);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("no-such-task"), std::string::npos);
}

class EvaluationSuiteDefinition : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"a.ppm", "b.ppm", "c.ppm", "d.ppm"}) std::ofstream(dir / name) << "x";
  }
  test::TempDir dir;
};

TEST_F(EvaluationSuiteDefinition, RefusesATaskWithAClassAbsentFromTheTestSide) {
  writeSuite(dir, "a.ppm,cat,p1\nb.ppm,dog,p2\nc.ppm,fox,p3\n", "d.ppm,cat,p4\n");
  auto tasks = readEvaluationSuite(dir / "suite.json");
  ASSERT_FALSE(tasks.ok());
  EXPECT_EQ(tasks.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_NE(tasks.error().message.find("'dog'"), std::string::npos) << tasks.error().message;
  EXPECT_NE(tasks.error().message.find("no test image"), std::string::npos) << tasks.error().message;
}

TEST_F(EvaluationSuiteDefinition, RefusesAnImageOnBothSides) {
  writeSuite(dir, "a.ppm,cat,p1\nb.ppm,dog,p2\n", "c.ppm,cat,p3\nb.ppm,dog,p2\n");
  auto tasks = readEvaluationSuite(dir / "suite.json");
  ASSERT_FALSE(tasks.ok());
  EXPECT_NE(tasks.error().message.find("b.ppm is on both"), std::string::npos) << tasks.error().message;
}

TEST_F(EvaluationSuiteDefinition, NamesAMissingFile) {
  writeSuite(dir, "a.ppm,cat,p1\nb.ppm,dog,p2\n", "c.ppm,cat,p3\ngone.ppm,dog,p2\n");
  auto tasks = readEvaluationSuite(dir / "suite.json");
  ASSERT_FALSE(tasks.ok());
  EXPECT_NE(tasks.error().message.find("gone.ppm"), std::string::npos) << tasks.error().message;
  EXPECT_NE(tasks.error().message.find("task 't'"), std::string::npos) << tasks.error().message;
}

}  // namespace
}  // namespace meridian::model
