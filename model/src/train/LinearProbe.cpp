#include "LinearProbe.hpp"

#include <torch/optim/lbfgs.h>
#include <torch/torch.h>

#include <cmath>
#include <string>

namespace meridian::model::train {

std::vector<double> LinearHead::probabilities(const std::vector<float>& embedding) const {
  std::vector<double> logits(static_cast<std::size_t>(classes));
  double top = -INFINITY;
  for (int c = 0; c < classes; ++c) {
    double z = bias[static_cast<std::size_t>(c)];
    for (int d = 0; d < dim; ++d)
      z += weight[static_cast<std::size_t>(c) * static_cast<std::size_t>(dim) + static_cast<std::size_t>(d)] *
           static_cast<double>(embedding[static_cast<std::size_t>(d)]);
    logits[static_cast<std::size_t>(c)] = z;
    top = std::max(top, z);
  }
  double sum = 0.0;
  for (auto& z : logits) sum += (z = std::exp(z - top));
  for (auto& z : logits) z /= sum;
  return logits;
}

core::Result<LinearHead> fitLinearProbe(const std::vector<std::vector<float>>& embeddings,
                                        const std::vector<int>& labels, int classes,
                                        const LinearProbeOptions& options) {
  auto bad = [](const std::string& m) {
    return core::makeError(core::ErrorCode::InvalidArgument, "linear probe: " + m);
  };
  if (embeddings.empty() || embeddings.size() != labels.size()) return bad("no embeddings, or not one per label");
  if (classes < 2) return bad("needs at least two classes");
  if (!(options.inverseRegularization > 0.0)) return bad("C must be positive");
  const auto n = static_cast<std::int64_t>(embeddings.size());
  const auto dim = static_cast<std::int64_t>(embeddings.front().size());
  auto x = torch::empty({n, dim}, torch::kFloat64);
  auto* xp = x.data_ptr<double>();
  for (std::int64_t i = 0; i < n; ++i) {
    if (static_cast<std::int64_t>(embeddings[static_cast<std::size_t>(i)].size()) != dim)
      return bad("embeddings differ in length");
    for (std::int64_t d = 0; d < dim; ++d)
      xp[i * dim + d] = embeddings[static_cast<std::size_t>(i)][static_cast<std::size_t>(d)];
  }
  std::vector<std::int64_t> y64(labels.begin(), labels.end());
  for (auto label : y64)
    if (label < 0 || label >= classes) return bad("label " + std::to_string(label) + " out of range");
  const auto y = torch::tensor(y64, torch::kLong);

  // Standardise (scikit-learn's StandardScaler: population std, 1 where a feature is constant).
  const auto mean = x.mean(0);
  auto scale = x.std(0, /*unbiased=*/false);
  scale = torch::where(scale < 1e-12, torch::ones_like(scale), scale);
  const auto z = (x - mean) / scale;

  auto counts = torch::bincount(y, {}, classes).to(torch::kFloat64);
  if ((counts == 0).any().item<bool>()) return bad("a class has no training embeddings");
  const auto classWeight = options.balancedClassWeights ? static_cast<double>(n) / (classes * counts)
                                                        : torch::ones({classes}, torch::kFloat64);
  const auto sampleWeight = classWeight.index_select(0, y);
  const double weightSum = sampleWeight.sum().item<double>();

  auto w = torch::zeros({classes, dim}, torch::kFloat64).set_requires_grad(true);
  auto b = torch::zeros({classes}, torch::kFloat64).set_requires_grad(true);
  torch::optim::LBFGS optimizer({w, b}, torch::optim::LBFGSOptions(1.0)
                                            .max_iter(options.maxIterations)
                                            .max_eval(options.maxIterations * 2)
                                            .tolerance_grad(options.gradientTolerance)
                                            .tolerance_change(1e-15)
                                            .history_size(20)
                                            .line_search_fn("strong_wolfe"));
  // Divided by the weight sum (same minimiser as scikit-learn's C * sum + 1/2 ||W||^2, better scaled).
  const double l2 = 0.5 / (options.inverseRegularization * weightSum);
  int evaluations = 0;
  auto closure = [&] {
    torch::AutoGradMode enable(true);
    optimizer.zero_grad();
    const auto logits = torch::matmul(z, w.t()) + b;
    const auto perSample = torch::nn::functional::cross_entropy(
        logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
    auto loss = (perSample * sampleWeight).sum() / weightSum + l2 * (w * w).sum();
    loss.backward();
    ++evaluations;
    return loss;
  };
  optimizer.step(closure);
  const auto finalLoss = closure().item<double>();
  if (!std::isfinite(finalLoss)) return bad("the fit diverged (non-finite loss)");

  // Fold the standardisation in: w (x - mean) / scale + b = (w / scale) x + (b - (w / scale) . mean).
  const auto foldedW = (w.detach() / scale).contiguous();
  const auto foldedB = (b.detach() - torch::matmul(foldedW, mean)).contiguous();
  LinearHead head;
  head.classes = classes;
  head.dim = static_cast<int>(dim);
  head.weight.assign(foldedW.data_ptr<double>(), foldedW.data_ptr<double>() + foldedW.numel());
  head.bias.assign(foldedB.data_ptr<double>(), foldedB.data_ptr<double>() + foldedB.numel());
  head.iterations = evaluations;
  head.loss = finalLoss;
  return head;
}

}  // namespace meridian::model::train
