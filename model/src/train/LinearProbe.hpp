#pragma once
// Multinomial logistic regression on frozen embeddings (the linear probe), fitted the way
// scikit-learn's LogisticRegression(multi_class="multinomial", solver="lbfgs") is: features
// standardised with the training mean and population std, then minimise
//   C * sum_i w_i * cross_entropy_i + 1/2 ||W||^2   (bias not penalised)
// with class weights w = n / (classes * n_class) ("balanced") or 1, by full-batch L-BFGS
// with a strong-Wolfe line search in float64. The standardisation is folded into the
// returned weights, so logits = weight * x + bias on raw embeddings — a ViT head.

#include <cstdint>
#include <vector>

#include "meridian/core/Result.hpp"

namespace meridian::model::train {

struct LinearProbeOptions {
  double inverseRegularization = 1.0;  // scikit-learn's C
  bool balancedClassWeights = true;
  int maxIterations = 1000;
  double gradientTolerance = 1e-9;
};

struct LinearHead {
  int classes = 0;
  int dim = 0;
  std::vector<double> weight;  // classes x dim, row-major
  std::vector<double> bias;    // classes
  int iterations = 0;
  double loss = 0.0;  // final objective (per unit weight)

  /// Softmax probabilities for one embedding.
  std::vector<double> probabilities(const std::vector<float>& embedding) const;
};

core::Result<LinearHead> fitLinearProbe(const std::vector<std::vector<float>>& embeddings,
                                        const std::vector<int>& labels, int classes,
                                        const LinearProbeOptions& options = {});

}  // namespace meridian::model::train
