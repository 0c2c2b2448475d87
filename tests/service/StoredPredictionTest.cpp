// Reading stored predictions back without the model (the loader target's StoredPrediction).

#include <gtest/gtest.h>

#include "meridian/service/StoredPrediction.hpp"

using namespace meridian;

TEST(StoredPrediction, InferenceRoundTripsThroughTheStoredJson) {
  service::CasePrediction p;
  p.caseId = 7;
  p.kind = project::CaseKind::Volume;
  p.modelName = "m";
  p.weightsSha256 = std::string(64, 'a');
  p.probabilities = {{"finding", "normal", 0.25f}, {"finding", "abnormal", 0.75f}};
  p.topLabel = "abnormal";
  p.topProbability = 0.75f;
  p.sliceCurve = {0.5f, 0.75f, 1.0f};
  p.scoreAggregation = "mean over 3 slices";
  project::Prediction stored;
  stored.id = 3;
  stored.caseId = 7;
  stored.weightsSha256 = p.weightsSha256;
  stored.outputsJson = service::inferenceOutputsJson(p);
  auto back = service::readInference(stored);
  ASSERT_TRUE(back);
  ASSERT_TRUE(back.value());
  const auto& q = *back.value();
  EXPECT_EQ(q.predictionId, 3);
  EXPECT_EQ(q.kind, project::CaseKind::Volume);
  EXPECT_EQ(q.topLabel, "abnormal");
  EXPECT_FLOAT_EQ(q.topProbability, 0.75f);
  ASSERT_EQ(q.probabilities.size(), 2u);
  EXPECT_EQ(q.probabilities[0].task, "finding");
  EXPECT_EQ(q.sliceCurve, p.sliceCurve);
  EXPECT_EQ(q.scoreAggregation, "mean over 3 slices");
}

TEST(StoredPrediction, OtherRecordsAreSkippedAndDamagedOnesReported) {
  project::Prediction other;
  other.outputsJson = R"({"scores": [0.1, 0.9]})";  // written by another tool
  auto read = service::readInference(other);
  ASSERT_TRUE(read);
  EXPECT_FALSE(read.value());
  project::Prediction damaged;
  damaged.id = 9;
  damaged.outputsJson = R"({"kind": "inference", "top": {}})";
  auto bad = service::readInference(damaged);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("prediction 9"), std::string::npos);
  project::Prediction explanation;
  explanation.mapFile = "maps/case1-rollout-1.nii.gz";
  explanation.outputsJson = R"({"kind": "explanation", "method": "rollout", "head": -1, "class": ""})";
  auto e = service::readExplanation(explanation);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->method, service::ExplainKind::Rollout);
  EXPECT_FALSE(service::readExplanation(other));
  EXPECT_FALSE(service::latestInference({other, explanation}));
}
