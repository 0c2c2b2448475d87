// Held-out splits: stratified, patient-level (no patient on both sides), k-fold, and the
// refusals when a split cannot hold every class on both sides.
#include <gtest/gtest.h>

#include <set>

#include "meridian/model/metrics/Splits.hpp"

namespace meridian::model::metrics {
namespace {

std::vector<int> repeatedLabels(int perClass, int classes) {
  std::vector<int> labels;
  for (int i = 0; i < perClass * classes; ++i) labels.push_back(i % classes);
  return labels;
}

TEST(SplitHoldOut, StratifiedKeepsEachClassShareAndIsSeeded) {
  const auto labels = repeatedLabels(20, 2);
  const auto split = holdOutSplit(labels, 2, {}, 0.25, 7).value();
  EXPECT_EQ(split.test.size(), 10u);
  EXPECT_EQ(split.train.size(), 30u);
  int testPositives = 0;
  for (auto row : split.test) testPositives += labels[row];
  EXPECT_EQ(testPositives, 5);
  std::set<std::size_t> all(split.train.begin(), split.train.end());
  all.insert(split.test.begin(), split.test.end());
  EXPECT_EQ(all.size(), labels.size());
  EXPECT_EQ(holdOutSplit(labels, 2, {}, 0.25, 7).value().test, split.test);
  EXPECT_NE(holdOutSplit(labels, 2, {}, 0.25, 8).value().test, split.test);
}

TEST(SplitHoldOut, PatientLevelNeverPutsAPatientOnBothSides) {
  std::vector<int> labels;
  std::vector<std::string> patients;
  for (int p = 0; p < 12; ++p)
    for (int image = 0; image < 3 + p % 3; ++image) {
      labels.push_back((p + image) % 2);
      patients.push_back("P" + std::to_string(p));
    }
  const auto split = holdOutSplit(labels, 2, patients, 0.3, 3).value();
  std::set<std::string> trainPatients, testPatients;
  for (auto row : split.train) trainPatients.insert(patients[row]);
  for (auto row : split.test) testPatients.insert(patients[row]);
  for (const auto& p : testPatients) EXPECT_EQ(trainPatients.count(p), 0u) << p;
  EXPECT_NEAR(static_cast<double>(split.test.size()) / labels.size(), 0.3, 0.1);
  EXPECT_TRUE(checkSplit(split, labels, 2, patients).ok());
}

TEST(SplitHoldOut, RefusesWhenImpossible) {
  // All positives belong to one patient: no split has positives on both sides.
  const std::vector<int> labels{1, 1, 1, 0, 0, 0};
  const std::vector<std::string> patients{"A", "A", "A", "B", "C", "D"};
  const auto split = holdOutSplit(labels, 2, patients, 0.3, 1);
  ASSERT_FALSE(split.ok());
  EXPECT_NE(split.error().message.find("patient-level"), std::string::npos) << split.error().message;
  // One image of a class cannot be on both sides.
  const auto single = holdOutSplit({0, 0, 0, 1}, 2, {}, 0.5, 1);
  ASSERT_FALSE(single.ok());
  EXPECT_NE(single.error().message.find("class 1"), std::string::npos) << single.error().message;
  EXPECT_FALSE(holdOutSplit(labels, 2, {}, 1.5, 1).ok());
  EXPECT_FALSE(holdOutSplit(labels, 2, {"A"}, 0.5, 1).ok());  // patient list of the wrong length
}

TEST(SplitKFold, FoldsPartitionTheRowsAndStratify) {
  const auto labels = repeatedLabels(10, 3);
  const auto folds = kFoldSplits(labels, 3, {}, 5, 4).value();
  ASSERT_EQ(folds.size(), 5u);
  std::multiset<std::size_t> covered;
  for (const auto& fold : folds) {
    EXPECT_EQ(fold.test.size(), 6u);
    EXPECT_EQ(fold.train.size() + fold.test.size(), labels.size());
    for (int c = 0; c < 3; ++c) {
      int n = 0;
      for (auto row : fold.test) n += labels[row] == c;
      EXPECT_EQ(n, 2);
    }
    covered.insert(fold.test.begin(), fold.test.end());
  }
  EXPECT_EQ(covered.size(), labels.size());
  EXPECT_EQ(std::set<std::size_t>(covered.begin(), covered.end()).size(), labels.size());
}

TEST(SplitKFold, PatientFoldsKeepPatientsTogetherAndRefuseTooFewImages) {
  std::vector<int> labels;
  std::vector<std::string> patients;
  for (int p = 0; p < 10; ++p)
    for (int image = 0; image < 2; ++image) {
      labels.push_back(image);
      patients.push_back("P" + std::to_string(p));
    }
  const auto folds = kFoldSplits(labels, 2, patients, 3, 9).value();
  for (const auto& fold : folds) EXPECT_TRUE(checkSplit(fold, labels, 2, patients).ok());
  const auto tooFew = kFoldSplits(repeatedLabels(3, 2), 2, {}, 5, 1);
  ASSERT_FALSE(tooFew.ok());
  EXPECT_NE(tooFew.error().message.find("fewer than 5 folds"), std::string::npos) << tooFew.error().message;
}

TEST(SplitOverlap, APatientInBothListsIsNamed) {
  const auto status = checkNoPatientOverlap({"A", "B", ""}, {"C", "B"});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("'B'"), std::string::npos);
  EXPECT_TRUE(checkNoPatientOverlap({"A", ""}, {"C", ""}).ok());
}

}  // namespace
}  // namespace meridian::model::metrics
