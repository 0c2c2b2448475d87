#include "EmbeddingClassifiers.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace meridian::model::train {

namespace {

core::Status checkInputs(const std::vector<std::vector<float>>& embeddings, const std::vector<int>& labels,
                         int classes) {
  auto bad = [](const std::string& m) { return core::makeError(core::ErrorCode::InvalidArgument, m); };
  if (embeddings.empty() || embeddings.size() != labels.size()) return bad("no embeddings, or not one per label");
  if (classes < 2) return bad("needs at least two classes");
  for (const auto& e : embeddings)
    if (e.size() != embeddings.front().size() || e.empty()) return bad("embeddings differ in length");
  std::vector<int> seen(static_cast<std::size_t>(classes));
  for (int label : labels) {
    if (label < 0 || label >= classes) return bad("label " + std::to_string(label) + " out of range");
    seen[static_cast<std::size_t>(label)] = 1;
  }
  if (std::find(seen.begin(), seen.end(), 0) != seen.end()) return bad("a class has no training embeddings");
  return core::Ok{};
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) sum += static_cast<double>(a[i]) * b[i];
  return sum;
}

}  // namespace

std::vector<float> l2Normalised(const std::vector<float>& v) {
  const double norm = std::sqrt(dot(v, v));
  std::vector<float> out(v);
  if (norm > 0.0)
    for (auto& x : out) x = static_cast<float>(x / norm);
  return out;
}

std::vector<double> EmbeddingBank::probabilities(const std::vector<float>& embedding) const {
  const auto query = l2Normalised(embedding);
  std::vector<double> similarity(vectors.size());
  for (std::size_t i = 0; i < vectors.size(); ++i) similarity[i] = dot(query, vectors[i]);
  std::vector<double> out(static_cast<std::size_t>(classes));
  if (kind == Kind::Prototype) {
    const double top = *std::max_element(similarity.begin(), similarity.end());
    double sum = 0.0;
    for (std::size_t c = 0; c < similarity.size(); ++c)
      sum += out[static_cast<std::size_t>(labels[c])] = std::exp((similarity[c] - top) / temperature);
    for (auto& p : out) p /= sum;
    return out;
  }
  // k nearest by similarity (ties broken by index, so results do not depend on the sort).
  std::vector<std::size_t> order(vectors.size());
  std::iota(order.begin(), order.end(), 0);
  const auto kk = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, k)), order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(kk), order.end(),
                    [&](std::size_t a, std::size_t b) {
                      return similarity[a] != similarity[b] ? similarity[a] > similarity[b] : a < b;
                    });
  const double top = similarity[order[0]];
  double sum = 0.0;
  for (std::size_t j = 0; j < kk; ++j) {
    const double vote = std::exp((similarity[order[j]] - top) / temperature);
    out[static_cast<std::size_t>(labels[order[j]])] += vote;
    sum += vote;
  }
  for (auto& p : out) p /= sum;
  return out;
}

core::Result<EmbeddingBank> buildKnnBank(const std::vector<std::vector<float>>& embeddings,
                                         const std::vector<int>& labels, int classes, int k, double temperature) {
  auto status = checkInputs(embeddings, labels, classes);
  if (!status) return status.error();
  if (k < 1 || !(temperature > 0.0))
    return core::makeError(core::ErrorCode::InvalidArgument, "kNN needs k >= 1 and a positive temperature");
  EmbeddingBank bank;
  bank.kind = EmbeddingBank::Kind::Knn;
  bank.classes = classes;
  bank.k = k;
  bank.temperature = temperature;
  for (const auto& e : embeddings) bank.vectors.push_back(l2Normalised(e));
  bank.labels = labels;
  return bank;
}

core::Result<EmbeddingBank> buildPrototypeBank(const std::vector<std::vector<float>>& embeddings,
                                               const std::vector<int>& labels, int classes, double temperature) {
  auto status = checkInputs(embeddings, labels, classes);
  if (!status) return status.error();
  if (!(temperature > 0.0))
    return core::makeError(core::ErrorCode::InvalidArgument, "prototypes need a positive temperature");
  EmbeddingBank bank;
  bank.kind = EmbeddingBank::Kind::Prototype;
  bank.classes = classes;
  bank.temperature = temperature;
  std::vector<std::vector<double>> sums(static_cast<std::size_t>(classes),
                                        std::vector<double>(embeddings.front().size()));
  for (std::size_t i = 0; i < embeddings.size(); ++i) {
    const auto unit = l2Normalised(embeddings[i]);
    auto& sum = sums[static_cast<std::size_t>(labels[i])];
    for (std::size_t d = 0; d < unit.size(); ++d) sum[d] += unit[d];
  }
  for (int c = 0; c < classes; ++c) {
    std::vector<float> mean(sums[static_cast<std::size_t>(c)].begin(), sums[static_cast<std::size_t>(c)].end());
    bank.vectors.push_back(l2Normalised(mean));
    bank.labels.push_back(c);
  }
  return bank;
}

}  // namespace meridian::model::train
