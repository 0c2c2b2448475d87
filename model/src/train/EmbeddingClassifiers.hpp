#pragma once
// Classifiers that need no training loop, on frozen embeddings compared by cosine
// similarity (torch-free):
//   kNN (DINO's evaluation): the k most similar training embeddings vote with weight
//       exp(similarity / temperature); probabilities are the normalised votes.
//   Prototype: one class mean of the L2-normalised training embeddings per class;
//       probabilities are softmax(cosine similarity / temperature).

#include <vector>

#include "meridian/core/Result.hpp"

namespace meridian::model::train {

struct EmbeddingBank {
  enum class Kind { Knn, Prototype };
  Kind kind = Kind::Knn;
  int classes = 0;
  int k = 20;                               // kNN only
  double temperature = 0.07;                // DINO's kNN temperature; prototypes use it too
  std::vector<std::vector<float>> vectors;  // L2-normalised: training embeddings or prototypes
  std::vector<int> labels;                  // class of each vector

  /// Probabilities over the classes for one embedding.
  std::vector<double> probabilities(const std::vector<float>& embedding) const;
};

core::Result<EmbeddingBank> buildKnnBank(const std::vector<std::vector<float>>& embeddings,
                                         const std::vector<int>& labels, int classes, int k, double temperature);
core::Result<EmbeddingBank> buildPrototypeBank(const std::vector<std::vector<float>>& embeddings,
                                               const std::vector<int>& labels, int classes, double temperature);

/// Unit-length copy (a zero vector stays zero).
std::vector<float> l2Normalised(const std::vector<float>& v);

}  // namespace meridian::model::train
