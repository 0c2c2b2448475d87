#pragma once
// Threshold-free metrics of a score's ranking (torch-free).
//   AUROC: the Mann-Whitney statistic, P(score of a positive > score of a negative) with
//          ties counting one half — the same number as scikit-learn's roc_auc_score.
//   AUPRC: average precision as scikit-learn defines it, sum over distinct thresholds of
//          (R_k - R_{k-1}) * P_k, no interpolation.
// Labels are class indices 0..k-1; a binary metric treats `positive` as the positive class.

#include <vector>

#include "meridian/core/Result.hpp"

namespace meridian::model::metrics {

/// Scores for one sample per row, one column per class (probabilities or logits).
using ScoreRows = std::vector<std::vector<double>>;

/// Binary AUROC of `scores` for labels == positive against the rest. Fails when either side
/// is empty (AUROC is undefined with one class) or the sizes differ.
core::Result<double> binaryAuroc(const std::vector<double>& scores, const std::vector<int>& labels, int positive = 1);

/// Average precision of `scores` for labels == positive. Fails without positives.
core::Result<double> averagePrecision(const std::vector<double>& scores, const std::vector<int>& labels,
                                      int positive = 1);

/// Two classes: the binary AUROC of column 1. More: the unweighted mean of the one-vs-rest
/// AUROCs (scikit-learn's multi_class="ovr", average="macro"). Every class must occur.
core::Result<double> macroAuroc(const ScoreRows& scores, const std::vector<int>& labels);

/// Two classes: average precision of column 1. More: the mean of the one-vs-rest values.
core::Result<double> macroAveragePrecision(const ScoreRows& scores, const std::vector<int>& labels);

/// Column `column` of `scores`.
std::vector<double> column(const ScoreRows& scores, int column);

}  // namespace meridian::model::metrics
