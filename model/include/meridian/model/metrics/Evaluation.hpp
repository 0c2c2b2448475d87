#pragma once
// Every held-out metric of a classifier with its 95% bootstrap interval, in one report
// (what `meridian-cli evaluate --json` prints and what a model card stores).

#include <map>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/model/ModelCard.hpp"
#include "meridian/model/metrics/Bootstrap.hpp"
#include "meridian/model/metrics/ClassificationMetrics.hpp"

namespace meridian::model::metrics {

struct ClassReport {
  std::string label;
  std::size_t count = 0;
  MetricValue auroc;        // one-vs-rest
  MetricValue auprc;        // one-vs-rest average precision
  MetricValue sensitivity;  // recall of this class (argmax decisions)
  MetricValue specificity;  // of "not this class"
};

struct EvaluationReport {
  std::size_t n = 0;
  std::vector<std::string> labels;
  MetricValue auroc;  // binary, or macro one-vs-rest
  MetricValue auprc;  // binary, or macro one-vs-rest
  MetricValue accuracy;
  MetricValue calibrationError;
  ConfusionMatrix confusion;
  std::vector<ClassReport> perClass;
  /// Binary only: sensitivity/specificity with "positive" = class 1 score >= threshold.
  bool hasOperatingPoint = false;
  double threshold = 0.5;
  MetricValue sensitivity;
  MetricValue specificity;
  BootstrapOptions bootstrap;
};

struct EvaluationOptions {
  BootstrapOptions bootstrap;
  double threshold = 0.5;  // operating point for binary problems
  int calibrationBins = 15;
};

/// `probabilities` rows sum to 1 (softmax outputs); labels 0..labelNames.size()-1. Every
/// class must occur at least once.
core::Result<EvaluationReport> evaluate(const ScoreRows& probabilities, const std::vector<int>& labels,
                                        const std::vector<std::string>& labelNames,
                                        const EvaluationOptions& options = {});

/// The report's headline metrics as model-card entries ("auroc", "auprc", "accuracy", ...).
std::map<std::string, MetricValue> cardMetrics(const EvaluationReport& report);

}  // namespace meridian::model::metrics
