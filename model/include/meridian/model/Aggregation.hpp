#pragma once
// Pooling many instance scores (the slices of a CT study, the patches of a slide) into
// one study- or slide-level score per class. Plain statistics here; learned attention
// pooling is AggregationAttentionPool.hpp.

#include <cstddef>
#include <string>
#include <vector>

#include "meridian/model/AggregationAttentionPool.hpp"

namespace meridian::model {

/// Per-class pooled probabilities (each vector has one entry per class).
struct ScoreAggregation {
  std::vector<float> mean;
  std::vector<float> max;
  std::vector<float> topKMean;  // mean of the k highest instance scores of each class
  int topK = 0;                 // the k used (min(requested, instances))
  // Gated-attention MIL pooling, when the model carries an aggregator; otherwise
  // `attention.available` is false and `attention.reason` says why.
  AttentionPoolResult attention;
};

/// Mean, max and top-k mean over instances. `scores` holds one vector of class
/// probabilities per instance (all the same length). No instances gives empty vectors.
ScoreAggregation aggregateScores(const std::vector<std::vector<float>>& scores, int topK);

}  // namespace meridian::model
